"""What every cabinet page shares: the template environment, the security headers, who is
logged in, and the CSRF check of a posted form."""

from __future__ import annotations

import datetime as dt
import hmac
from typing import Any
from urllib.parse import quote

from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import HTMLResponse

from simgate.accounts import web_login
from simgate.accounts.web_login import SessionView
from simgate.activations.service import seconds_left
from simgate.core.money import format_fixed
from simgate.hub.context import HubContext
from simgate.web import cookies
from simgate.web.i18n import language, translator

TEMPLATES = Environment(
    loader=PackageLoader("simgate.web", "templates"),
    autoescape=select_autoescape(["html"]),
    auto_reload=False,
)

# Scripts and styles come from /static only: an injected <script> or style attribute is inert.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


class NotLoggedIn(Exception):
    """The page needs a live session; the handler sends the browser to /login."""


class BadForm(Exception):
    """A posted form without this session's CSRF token."""


class PageNotFound(Exception):
    """Unknown, or another account's: the two are not told apart."""


def context_of(request: Request) -> HubContext:
    ctx: HubContext = request.app.state.ctx
    return ctx


def _clock_text(seconds: int) -> str:
    return f"{seconds // 60}:{seconds % 60:02d}"


def render_text(request: Request, template: str, **values: Any) -> str:
    ctx = context_of(request)
    now = ctx.clock.now()
    lang = language(request)

    def left(limit: dt.datetime | None) -> int:
        return seconds_left(limit, now)

    return TEMPLATES.get_template(template).render(
        lang=lang,
        t=translator(lang),
        money=format_fixed,
        seconds_left=left,
        clock=_clock_text,
        here=quote(request.url.path, safe="/"),
        me=values.pop("me", None),
        notice=values.pop("notice", None),
        **values,
    )


def page(request: Request, template: str, status_code: int = 200, **values: Any) -> HTMLResponse:
    return HTMLResponse(
        render_text(request, template, **values), status_code, headers=SECURITY_HEADERS
    )


async def member_or_none(request: Request) -> SessionView | None:
    ctx = context_of(request)
    token = cookies.unsign(ctx.settings, request.cookies.get(cookies.SESSION_COOKIE))
    if token is None:
        return None
    return await web_login.session_of(ctx.deps, token)


async def member(request: Request) -> SessionView:
    """The logged-in account, or NotLoggedIn."""
    found = await member_or_none(request)
    if found is None:
        raise NotLoggedIn
    return found


async def posted(request: Request) -> tuple[SessionView, FormData]:
    """The logged-in account and its form, refused (BadForm) without the session's token."""
    me = await member(request)
    form = await request.form()
    sent = form.get("csrf")
    if not isinstance(sent, str) or not hmac.compare_digest(sent, me.csrf_token):
        raise BadForm
    return me, form


def text_field(form: FormData, name: str) -> str:
    """A typed value, stripped; one with a NUL counts as not typed (as in the API dialects):
    PostgreSQL text cannot hold a NUL, so it must never reach a query."""
    value = form.get(name)
    return value.strip() if isinstance(value, str) and "\x00" not in value else ""


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"
