"""Queries on the outbound queue: messages, their parts and delivery receipts.

Every state change is a conditional UPDATE (`… WHERE state = 'queued'`), so two workers, or a
worker and a late receipt, never both win; the caller acts only when a row was changed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, bindparam, delete, exists, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import BindParameter

from simgate.core.claims import Lease
from simgate.models.delivery import DeliveryReceipt, OutboundMessage, OutboundPart

LEASE = Lease(OutboundMessage.locked_until)

QUEUED, SUBMITTED, DELIVERED, UNDELIVERED, FAILED = (
    "queued",
    "submitted",
    "delivered",
    "undelivered",
    "failed",
)
PENDING = "pending"


@dataclass(frozen=True)
class Work:
    """A claimed message and the parts of it that the SMSC has not acknowledged yet."""

    message_id: int
    lease: str
    public_id: str
    sender: str
    phone: str
    text: str
    parts: int
    pending: tuple[int, ...]  # part numbers, 1-based


async def insert_message(session: AsyncSession, values: dict[str, Any], parts: int) -> int:
    result = await session.execute(
        insert(OutboundMessage).values(**values).returning(OutboundMessage.id)
    )
    message_id = int(result.scalar_one())
    await session.execute(
        insert(OutboundPart),
        [{"message_id": message_id, "seq": seq, "state": PENDING} for seq in range(1, parts + 1)],
    )
    return message_id


async def due_ids(session: AsyncSession, now: dt.datetime, limit: int) -> list[int]:
    stmt = (
        select(OutboundMessage.id)
        .where(
            OutboundMessage.state == QUEUED,
            OutboundMessage.next_attempt_at <= now,
            LEASE.free(now),
        )
        .order_by(OutboundMessage.next_attempt_at, OutboundMessage.id)
        .limit(limit)
    )
    return [int(i) for i in (await session.execute(stmt)).scalars()]


async def claim(
    session: AsyncSession, ids: Sequence[int], lease: str, now: dt.datetime, until: dt.datetime
) -> list[Work]:
    """Take the messages for `lease` (fresh per claim) unless another worker holds an
    unexpired claim; returns the ones taken, with their unacknowledged parts."""
    if not ids:
        return []
    await LEASE.take(
        session,
        ids,
        now,
        until,
        OutboundMessage.state == QUEUED,
        lease=lease,
        attempts=OutboundMessage.attempts + 1,
    )
    rows = (
        await session.execute(
            select(
                OutboundMessage.id,
                OutboundMessage.public_id,
                OutboundMessage.sender,
                OutboundMessage.phone,
                OutboundMessage.text,
                OutboundMessage.parts,
            )
            .where(OutboundMessage.id.in_(list(ids)), OutboundMessage.lease == lease)
            .order_by(OutboundMessage.id)
        )
    ).all()
    pending: dict[int, list[int]] = {int(r[0]): [] for r in rows}
    parts = await session.execute(
        select(OutboundPart.message_id, OutboundPart.seq)
        .where(OutboundPart.message_id.in_(list(pending)), OutboundPart.state == PENDING)
        .order_by(OutboundPart.message_id, OutboundPart.seq)
    )
    for message_id, seq in parts.all():
        pending[int(message_id)].append(int(seq))
    return [
        Work(int(r[0]), lease, r[1], r[2], r[3], r[4], int(r[5]), tuple(pending[int(r[0])]))
        for r in rows
    ]


# The statements of the acknowledgement path, built once: a batch of acknowledgements is
# recorded several times a second, and building and keying each statement anew cost more
# CPU than running it. They run on the connection (Core): none of these tables is one whose
# writes the session must mark (core.changes), and no ORM object is kept in sync with them.
_IDS: BindParameter[list[Any]] = bindparam("ids", expanding=True)
_MARK_PART_SUBMITTED = (
    update(OutboundPart)
    .where(
        OutboundPart.message_id == bindparam("m_id"),
        OutboundPart.seq == bindparam("m_seq"),
        OutboundPart.state == PENDING,
    )
    .values(state=SUBMITTED, smsc_message_id=bindparam("m_smsc"), submitted_at=bindparam("now"))
)
_MARK_SUBMITTED = (
    update(OutboundMessage)
    .where(
        OutboundMessage.id.in_(_IDS),
        OutboundMessage.state == QUEUED,
        ~exists().where(
            OutboundPart.message_id == OutboundMessage.id, OutboundPart.state == PENDING
        ),
    )
    .values(state=SUBMITTED, submitted_at=bindparam("now"), lease=None, locked_until=None)
    .returning(OutboundMessage.id, OutboundMessage.hold_id)
)
_EXTEND_CLAIMS = (
    update(OutboundMessage)
    .where(
        OutboundMessage.id.in_(_IDS),
        OutboundMessage.state == QUEUED,
        OutboundMessage.lease.is_not(None),
    )
    .values(locked_until=bindparam("until"))
)


async def mark_parts_submitted(
    session: AsyncSession, acks: Sequence[tuple[int, int, str]], now: dt.datetime
) -> None:
    """Record the SMSC's acknowledgements, (message_id, seq, smsc_message_id) each; a part
    recorded before keeps its first id (the conditional state makes a repeat a no-op)."""
    if not acks:
        return
    rows = [{"m_id": m, "m_seq": q, "m_smsc": smsc, "now": now} for m, q, smsc in acks]
    conn = await session.connection()
    await conn.execute(_MARK_PART_SUBMITTED, rows)


async def mark_submitted(
    session: AsyncSession, message_ids: Sequence[int], now: dt.datetime
) -> dict[int, int]:
    """queued -> submitted for the messages none of whose parts is pending: message id ->
    hold id, the holds to capture. The rest keep their claim, extended to `now` + the lease
    by the caller."""
    conn = await session.connection()
    result = await conn.execute(_MARK_SUBMITTED, {"ids": list(message_ids), "now": now})
    return {int(m): int(h) for m, h in result.all()}


async def extend_claims(
    session: AsyncSession, message_ids: Sequence[int], until: dt.datetime
) -> None:
    if not message_ids:
        return
    conn = await session.connection()
    await conn.execute(_EXTEND_CLAIMS, {"ids": list(message_ids), "until": until})


async def retry_later(
    session: AsyncSession, message_id: int, lease: str, at: dt.datetime, error: str
) -> bool:
    """Give the claim back after a transient failure; the message is due again at `at`."""
    result = await session.execute(
        update(OutboundMessage)
        .where(
            OutboundMessage.id == message_id,
            OutboundMessage.lease == lease,
            OutboundMessage.state == QUEUED,
        )
        .values(lease=None, locked_until=None, next_attempt_at=at, last_error=error[:255])
    )
    return bool(getattr(result, "rowcount", 0))


async def attempts_of(session: AsyncSession, message_id: int) -> int:
    stmt = select(OutboundMessage.attempts).where(OutboundMessage.id == message_id)
    return int((await session.execute(stmt)).scalar_one())


async def mark_failed(
    session: AsyncSession, message_id: int, now: dt.datetime, error: str
) -> int | None:
    """queued -> failed; the hold id to release, or None when the message had moved on."""
    result = await session.execute(
        update(OutboundMessage)
        .where(OutboundMessage.id == message_id, OutboundMessage.state == QUEUED)
        .values(
            state=FAILED, finished_at=now, lease=None, locked_until=None, last_error=error[:255]
        )
    )
    if not getattr(result, "rowcount", 0):
        return None
    return await hold_of(session, message_id)


async def hold_of(session: AsyncSession, message_id: int) -> int:
    stmt = select(OutboundMessage.hold_id).where(OutboundMessage.id == message_id)
    return int((await session.execute(stmt)).scalar_one())


async def expired_ids(
    session: AsyncSession, created_before: dt.datetime, now: dt.datetime, limit: int
) -> list[int]:
    """Queued messages past their time to live that no worker is submitting right now."""
    stmt = (
        select(OutboundMessage.id)
        .where(
            OutboundMessage.state == QUEUED,
            OutboundMessage.created_at < created_before,
            LEASE.free(now),
        )
        .limit(limit)
    )
    return [int(i) for i in (await session.execute(stmt)).scalars()]


async def purge_stale_receipts(session: AsyncSession, received_before: dt.datetime) -> int:
    """Receipts that never matched a part of ours (another system's ids, or very late)."""
    result = await session.execute(
        delete(DeliveryReceipt).where(
            DeliveryReceipt.applied_at.is_(None), DeliveryReceipt.received_at < received_before
        )
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def add_receipts(
    session: AsyncSession, receipts: Sequence[tuple[str, str, str]], now: dt.datetime
) -> None:
    """Store final receipts, (smsc_message_id, stat, final_state) each."""
    if receipts:
        await session.execute(
            insert(DeliveryReceipt),
            [
                {"smsc_message_id": i, "stat": s, "final_state": f, "received_at": now}
                for i, s, f in receipts
            ],
        )


_UNAPPLIED = select(
    DeliveryReceipt.id, DeliveryReceipt.smsc_message_id, DeliveryReceipt.final_state
).where(DeliveryReceipt.applied_at.is_(None))
# Run for every batch of acknowledgements (a receipt may have come first): built once.
_UNAPPLIED_OF = (
    _UNAPPLIED.where(DeliveryReceipt.smsc_message_id.in_(_IDS))
    .order_by(DeliveryReceipt.id)
    .limit(bindparam("limit"))
)


async def unapplied_receipts(
    session: AsyncSession, ids: Sequence[str] | None, limit: int = 1000
) -> Sequence[tuple[int, str, str]]:
    """(receipt id, smsc id, final state) not yet matched to a part: for `ids`, or all."""
    conn = await session.connection()
    if ids is None:
        rows = await conn.execute(_UNAPPLIED.order_by(DeliveryReceipt.id).limit(limit))
    elif not ids:
        return []
    else:
        rows = await conn.execute(_UNAPPLIED_OF, {"ids": list(ids), "limit": limit})
    return [(int(r), str(i), str(f)) for r, i, f in rows.all()]


async def submitted_parts(
    session: AsyncSession, smsc_ids: Sequence[str]
) -> dict[str, tuple[int, int]]:
    """smsc id -> (part id, message id) of parts still awaiting their receipt."""
    if not smsc_ids:
        return {}
    rows = await session.execute(
        select(OutboundPart.smsc_message_id, OutboundPart.id, OutboundPart.message_id).where(
            OutboundPart.smsc_message_id.in_(list(smsc_ids)), OutboundPart.state == SUBMITTED
        )
    )
    return {str(s): (int(p), int(m)) for s, p, m in rows.all()}


async def finish_parts(
    session: AsyncSession, finished: Sequence[tuple[int, str]], now: dt.datetime
) -> None:
    """submitted -> delivered/undelivered, (part id, final state) each."""
    if finished:
        conn = await session.connection()
        await conn.execute(
            update(OutboundPart)
            .where(OutboundPart.id == bindparam("p_id"), OutboundPart.state == SUBMITTED)
            .values(state=bindparam("p_state"), done_at=now),
            [{"p_id": p, "p_state": state} for p, state in finished],
        )


async def mark_receipts_applied(
    session: AsyncSession, receipt_ids: Sequence[int], now: dt.datetime
) -> None:
    if receipt_ids:
        await session.execute(
            update(DeliveryReceipt)
            .where(DeliveryReceipt.id.in_(list(receipt_ids)))
            .values(applied_at=now)
            .execution_options(synchronize_session=False)
        )


async def finish_messages(
    session: AsyncSession, message_ids: Sequence[int], now: dt.datetime
) -> None:
    """A submitted message is delivered once every part is, undelivered once any part is and
    no part still awaits its receipt."""
    if not message_ids:
        return
    ids = list(message_ids)

    def parts_in(*states: str) -> Any:
        return exists().where(
            OutboundPart.message_id == OutboundMessage.id, OutboundPart.state.in_(states)
        )

    submitted = (OutboundMessage.id.in_(ids), OutboundMessage.state == SUBMITTED)
    await session.execute(
        update(OutboundMessage)
        .where(*submitted, ~parts_in(PENDING, SUBMITTED, UNDELIVERED))
        .values(state=DELIVERED, finished_at=now)
        .execution_options(synchronize_session=False)
    )
    await session.execute(
        update(OutboundMessage)
        .where(*submitted, parts_in(UNDELIVERED), ~parts_in(PENDING, SUBMITTED))
        .values(state=UNDELIVERED, finished_at=now)
        .execution_options(synchronize_session=False)
    )


async def states_by_public_id(
    session: AsyncSession, account_id: int, public_ids: Sequence[str]
) -> dict[str, str]:
    stmt = select(OutboundMessage.public_id, OutboundMessage.state).where(
        and_(OutboundMessage.account_id == account_id, OutboundMessage.public_id.in_(public_ids))
    )
    return {str(p): str(s) for p, s in (await session.execute(stmt)).all()}


async def count_by_state(session: AsyncSession) -> dict[str, int]:
    stmt = select(OutboundMessage.state, func.count()).group_by(OutboundMessage.state)
    return {str(s): int(n) for s, n in (await session.execute(stmt)).all()}


async def queued_messages(session: AsyncSession) -> int:
    """Outbound messages waiting to be handed to the SMSC."""
    query = select(func.count()).select_from(OutboundMessage).where(OutboundMessage.state == QUEUED)
    return int((await session.execute(query)).scalar_one())


async def sent_page(
    session: AsyncSession, account_id: int, before_id: int | None, limit: int
) -> list[OutboundMessage]:
    """The account's messages, newest first, older than `before_id` (keyset paging on
    ix_delivery_messages_account_id_desc, so a late page costs what the first does)."""
    stmt = select(OutboundMessage).where(OutboundMessage.account_id == account_id)
    if before_id is not None:
        stmt = stmt.where(OutboundMessage.id < before_id)
    stmt = stmt.order_by(OutboundMessage.account_id.desc(), OutboundMessage.id.desc())
    return list((await session.execute(stmt.limit(limit))).scalars())


async def owned_message(
    session: AsyncSession, account_id: int, message_id: int
) -> OutboundMessage | None:
    """One of the account's messages; None for another account's or an unknown id."""
    stmt = select(OutboundMessage).where(
        OutboundMessage.id == message_id, OutboundMessage.account_id == account_id
    )
    return (await session.execute(stmt)).scalar_one_or_none()
