"""Apply a transition together with what it owes: money moves and the agent's FINISH."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from simgate.activations import repository as repo
from simgate.activations.states import (
    EFFECTS,
    FINAL_STATES,
    Event,
    State,
    finish_status,
    next_state,
)
from simgate.core import metrics
from simgate.core.db import mark_account_changed
from simgate.ledger import service as ledger
from simgate.models import Activation
from simgate.outbox import repository as outbox

FINISH_KIND = "finish_activation"


async def apply(
    session: AsyncSession, activation: Activation, event: Event, now: dt.datetime, **values: Any
) -> bool:
    """Move `activation` by `event`; False (nothing done) when its state changed under us."""
    current = State(activation.state)
    new = next_state(current, event)
    if new in FINAL_STATES:
        values["finished_at"] = now
    if not await repo.set_state(session, activation.id, current, new, **values):
        return False
    # Written already: set as loaded, not as changes the session would flush once more.
    for name, value in {**values, "state": new.value}.items():
        set_committed_value(activation, name, value)
    await _applied(session, activation, event, now)
    return True


async def apply_to(
    session: AsyncSession,
    activation_id: int,
    expected: State,
    event: Event,
    now: dt.datetime,
    **values: Any,
) -> Activation | None:
    """`apply` without reading the row first: one compare-and-set UPDATE … RETURNING from
    `expected`, which also takes the row lock. The activation, or None when it was not in
    `expected` (closed or expired meanwhile)."""
    new = next_state(expected, event)
    if new in FINAL_STATES:
        values["finished_at"] = now
    activation = await repo.set_state_returning(session, activation_id, expected, new, **values)
    if activation is not None:
        await _applied(session, activation, event, now)
    return activation


async def _applied(
    session: AsyncSession, activation: Activation, event: Event, now: dt.datetime
) -> None:
    """What a transition that applied owes: listeners told, money moved, FINISH queued."""
    mark_account_changed(session, activation.account_id)
    if State(activation.state) in FINAL_STATES:
        # Counted when applied; the rare transaction that rolls back afterwards still counts.
        metrics.current().rentals.labels(activation.state).inc()
    await _settle_money(session, activation, event, now)
    status = finish_status(event, activation.banned)
    if status is not None and activation.supplier_id and activation.agent_activation_id:
        await enqueue_finish(
            session,
            activation.supplier_id,
            activation.agent_activation_id,
            status,
            now,
            dedupe=f"finish:{activation.id}:{status}",
        )


async def enqueue_finish(
    session: AsyncSession,
    supplier_id: int,
    agent_activation_id: int,
    status: int,
    now: dt.datetime,
    *,
    dedupe: str,
) -> None:
    """Owe the agent a FINISH_ACTIVATION, sent by the worker until it answers SUCCESS."""
    await outbox.enqueue(
        session,
        FINISH_KIND,
        dedupe,
        {"activationId": agent_activation_id, "status": status},
        now,
        supplier_id=supplier_id,
    )


async def _settle_money(
    session: AsyncSession, activation: Activation, event: Event, now: dt.datetime
) -> None:
    money = EFFECTS[event].money
    if money is None or activation.hold_id is None:
        return
    if money == "capture":
        await ledger.capture(session, activation.hold_id, now)
    elif money == "release":
        await ledger.release(session, activation.hold_id, now)
    elif money == "refund" and not await ledger.release(session, activation.hold_id, now):
        # Already captured: give the money back explicitly.
        await ledger.refund_capture(
            session, activation.account_id, activation.price, now, reference=f"tzid {activation.id}"
        )
