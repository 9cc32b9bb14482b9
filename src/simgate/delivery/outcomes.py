"""What the queue runner records: claims, SMSC acknowledgements, refusals and receipts.
Each function runs inside the caller's transaction; money moves in the same transaction as
the state change that causes it (capture on the last acknowledged part, release on failure).
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from simgate.core import backoff
from simgate.core.settings import Settings
from simgate.delivery import queue
from simgate.delivery.receipts import Receipt, id_forms
from simgate.ledger import service as ledger

MAX_RETRY_SECONDS = 3600.0


@dataclass(frozen=True)
class Ack:
    """The SMSC accepted part `seq` of a message and named it `smsc_message_id`."""

    message_id: int
    lease: str
    seq: int
    smsc_message_id: str


@dataclass(frozen=True)
class GiveBack:
    """A claimed message could not be finished now: retry later, or fail when `permanent`."""

    message_id: int
    lease: str
    error: str
    permanent: bool = False
    count_attempt: bool = True  # a lost connection is not the message's fault


def _lease_until(settings: Settings, now: dt.datetime) -> dt.datetime:
    return now + dt.timedelta(seconds=settings.delivery_claim_seconds)


async def claim_due(
    session: AsyncSession, settings: Settings, now: dt.datetime, limit: int
) -> list[queue.Work]:
    """Claim up to `limit` due messages under a fresh lease (one conditional UPDATE)."""
    ids = await queue.due_ids(session, now, limit)
    return await queue.claim(session, ids, secrets.token_hex(8), now, _lease_until(settings, now))


async def record_acks(
    session: AsyncSession, settings: Settings, acks: Sequence[Ack], now: dt.datetime
) -> None:
    """Mark the parts submitted; a message whose last part this was moves on and its hold is
    captured, the others keep their claim a while longer."""
    if not acks:
        return
    await queue.mark_parts_submitted(
        session, [(a.message_id, a.seq, a.smsc_message_id) for a in acks], now
    )
    touched = list(dict.fromkeys(a.message_id for a in acks))
    submitted = await queue.mark_submitted(session, touched, now)
    # One capture for the whole batch: per message it was three statements each.
    await ledger.capture_many(session, list(submitted.values()), now)
    still_sending = [m for m in touched if m not in submitted]
    await queue.extend_claims(session, still_sending, _lease_until(settings, now))
    # A receipt can beat the commit of its part's acknowledgement (the SMSC sends it at once);
    # applying it finishes the messages it completes. A message without such a receipt has a
    # part this batch just marked submitted, so it cannot be finished yet.
    await apply_receipts(
        session, now, sorted({f for a in acks for f in id_forms(a.smsc_message_id)})
    )


async def give_back(
    session: AsyncSession, settings: Settings, outcome: GiveBack, now: dt.datetime
) -> None:
    """Retry with exponential backoff, or fail the message and release its hold."""
    attempts = await queue.attempts_of(session, outcome.message_id)
    exhausted = outcome.count_attempt and attempts >= settings.delivery_max_attempts
    if outcome.permanent or exhausted:
        await fail(session, outcome.message_id, now, outcome.error)
        return
    delay = 0.0
    if outcome.count_attempt:
        delay = backoff.delay(settings.delivery_retry_seconds, attempts, cap=MAX_RETRY_SECONDS)
    at = now + dt.timedelta(seconds=delay)
    await queue.retry_later(session, outcome.message_id, outcome.lease, at, outcome.error)


async def fail(session: AsyncSession, message_id: int, now: dt.datetime, error: str) -> bool:
    """queued -> failed, money back to the account; False when the message had moved on."""
    hold_id = await queue.mark_failed(session, message_id, now, error)
    if hold_id is None:
        return False
    await ledger.release(session, hold_id, now)
    return True


async def record_receipts(
    session: AsyncSession, receipts: Sequence[Receipt], now: dt.datetime
) -> None:
    """Store final receipts and apply those whose part's acknowledgement is recorded.

    Two workers may record an acknowledgement and its receipt at the same moment without
    seeing each other; the receipt then waits for `apply_receipts(…, None)` in the periodic
    task, which is cheaper than serialising every acknowledgement on a lock.
    """
    final = [(r.smsc_message_id, r.stat, r.final_state) for r in receipts if r.final_state]
    await queue.add_receipts(session, final, now)
    await apply_receipts(
        session, now, sorted({f for smsc_id, _, _ in final for f in id_forms(smsc_id)})
    )


async def apply_receipts(session: AsyncSession, now: dt.datetime, ids: list[str] | None) -> int:
    """Match waiting receipts (for `ids`, or all) to submitted parts; returns how many."""
    waiting = await queue.unapplied_receipts(session, ids)
    if not waiting:
        return 0
    forms = {receipt_id: id_forms(smsc_id) for receipt_id, smsc_id, _ in waiting}
    parts = await queue.submitted_parts(session, sorted({f for fs in forms.values() for f in fs}))
    finished: list[tuple[int, str]] = []
    applied: list[int] = []
    messages: list[int] = []
    for receipt_id, _, final_state in waiting:
        match = next((parts.pop(f) for f in forms[receipt_id] if f in parts), None)
        if match is not None:
            finished.append((match[0], final_state))
            applied.append(receipt_id)
            messages.append(match[1])
    await queue.finish_parts(session, finished, now)
    await queue.mark_receipts_applied(session, applied, now)
    await queue.finish_messages(session, messages, now)
    return len(applied)
