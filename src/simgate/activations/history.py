"""Operators' reads over every account's rentals: listings and one rental in full.

Queries of their own live here rather than in `activations.repository`: these reads join
accounts, suppliers and the ledger, which the buyer-facing queries never need.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from simgate.accounts import service as accounts
from simgate.activations.errors import ActivationNotFound
from simgate.activations.states import State
from simgate.core import validate
from simgate.core.errors import InvalidInput
from simgate.ledger import service as ledger
from simgate.models import Account, Activation, InboundSms, LedgerEntry, Service, Supplier

LIST_MAX = 10_000


@dataclass(frozen=True)
class RentalLine:
    """One rental as an operator's listing shows it."""

    activation: Activation
    account: str
    service: str
    supplier: str | None


@dataclass(frozen=True)
class RentalRecord:
    """One rental with everything that happened to it."""

    line: RentalLine
    messages: list[InboundSms]
    entries: list[LedgerEntry]


def _lines() -> Select[Activation, str, str, str]:
    """Rentals with the names an operator reads them by: account, service, supplier."""
    return (
        select(Activation, Account.name, Service.slug, Supplier.name)
        .join(Account, Account.id == Activation.account_id)
        .join(Service, Service.id == Activation.service_id)
        .join(Supplier, Supplier.id == Activation.supplier_id, isouter=True)
    )


def _state(state: str) -> State:
    try:
        return State(state.strip().lower())
    except ValueError:
        known = ", ".join(s.value for s in State)
        raise InvalidInput(f"unknown state {validate.shown(state)}; one of {known}") from None


async def rentals(
    session: AsyncSession,
    *,
    account: str | None = None,
    state: str | None = None,
    limit: int = 50,
) -> list[RentalLine]:
    """The newest rentals, of one account and in one state when asked (AccountNotFound for an
    unknown name, InvalidInput for an unknown state)."""
    validate.integer(limit, "limit", minimum=1, maximum=LIST_MAX)
    stmt = _lines().order_by(Activation.id.desc()).limit(limit)
    if account is not None:
        stmt = stmt.where(Activation.account_id == (await accounts.get(session, account)).id)
    if state is not None:
        stmt = stmt.where(Activation.state == _state(state).value)
    rows = await session.execute(stmt)
    return [RentalLine(a, str(who), str(what), by) for a, who, what, by in rows]


async def rental(session: AsyncSession, tzid: int) -> RentalRecord:
    """One rental of any account with its SMS and ledger entries (ActivationNotFound)."""
    validate.row_id(tzid, "activation id")
    stmt = _lines().where(Activation.id == tzid)
    row = (await session.execute(stmt)).one_or_none()
    if row is None:
        raise ActivationNotFound(f"no activation {tzid}")
    activation, who, what, by = row
    messages = await session.execute(
        select(InboundSms).where(InboundSms.activation_id == tzid).order_by(InboundSms.id)
    )
    entries = (
        [] if activation.hold_id is None else await ledger.hold_entries(session, activation.hold_id)
    )
    return RentalRecord(
        RentalLine(activation, str(who), str(what), by), list(messages.scalars()), entries
    )
