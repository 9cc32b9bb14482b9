"""Sender names in the console: approve or reject what buyers asked for."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from simgate.core.errors import DomainError
from simgate.operators import actions, dashboard
from simgate.web.admin.guard import back, console_page, operator, operator_form
from simgate.web.pages import PageNotFound, context_of, text_field

router = APIRouter(include_in_schema=False)

DECISIONS = {"approve": "completed", "reject": "rejected"}


async def _show(request: Request, error: DomainError | None = None) -> Response:
    me = await operator(request)
    found = await dashboard.senders(context_of(request).db)
    return console_page(
        request,
        "senders.html",
        me,
        400 if error else 200,
        section="senders",
        senders=found,
        error=error,
    )


@router.get("/admin/senders")
async def senders_page(request: Request) -> Response:
    return await _show(request)


@router.post("/admin/senders/{decision}")
async def decide(request: Request, decision: str) -> Response:
    _, actor, form = await operator_form(request)
    state = DECISIONS.get(decision)
    if state is None:
        raise PageNotFound
    try:
        applied = await actions.decide_sender(
            context_of(request).deps,
            actor,
            text_field(form, "account"),
            text_field(form, "sender"),
            state,
        )
    except DomainError as exc:
        return await _show(request, exc)
    return back("/admin/senders", applied)
