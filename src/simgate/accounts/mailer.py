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

import aiosmtplib
from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from simgate.core import backoff
from simgate.core.claims import Lease
from simgate.core.deps import Deps
from simgate.core.settings import Settings
from simgate.models.auth import AuthEmail

log = logging.getLogger(__name__)
BATCH = 20
MAX_RETRY_SECONDS = 3600.0
LEASE_MARGIN_SECONDS = 30.0
LEASE = Lease(AuthEmail.locked_until)


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


async def run_once(deps: Deps) -> int:
    """Send due emails (a worker job); returns how many the SMTP server accepted."""
    if not deps.settings.smtp_host:
        return 0
    now = deps.clock.now()
    async with deps.db.read() as session:
        stmt = (
            select(AuthEmail.id)
            .where(AuthEmail.sent_at.is_(None), AuthEmail.next_attempt_at <= now, LEASE.free(now))
            .order_by(AuthEmail.next_attempt_at)
            .limit(BATCH)
        )
        ids = [int(i) for i in (await session.execute(stmt)).scalars()]
    sent = 0
    for email_id in ids:
        sent += await deliver(deps, email_id)
    return sent


async def deliver(deps: Deps, email_id: int) -> bool:
    """Claim one pending email, hand it to the SMTP server, and record the outcome."""
    if not deps.settings.smtp_host:
        return False  # not configured yet: the email waits for an operator to set SMTP up
    row = await _claim(deps, email_id)
    if row is None:
        return False
    error: str | None = None
    # Any failure (SMTP, network, TLS, an address the server cannot take) means "retry later":
    # it must never fail the request that registered the account.
    try:
        await send(deps.settings, row.recipient, row.subject, row.body)
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"
        log.warning("email %s failed (attempt %s): %s", email_id, row.attempts, error)
    await _settle(deps, row, error)
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


async def _claim(deps: Deps, email_id: int) -> AuthEmail | None:
    now = deps.clock.now()
    lease = dt.timedelta(seconds=deps.settings.smtp_timeout_seconds + LEASE_MARGIN_SECONDS)
    async with deps.db.transaction() as session:
        claimed: AuthEmail | None = await LEASE.take_row(
            session,
            email_id,
            now,
            now + lease,
            AuthEmail.sent_at.is_(None),
            attempts=AuthEmail.attempts + 1,
        )
        return claimed


async def _settle(deps: Deps, row: AuthEmail, error: str | None) -> None:
    now = deps.clock.now()
    values: dict[str, object] = {"locked_until": None, "last_error": error}
    if error is None:
        # The body holds a link that activates an account: once it is in the recipient's
        # mailbox the outbox has no reason to keep it, and a database reader must not find it.
        values["sent_at"] = now
        values["body"] = ""
    else:
        delay = backoff.delay(
            deps.settings.smtp_retry_seconds,
            row.attempts,
            cap=MAX_RETRY_SECONDS,
            max_doublings=10,
        )
        values["next_attempt_at"] = now + dt.timedelta(seconds=delay)
    async with deps.db.transaction() as session:
        await session.execute(update(AuthEmail).where(AuthEmail.id == row.id).values(**values))
