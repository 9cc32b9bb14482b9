"""The stop-list in the console: numbers nobody may send SMS to; add one, remove one."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from simgate.core.errors import DomainError
from simgate.operators import catalog_actions, price_table
from simgate.web.admin.guard import back, console_page, operator, operator_form
from simgate.web.pages import context_of, text_field

router = APIRouter(include_in_schema=False)


async def _show(
    request: Request, error: DomainError | None = None, typed: dict[str, str] | None = None
) -> Response:
    me = await operator(request)
    entries = await price_table.stop_list(context_of(request).db)
    return console_page(
        request,
        "stoplist.html",
        me,
        400 if error else 200,
        section="stoplist",
        entries=entries,
        error=error,
        typed=typed or {},
    )


@router.get("/admin/stoplist")
async def stoplist_page(request: Request) -> Response:
    return await _show(request)


@router.post("/admin/stoplist")
async def add(request: Request) -> Response:
    _, actor, form = await operator_form(request)
    phone, reason = text_field(form, "phone"), text_field(form, "reason")
    try:
        applied = await catalog_actions.stop_list_add(
            context_of(request).deps, actor, phone, reason
        )
    except DomainError as exc:
        return await _show(request, exc, {"phone": phone, "reason": reason})
    return back("/admin/stoplist", applied)


@router.post("/admin/stoplist/remove")
async def remove(request: Request) -> Response:
    _, actor, form = await operator_form(request)
    try:
        applied = await catalog_actions.stop_list_remove(
            context_of(request).deps, actor, text_field(form, "phone")
        )
    except DomainError as exc:
        return await _show(request, exc)
    return back("/admin/stoplist", applied)
