"""Log in, sign up, log out, and the language switch."""

from __future__ import annotations

import hmac
import secrets
from urllib.parse import urlsplit

from fastapi import APIRouter
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from simgate.accounts import registration, web_login
from simgate.accounts.registration import InvalidFields, PasswordRegistration
from simgate.core.errors import DomainError
from simgate.web import cookies
from simgate.web.i18n import LANGUAGES
from simgate.web.pages import (
    BadForm,
    client_address,
    context_of,
    page,
    posted,
    text_field,
)

router = APIRouter(include_in_schema=False)

YEAR = 365 * 24 * 3600


def _form_token(request: Request) -> str:
    return request.cookies.get(cookies.FORM_COOKIE) or secrets.token_urlsafe(24)


def _form_page(
    request: Request, template: str, status_code: int = 200, **values: object
) -> Response:
    """A pre-login form: its CSRF token is the form cookie's value (set here if missing)."""
    token = _form_token(request)
    response = page(request, template, status_code, form_token=token, **values)
    if request.cookies.get(cookies.FORM_COOKIE) != token:
        cookies.set_cookie(
            response, request, context_of(request).settings, cookies.FORM_COOKIE, token
        )
    return response


def _check_form_token(request: Request, form: FormData) -> None:
    cookie = request.cookies.get(cookies.FORM_COOKIE) or ""
    sent = form.get("csrf")
    if not cookie or not isinstance(sent, str) or not hmac.compare_digest(sent, cookie):
        raise BadForm


@router.get("/login")
async def login_page(request: Request) -> Response:
    # Shown even to a logged-in browser: logging in again (as someone else, say) is allowed,
    # and rotates the session.
    return _form_page(request, "login.html", username="")


@router.post("/login")
async def login(request: Request) -> Response:
    ctx = context_of(request)
    form = await request.form()
    _check_form_token(request, form)
    username, password = text_field(form, "username"), form.get("password")
    if not username or not isinstance(password, str) or not password:
        return _form_page(request, "login.html", 400, error="LOGIN_FAILED", username=username)
    previous = cookies.unsign(ctx.settings, request.cookies.get(cookies.SESSION_COOKIE))
    try:
        opened = await web_login.password_login(
            ctx.deps, username, password, client_address(request), previous
        )
    except DomainError as exc:
        return _form_page(request, "login.html", 401, error=exc.code, username=username)
    response = RedirectResponse("/", 303)
    cookies.set_cookie(
        response,
        request,
        ctx.settings,
        cookies.SESSION_COOKIE,
        cookies.sign(ctx.settings, opened.token),
        max_age=ctx.settings.web_session_seconds,
    )
    return response


@router.post("/logout")
async def logout(request: Request) -> Response:
    ctx = context_of(request)
    await posted(request)
    token = cookies.unsign(ctx.settings, request.cookies.get(cookies.SESSION_COOKIE))
    if token is not None:
        await web_login.logout(ctx.deps, token)
    response = RedirectResponse("/login", 303)
    response.delete_cookie(cookies.SESSION_COOKIE, path="/")
    return response


@router.get("/signup")
async def signup_page(request: Request) -> Response:
    return _form_page(request, "signup.html", values={}, problems={})


@router.post("/signup")
async def signup(request: Request) -> Response:
    ctx = context_of(request)
    form = await request.form()
    _check_form_token(request, form)
    values = {f: text_field(form, f) for f in ("name", "username", "email")}
    password = form.get("password")
    entered = PasswordRegistration(
        values["name"] or None,
        values["username"] or None,
        values["email"] or None,
        password if isinstance(password, str) and password else None,
    )
    try:
        done = await registration.register_with_password(ctx.deps, entered, client_address(request))
    except InvalidFields as exc:
        problems = {f: [p.value for p in found] for f, found in exc.fields.items()}
        return _form_page(
            request, "signup.html", 400, error=exc.code, values=values, problems=problems
        )
    except DomainError as exc:
        return _form_page(request, "signup.html", 400, error=exc.code, values=values, problems={})
    message = "check_email" if done.confirmation_required else "signed_up"
    return page(request, "message.html", message=message, tone="notice")


@router.get("/lang/{code}")
async def switch_language(request: Request, code: str, next: str = "/") -> Response:
    # Only a path on this site: an absolute URL here would make the switch an open redirect.
    parts = urlsplit(next)
    local = not parts.scheme and not parts.netloc and next.startswith("/")
    target = next if local and not next.startswith(("//", "/\\")) else "/"
    response = RedirectResponse(target, 303)
    if code in LANGUAGES:
        cookies.set_cookie(
            response, request, context_of(request).settings, cookies.LANG_COOKIE, code, YEAR
        )
    return response
