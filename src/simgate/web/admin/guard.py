"""Who may use the console, and what every console page shares.

A page asked by anyone but an operator answers 404, as an unknown page does: the console
does not tell a buyer it exists. The operator flag is read on every request, so taking it
away closes the console at once, for every open session.
"""

from __future__ import annotations

import secrets
from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from simgate.accounts import service as accounts
from simgate.accounts.errors import AccountNotFound
from simgate.accounts.web_login import SessionView
from simgate.audit.service import REQUEST_KEY_MAX_LENGTH, Actor
from simgate.core.errors import InvalidInput
from simgate.core.money import parse_amount
from simgate.web.pages import PageNotFound, context_of, member, page, posted, text_field


async def operator(request: Request) -> SessionView:
    """The logged-in operator; NotLoggedIn without a session, PageNotFound for a buyer."""
    me = await member(request)
    try:
        account = await accounts.read_account(context_of(request).db, me.account_id)
    except AccountNotFound as exc:
        raise PageNotFound from exc
    if not account.is_operator:
        raise PageNotFound
    return me


async def operator_form(request: Request) -> tuple[SessionView, Actor, FormData]:
    """The acting operator and the posted form: a buyer's POST is a 404 before its token is
    even read; an operator's POST without the session's CSRF token is refused (BadForm)."""
    await operator(request)
    me, form = await posted(request)
    key = text_field(form, "request_key")[:REQUEST_KEY_MAX_LENGTH] or None
    return me, Actor(me.account_id, me.account_name, key), form


# Words a redirect may ask the next page to show (anything else in ?notice= is ignored).
NOTICES = ("done", "already_done")


def _form_key() -> str:
    return secrets.token_urlsafe(24)


def console_page(
    request: Request, template: str, me: SessionView, status_code: int = 200, **values: Any
) -> HTMLResponse:
    """A console page; each of its forms carries a fresh request key (`form_key()`), so
    sending one form twice is recognised and applied once."""
    notice = request.query_params.get("notice")
    return page(
        request,
        f"admin/{template}",
        status_code,
        me=me,
        form_key=_form_key,
        notice=values.pop("notice", notice if notice in NOTICES else None),
        **values,
    )


def back(url: str, applied: bool) -> Response:
    """After an action: the page again, by GET (a reload then does not post the form twice),
    saying whether the action was applied now or had been already."""
    joiner = "&" if "?" in url else "?"
    return RedirectResponse(f"{url}{joiner}notice={'done' if applied else 'already_done'}", 303)


def amount_field(request: Request, form: FormData, name: str) -> int:
    """Minor units of a typed amount (InvalidAmount for anything else)."""
    return parse_amount(text_field(form, name), context_of(request).settings.currency_exponent)


def int_field(form: FormData, name: str, default: int | None = None) -> int | None:
    """A whole number typed in a form; `default` when empty; InvalidInput otherwise."""
    text = text_field(form, name)
    if not text:
        return default
    digits = text.removeprefix("-")
    # isascii: "²" is a digit to isdigit() but not to int().
    if not digits.isascii() or not digits.isdigit() or len(text) > 12:
        raise InvalidInput(f"{name}: not a whole number")
    return int(text)
