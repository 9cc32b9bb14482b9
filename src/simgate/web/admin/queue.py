"""The outbound SMS queue in the console: every account's messages (or one account's) by
state, newest first, a page at a time; a queued message can be taken out of the queue."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from simgate.accounts.errors import AccountNotFound
from simgate.core.errors import DomainError
from simgate.delivery.admin import QUEUE_GROUPS
from simgate.operators import delivery_actions
from simgate.web.admin.guard import back, console_page, operator, operator_form
from simgate.web.delivery_pages import row_id
from simgate.web.pages import PageNotFound, context_of, text_field

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 50


def _queue_url(account: str, state: str, before: int | None = None) -> str:
    asked = {"account": account, "state": state, "before": before}
    query = urlencode({k: v for k, v in asked.items() if v})
    return "/admin/queue" + (f"?{query}" if query else "")


async def _show(
    request: Request, account: str, state: str, before: int | None, error: DomainError | None
) -> Response:
    me = await operator(request)
    deps = context_of(request).deps
    group = state if state in QUEUE_GROUPS else None
    try:
        found = await delivery_actions.queue_page(deps, account or None, group, before, PAGE_SIZE)
    except AccountNotFound as exc:
        raise PageNotFound from exc
    next_url = None
    if found.next_before is not None:
        next_url = _queue_url(account, state, found.next_before)
    return console_page(
        request,
        "queue.html",
        me,
        400 if error else 200,
        section="queue",
        lines=found.lines,
        groups=QUEUE_GROUPS,
        account=account,
        state=group or "",
        here_url=_queue_url(account, group or ""),
        next_url=next_url,
        error=error,
    )


@router.get("/admin/queue")
async def queue_page(
    request: Request, account: str = "", state: str = "", before: str | None = None
) -> Response:
    return await _show(request, account.strip()[:64], state, row_id(before), None)


@router.post("/admin/queue/cancel")
async def cancel(request: Request) -> Response:
    _, actor, form = await operator_form(request)
    back_to = text_field(form, "back")
    if not back_to.startswith("/admin/queue"):
        back_to = "/admin/queue"
    message_id = row_id(text_field(form, "id"))
    if message_id is None:
        raise PageNotFound
    try:
        applied = await delivery_actions.cancel_message(context_of(request).deps, actor, message_id)
    except DomainError as exc:
        return await _show(request, "", "", None, exc)
    return back(back_to, applied)
