"""Mounts the cabinet on the hub's app: its routes, its static files and its error pages."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.staticfiles import StaticFiles

from simgate.hub.context import HubContext
from simgate.web import auth_pages, cabinet, delivery_pages, forwarding_pages, records
from simgate.web.admin import router as admin
from simgate.web.live import AccountSignals
from simgate.web.pages import BadForm, NotLoggedIn, PageNotFound, is_htmx, member_or_none, page

STATIC = Path(__file__).parent / "static"


def install(app: FastAPI, ctx: HubContext) -> None:
    """Add the cabinet to `app` (its paths stay clear of the API's)."""
    signals = AccountSignals()
    ctx.db.changes.subscribe(signals.notify)
    app.state.web_signals = signals
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.include_router(auth_pages.router)
    app.include_router(cabinet.router)
    app.include_router(records.router)
    admin.install(app)
    app.include_router(delivery_pages.router)
    app.include_router(forwarding_pages.router)
    app.add_exception_handler(NotLoggedIn, _to_login)
    app.add_exception_handler(BadForm, _bad_form)
    app.add_exception_handler(PageNotFound, _not_found)


async def _to_login(request: Request, exc: Exception) -> Response:
    if is_htmx(request):
        # htmx would follow a 303 itself and swap the login page into the polled fragment;
        # HX-Redirect makes it load /login as the whole page instead.
        return Response(status_code=401, headers={"HX-Redirect": "/login"})
    return RedirectResponse("/login", 303)


async def _bad_form(request: Request, exc: Exception) -> Response:
    return page(request, "message.html", 403, message="forbidden", tone="error")


async def _not_found(request: Request, exc: Exception) -> Response:
    me = await member_or_none(request)
    return page(request, "message.html", 404, me=me, message="not_found", tone="error")
