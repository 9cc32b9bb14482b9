"""The console's dashboard (live by htmx polling), the audit list and the ledger check."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from simgate.audit import service as audit
from simgate.operators import dashboard, records
from simgate.web.admin.guard import console_page, operator, operator_form
from simgate.web.pages import SECURITY_HEADERS, context_of, render_text

router = APIRouter(include_in_schema=False)

AUDIT_PAGE = 50


@router.get("/admin")
async def overview(request: Request) -> Response:
    me = await operator(request)
    ctx = context_of(request)
    figures = await dashboard.figures(ctx.db, ctx.clock.now())
    return console_page(request, "overview.html", me, section="overview", figures=figures)


@router.get("/admin/figures")
async def figures_fragment(request: Request) -> Response:
    """The dashboard's figures alone: the page polls this to stay live."""
    await operator(request)
    ctx = context_of(request)
    figures = await dashboard.figures(ctx.db, ctx.clock.now())
    text = render_text(request, "admin/_figures.html", figures=figures)
    return Response(text, media_type="text/html", headers=SECURITY_HEADERS)


def _before(text: str | None) -> int | None:
    return int(text) if text and text.isdigit() and len(text) < 19 else None


@router.get("/admin/audit")
async def audit_list(request: Request, before: str | None = None) -> Response:
    me = await operator(request)
    events = await audit.read_page(context_of(request).db, _before(before), AUDIT_PAGE + 1)
    next_url = None
    if len(events) > AUDIT_PAGE:
        events = events[:AUDIT_PAGE]
        next_url = f"/admin/audit?before={events[-1].id}"
    return console_page(
        request, "audit.html", me, section="audit", events=events, next_url=next_url
    )


@router.get("/admin/ledger")
async def ledger_page(request: Request) -> Response:
    me = await operator(request)
    return console_page(request, "ledger.html", me, section="ledger", problems=None)


@router.post("/admin/ledger")
async def ledger_check(request: Request) -> Response:
    me, actor, _ = await operator_form(request)
    problems = await records.check_ledger(context_of(request).deps, actor)
    return console_page(request, "ledger.html", me, section="ledger", problems=problems)
