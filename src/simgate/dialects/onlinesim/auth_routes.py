"""The non-method routes of accounts: the RSA public key and the email confirmation link."""

from __future__ import annotations

import html
import logging

from fastapi import APIRouter
from sqlalchemy.exc import DBAPIError
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response

from simgate.accounts import confirmation, rsa_keys
from simgate.accounts.confirmation import Confirmed
from simgate.hub.context import HubContext

log = logging.getLogger(__name__)
router = APIRouter()

PAGES = {
    Confirmed.ACTIVATED: (
        200,
        "Адрес подтверждён",
        "Аккаунт активирован: теперь можно войти (метод login).",
    ),
    Confirmed.ALREADY_ACTIVE: (
        200,
        "Адрес уже подтверждён",
        "Аккаунт уже активирован: можно войти.",
    ),
    Confirmed.EXPIRED: (
        410,
        "Ссылка устарела",
        "Запросите новое письмо методом resendConfirmation (email и dev_key).",
    ),
    Confirmed.UNKNOWN: (
        404,
        "Ссылка недействительна",
        "Проверьте, что ссылка скопирована полностью.",
    ),
}


def _page(status: int, title: str, text: str) -> HTMLResponse:
    body = (
        '<!doctype html><html lang="ru"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title></head>"
        f"<body><h1>{html.escape(title)}</h1><p>{html.escape(text)}</p></body></html>"
    )
    return HTMLResponse(body, status_code=status)


@router.get("/api/public.pem")
async def public_pem(request: Request) -> Response:
    """The RSA public key clients encrypt passwords with (see the spec's "Шифрование")."""
    ctx: HubContext = request.app.state.ctx
    try:
        pem = await rsa_keys.public_pem(ctx.deps)
    except DBAPIError:
        log.exception("storage error while reading the RSA key")
        return PlainTextResponse("storage unavailable, try again later", status_code=503)
    return PlainTextResponse(pem, media_type="application/x-pem-file")


@router.get(confirmation.CONFIRM_PATH + "{token}")
async def confirm_email(token: str, request: Request) -> Response:
    """The link of the confirmation email: activates the account."""
    ctx: HubContext = request.app.state.ctx
    try:
        outcome = await confirmation.confirm(ctx.deps, token)
    except DBAPIError:
        log.exception("storage error while confirming an email")
        return _page(503, "Сервис временно недоступен", "Попробуйте открыть ссылку позже.")
    return _page(*PAGES[outcome])
