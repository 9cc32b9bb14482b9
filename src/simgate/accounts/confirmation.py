"""Email confirmation: the token, the link, the email, and following the link.

The link is built from SIMGATE_PUBLIC_URL only, never from the request that registered: the
Host header is the client's to choose, so a link built from it would let anyone mail a victim
a link to their own host and have the victim's click confirm the address. Without a public
URL, confirmation mail is refused (and the hub warns at start-up).

Only a SHA-256 of the token is stored with the credential. The plain link exists in the
email's body in the outbox until the SMTP server takes it, and is blanked then (mailer).
A token works for `email_confirmation_ttl_seconds`; a resend replaces it.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from simgate.accounts import credentials, mailer
from simgate.core.deps import Deps
from simgate.core.errors import DomainError
from simgate.core.settings import Settings

log = logging.getLogger(__name__)
CONFIRM_PATH = "/confirm-email/"
SUBJECT = "Подтверждение адреса электронной почты"


class ConfirmationUnavailable(DomainError):
    """Confirmation is on but no public URL is configured: no link can be mailed."""

    code = "CONFIRMATION_UNAVAILABLE"


class Confirmed(StrEnum):
    """What following a confirmation link did."""

    ACTIVATED = "activated"
    ALREADY_ACTIVE = "already_active"
    EXPIRED = "expired"
    UNKNOWN = "unknown"


def startup_warning(settings: Settings) -> str | None:
    """The operator's warning when registration cannot mail confirmation links, else None."""
    if not settings.email_confirmation or settings.public_url:
        return None
    return (
        "SIMGATE_PUBLIC_URL is not set while email confirmation is on: register and "
        "resendConfirmation are refused until it is set to the address users reach this hub "
        "at (links are never built from request headers), or SIMGATE_EMAIL_CONFIRMATION=false"
    )


def require_public_url(settings: Settings) -> None:
    """Raise ConfirmationUnavailable when a confirmation link cannot be built."""
    problem = startup_warning(settings)
    if problem is not None:
        log.warning("confirmation email refused: %s", problem)
        raise ConfirmationUnavailable("no public URL for confirmation links")


def new_token() -> str:
    return secrets.token_urlsafe(32)


def link(settings: Settings, token: str) -> str:
    """The confirmation link of `token`; only ever under SIMGATE_PUBLIC_URL."""
    if not settings.public_url:
        raise ConfirmationUnavailable("no public URL for confirmation links")
    return f"{settings.public_url.rstrip('/')}{CONFIRM_PATH}{token}"


async def enqueue(
    session: AsyncSession,
    settings: Settings,
    to: tuple[int, str, str, str],
    token: str,
    now: dt.datetime,
) -> int:
    """Record the confirmation email of `to` = (account id, full name, username, email)."""
    account_id, full_name, username, email = to
    hours = max(settings.email_confirmation_ttl_seconds // 3600, 1)
    body = (
        f"Здравствуйте, {full_name}!\n\n"
        f"Вы зарегистрировались в simgate под именем {username}. Чтобы подтвердить "
        f"адрес электронной почты и активировать аккаунт, откройте ссылку:\n\n"
        f"{link(settings, token)}\n\n"
        f"Ссылка действует {hours} ч. Если вы не регистрировались, просто удалите это письмо.\n"
    )
    return await mailer.enqueue(session, account_id, email, SUBJECT, body, now)


async def confirm(deps: Deps, token: str) -> Confirmed:
    """Activate the account of a confirmation link, if the link is known and not expired."""
    now = deps.clock.now()
    issued_after = now - dt.timedelta(seconds=deps.settings.email_confirmation_ttl_seconds)
    async with deps.db.transaction() as session:
        if await credentials.activate(session, token, now, issued_after):
            return Confirmed.ACTIVATED
        found = await credentials.by_token(session, token)
    if found is None:
        return Confirmed.UNKNOWN
    return Confirmed.EXPIRED if found.activated_at is None else Confirmed.ALREADY_ACTIVE
