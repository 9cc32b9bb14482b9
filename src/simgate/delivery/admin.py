"""Operator use cases: sender-name moderation, the stop-list and the outbound queue. Callers
own the transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from simgate.core import validate
from simgate.core.errors import InvalidInput
from simgate.delivery import errors, queue
from simgate.delivery import repository as repo
from simgate.delivery.service import normalize_phone, validate_sender_name
from simgate.ledger import service as ledger
from simgate.models.delivery import DeliverySender, OutboundMessage, StopListEntry

SENDER_STATES = ("moderation", "completed", "rejected")
REASON_MAX_LENGTH = 255  # delivery_stop_list.reason
QUEUE_GROUPS = repo.QUEUE_GROUPS  # queued, in_flight, sent, failed


async def decide_sender(
    session: AsyncSession, account_id: int, name: str, state: str, now: dt.datetime
) -> None:
    """Approve ("completed") or reject a name; approving registers a name not yet requested."""
    if state not in SENDER_STATES:
        raise ValueError(f"unknown sender state {state!r}")
    name = validate_sender_name(name)
    if not await repo.add_sender(session, account_id, name, state, now):
        await repo.set_sender_state(session, account_id, name, state, now)


async def senders(session: AsyncSession, account_id: int | None) -> Sequence[DeliverySender]:
    """Sender names of one account, or of all accounts."""
    return await repo.senders(session, account_id)


def _phone(raw: str) -> str:
    phone = normalize_phone(raw)
    if phone is None:
        raise errors.NoValidNumbers(f"not a phone number: {raw!r}")
    return phone


async def stop_list_add(session: AsyncSession, raw: str, reason: str, now: dt.datetime) -> str:
    """Forbid sending to a number; returns it normalized."""
    phone = _phone(raw)
    validate.text(reason, "reason", max_length=REASON_MAX_LENGTH, required=False)
    await repo.stop_list_add(session, phone, reason, now)
    return phone


async def stop_list_remove(session: AsyncSession, raw: str) -> bool:
    """Allow a number again; False when it was not listed."""
    return await repo.stop_list_remove(session, _phone(raw))


async def stop_list(session: AsyncSession) -> Sequence[StopListEntry]:
    """Every stop-listed number."""
    return await repo.stop_list(session)


@dataclass(frozen=True)
class QueueLine:
    message: OutboundMessage
    account_name: str
    in_flight: bool  # a worker holds it: being handed to the SMSC right now


@dataclass(frozen=True)
class QueuePage:
    lines: list[QueueLine]
    next_before: int | None  # the `before_id` of the next page; None: this was the last


async def queue_page(
    session: AsyncSession,
    now: dt.datetime,
    *,
    account_id: int | None,
    group: str | None,
    before_id: int | None,
    limit: int,
) -> QueuePage:
    """Outbound messages newest first, of one account or all, in one group of
    `repo.QUEUE_GROUPS` or all."""
    if group is not None and group not in repo.QUEUE_GROUPS:
        raise InvalidInput(f"unknown queue state {validate.shown(group)}")
    rows = await repo.queue_page(
        session, now, account_id=account_id, group=group, before_id=before_id, limit=limit + 1
    )
    more = len(rows) > limit
    rows = rows[:limit]
    lines = [
        QueueLine(
            m,
            name,
            m.state == queue.QUEUED and m.locked_until is not None and m.locked_until >= now,
        )
        for m, name in rows
    ]
    return QueuePage(lines, rows[-1][0].id if more and rows else None)


CANCEL_NOTE = "cancelled by an operator"


async def cancel(session: AsyncSession, message_id: int, now: dt.datetime) -> None:
    """Take a queued message out of the queue: it fails and its held money goes back, as when
    the SMSC refuses it for good. NotCancellable once it was sent, failed, or while a worker
    is handing it to the SMSC."""
    hold_id = await repo.cancel_queued(session, message_id, now, CANCEL_NOTE)
    if hold_id is None:
        raise errors.NotCancellable(f"message {message_id} is not waiting in the queue")
    await ledger.release(session, hold_id, now)
