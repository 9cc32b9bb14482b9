"""Incoming SMS (PUSH_SMS): stored once per (agent, smsId), matched to the open activation."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from simgate.activations import repository as repo
from simgate.activations.lifecycle import apply
from simgate.activations.states import Event
from simgate.catalog.rules import extract_code, sms_matches
from simgate.core.db import insert_ignore, lock_key
from simgate.models import Activation, InboundSms, Service

# What the agent is told; everything but SUCCESS is final for it (PROTOCOL-NOTES A).
ACCEPTED = "SUCCESS"
NO_OPERATION = "NO_OPERATION"
IGNORED = "IGNORED"
UNKNOWN_AGENT = "WRONG_KEY"  # the push key is no supplier's: nothing was stored


@dataclass(frozen=True)
class PushedSms:
    supplier_id: int
    sms_id: int
    phone: str
    sender: str
    text: str


def phone_lock(supplier_id: int, phone: str) -> str:
    return f"phone:{supplier_id}:{phone}"


async def receive(session: AsyncSession, sms: PushedSms, now: dt.datetime) -> str:
    """Store and match one pushed SMS; a repeat returns the first answer and changes nothing."""
    await lock_key(session, phone_lock(sms.supplier_id, sms.phone))
    inserted = await insert_ignore(
        session,
        InboundSms.__table__,  # type: ignore[arg-type]
        {
            "supplier_id": sms.supplier_id,
            "agent_sms_id": sms.sms_id,
            "phone": sms.phone,
            "sender": sms.sender[:64],
            "text": sms.text,
            "code": extract_code(sms.text),
            "received_at": now,
            "outcome": NO_OPERATION,
            "shown": False,
        },
        ["supplier_id", "agent_sms_id"],
    )
    stored = (
        await session.execute(
            select(InboundSms).where(
                InboundSms.supplier_id == sms.supplier_id, InboundSms.agent_sms_id == sms.sms_id
            )
        )
    ).scalar_one()
    if not inserted:
        return stored.outcome
    activation = await repo.lock_open_on_phone(session, sms.supplier_id, sms.phone)
    if activation is None:
        return NO_OPERATION
    return await _attach(session, activation, stored, now)


async def adopt_early_sms(session: AsyncSession, activation: Activation, now: dt.datetime) -> None:
    """SMS pushed between the agent's GET_NUMBER reply and our commit belong to this rental.

    The caller holds the number's phone lock (taken before the rental's row, the order
    `receive` takes them in), so no push of this number slips in between."""
    assert activation.supplier_id is not None and activation.phone is not None
    since = activation.number_requested_at or activation.created_at
    for sms in await repo.unmatched_since(session, activation.supplier_id, activation.phone, since):
        await _attach(session, activation, sms, now)


async def _attach(
    session: AsyncSession, activation: Activation, sms: InboundSms, now: dt.datetime
) -> str:
    service = await session.get(Service, activation.service_id)
    assert service is not None
    belongs = sms_matches(
        takes_all=service.takes_all,
        senders=service.senders,
        text_patterns=service.text_patterns,
        sender_filter=activation.sender_filter,
        phone_from=sms.sender,
        text=sms.text,
    )
    if not belongs:
        await _set_outcome(session, sms.id, IGNORED)
        return IGNORED
    # The SMS joins the rental only if the rental takes it: an SMS shown on a rental that was
    # closed unpaid would be a code given away.
    if not await apply(session, activation, Event.SMS, now):
        return NO_OPERATION
    seq = await repo.last_seq(session, activation.id) + 1
    await session.execute(
        update(InboundSms)
        .where(InboundSms.id == sms.id)
        .values(activation_id=activation.id, seq=seq, outcome=ACCEPTED)
    )
    return ACCEPTED


async def _set_outcome(session: AsyncSession, sms_id: int, outcome: str) -> None:
    await session.execute(update(InboundSms).where(InboundSms.id == sms_id).values(outcome=outcome))
