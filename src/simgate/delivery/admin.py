"""Operator use cases: sender-name moderation and the stop-list. Callers own the transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from simgate.core import validate
from simgate.delivery import errors
from simgate.delivery import repository as repo
from simgate.delivery.service import normalize_phone, validate_sender_name
from simgate.models.delivery import DeliverySender, StopListEntry

SENDER_STATES = ("moderation", "completed", "rejected")
REASON_MAX_LENGTH = 255  # delivery_stop_list.reason


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
