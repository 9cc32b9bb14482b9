"""Account emails (confirmation links): recorded with the registration, sent after commit.

A row of auth_emails is written in the transaction that creates the account; the request
then tries to send it once, and `run_once` (a worker job) retries whatever is still pending
with backoff. A claim is a conditional UPDATE with a lease, so a request and a worker (or two
workers) never send the same email at the same time, and a killed sender's lease expires.
A sent email keeps its recipient, subject and times but not its body (the link in it).
"""

from __future__ import annotations

import datetime as dt
import logging
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import TYPE_CHECKING

import aiosmtplib
from sqlalchemy import ColumnElement, delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from simgate.core.settings import Settings
from simgate.models.auth import AuthEmail

if TYPE_CHECKING:
    from simgate.hub.context import HubContext

log = logging.getLogger(__name__)
BATCH = 20
MAX_RETRY_SECONDS = 3600.0
LEASE_MARGIN_SECONDS = 30.0


async def enqueue(
    session: AsyncSession,
    account_id: int | None,
    recipient: str,
    subject: str,
    body: str,
    now: dt.datetime,
) -> int:
    """Record an email to send after commit; returns its id."""
    row = AuthEmail(
        account_id=account_id,
        recipient=recipient,
        subject=subject,
        body=body,
        attempts=0,
        created_at=now,
        next_attempt_at=now,
    )
    session.add(row)
    await session.flush()
    return row.id


async def drop_unsent(session: AsyncSession, account_id: int) -> int:
    """Forget the account's emails not sent yet (their links were superseded)."""
    result = await session.execute(
        delete(AuthEmail).where(AuthEmail.account_id == account_id, AuthEmail.sent_at.is_(None))
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def run_once(ctx: HubContext) -> int:
    """Send due emails (a worker job); returns how many the SMTP server accepted."""
    if not ctx.settings.smtp_host:
        return 0
    now = ctx.clock.now()
    async with ctx.db.read() as session:
        stmt = (
            select(AuthEmail.id)
            .where(AuthEmail.sent_at.is_(None), AuthEmail.next_attempt_at <= now, _unlocked(now))
            .order_by(AuthEmail.next_attempt_at)
            .limit(BATCH)
        )
        ids = [int(i) for i in (await session.execute(stmt)).scalars()]
    sent = 0
    for email_id in ids:
        sent += await deliver(ctx, email_id)
    return sent


async def deliver(ctx: HubContext, email_id: int) -> bool:
    """Claim one pending email, hand it to the SMTP server, and record the outcome."""
    if not ctx.settings.smtp_host:
        return False  # not configured yet: the email waits for an operator to set SMTP up
    row = await _claim(ctx, email_id)
    if row is None:
        return False
    error: str | None = None
    # Any failure (SMTP, network, TLS, an address the server cannot take) means "retry later":
    # it must never fail the request that registered the account.
    try:
        await send(ctx.settings, row.recipient, row.subject, row.body)
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"
        log.warning("email %s failed (attempt %s): %s", email_id, row.attempts, error)
    await _settle(ctx, row, error)
    return error is None


async def send(settings: Settings, recipient: str, subject: str, body: str) -> None:
    """One email over SMTP, with the configured TLS mode, login and timeout."""
    message = EmailMessage()
    message["From"] = settings.smtp_sender
    message["To"] = recipient
    message["Subject"] = subject
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = make_msgid(domain="simgate")
    message.set_content(body)
    await aiosmtplib.send(
        message,
        hostname=settings.smtp_host,
        port=settings.smtp_port,
        username=settings.smtp_username or None,
        password=settings.smtp_password or None,
        use_tls=settings.smtp_tls == "tls",
        start_tls=settings.smtp_tls == "starttls",
        timeout=settings.smtp_timeout_seconds,
    )


def _unlocked(now: dt.datetime) -> ColumnElement[bool]:
    return or_(AuthEmail.locked_until.is_(None), AuthEmail.locked_until < now)


async def _claim(ctx: HubContext, email_id: int) -> AuthEmail | None:
    now = ctx.clock.now()
    lease = dt.timedelta(seconds=ctx.settings.smtp_timeout_seconds + LEASE_MARGIN_SECONDS)
    async with ctx.db.transaction() as session:
        result = await session.execute(
            update(AuthEmail)
            .where(AuthEmail.id == email_id, AuthEmail.sent_at.is_(None), _unlocked(now))
            .values(locked_until=now + lease, attempts=AuthEmail.attempts + 1)
        )
        if not getattr(result, "rowcount", 0):
            return None
        return await session.get(AuthEmail, email_id, populate_existing=True)


async def _settle(ctx: HubContext, row: AuthEmail, error: str | None) -> None:
    now = ctx.clock.now()
    values: dict[str, object] = {"locked_until": None, "last_error": error}
    if error is None:
        # The body holds a link that activates an account: once it is in the recipient's
        # mailbox the outbox has no reason to keep it, and a database reader must not find it.
        values["sent_at"] = now
        values["body"] = ""
    else:
        delay = ctx.settings.smtp_retry_seconds * 2 ** min(row.attempts - 1, 10)
        values["next_attempt_at"] = now + dt.timedelta(seconds=min(delay, MAX_RETRY_SECONDS))
    async with ctx.db.transaction() as session:
        await session.execute(update(AuthEmail).where(AuthEmail.id == row.id).values(**values))
