"""Workflows that span more than one transaction. Each step's transaction is opened here,
at the entry-point level; the steps themselves only flush."""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy.exc import SQLAlchemyError

from simgate.activations import assign, intake, rent, service
from simgate.activations import repository as repo
from simgate.activations.errors import NoNumber, NoSuppliers
from simgate.activations.forms import RentalForm
from simgate.core.clock import Clock
from simgate.core.db import Database, commit_without_waiting_for_disk
from simgate.core.settings import Settings
from simgate.models import Account, Activation
from simgate.suppliers import service as suppliers
from simgate.suppliers.client import AgentClient

log = logging.getLogger(__name__)


async def rent_number(
    db: Database,
    agents: AgentClient,
    settings: Settings,
    clock: Clock,
    account: Account,
    request: rent.RentRequest,
    *,
    repeat_supplier_id: int | None = None,
) -> Activation:
    """getNum: hold and record (tx 1), ask agents (no tx), record the answer (tx 2).

    Deferred requests return after tx 1 pending; the worker asks agents later.
    Raises NoNumber (hold released) when no agent had a number, NoSuppliers (hold released)
    when every agent asked failed by its own fault.
    """
    rent.check_reject(request.reject)
    found = await rent.resolve(db, request)
    async with db.transaction() as session:
        plan = await rent.begin(
            session,
            settings,
            account,
            request,
            found,
            clock.now(),
            repeat_supplier_id=repeat_supplier_id,
        )
        if request.form == RentalForm.DEFERRED:
            activation = await repo.get(session, plan.activation_id)
            assert activation is not None
            return activation
    outcome = await assign.ask_agents(agents, plan, db)
    activation = await _record(db, settings, clock, plan, outcome)
    if activation is None:
        if outcome.agents_down:
            raise NoSuppliers("every agent asked failed to answer")
        raise NoNumber("no agent handed out a number")
    return activation


async def serve_deferred(
    db: Database, agents: AgentClient, settings: Settings, clock: Clock, activation_id: int
) -> bool:
    """Ask agents for a number for one deferred activation; True when it got one."""
    async with db.transaction() as session:
        now = clock.now()
        until = now + dt.timedelta(seconds=settings.getnum_inflight_seconds)
        if not await repo.claim_request(session, activation_id, now, until):
            return False
        plan = await rent.plan_deferred(session, settings, activation_id, now)
    outcome = await assign.ask_agents(agents, plan, db)
    return await _record(db, settings, clock, plan, outcome) is not None


async def _record(
    db: Database, settings: Settings, clock: Clock, plan: rent.Plan, outcome: assign.Outcome
) -> Activation | None:
    """Record the agents' answers on the rental (tx 2), then on the agents.

    On PostgreSQL the agents' health and stock are written in a short transaction of their
    own, after tx 2 has committed: every rental would otherwise hold its money rows while
    queueing for the one supplier row and stock row all rentals share, and a transaction
    holding both kinds is one a differently ordered path can deadlock with (core/db.py,
    LOCK ORDER). Each write there is one relative UPDATE, so no count is read and written
    back. The stock count is a hint between polls: should that transaction fail, the rental
    stands and the next poll corrects the count. Not counted in memory and flushed later
    instead: each hub process and worker would keep its own part of the count, a flush after
    a poll would take from a count the poll had already made true, and a crash would lose it.
    On SQLite they go in tx 2 itself: the whole database is one write lock, with no rows to
    wait on, and a third transaction would only queue for that lock once more.
    """
    now = clock.now()
    notes = assign.agent_notes(plan, outcome, now)
    async with db.transaction() as session:
        activation = await assign.record(session, settings, plan, outcome, now)
        if db.is_sqlite:
            await suppliers.note_answers(session, notes, now)
    if notes and not db.is_sqlite:
        try:
            async with db.transaction() as session:
                # A hint a crash may lose: the stock row's lock is held for no disk flush.
                await commit_without_waiting_for_disk(session)
                await suppliers.note_answers(session, notes, now)
        except SQLAlchemyError:
            log.warning("agents' health and stock after a rental not written", exc_info=True)
    return activation


async def confirm(
    db: Database, clock: Clock, account_id: int, tzid: int, *, ban: bool = False
) -> Activation:
    """Close a rental for its buyer: sold if any SMS came, refunded if none (idempotent)."""
    async with db.transaction() as session:
        return await service.confirm(session, account_id, tzid, clock.now(), ban=ban)


async def cancel(db: Database, clock: Clock, account_id: int, tzid: int) -> Activation:
    """Cancel a rental that received no SMS, refunded in full; CodeReceived once one came."""
    async with db.transaction() as session:
        return await service.cancel(session, account_id, tzid, clock.now())


async def revise(db: Database, clock: Clock, account_id: int, tzid: int) -> Activation:
    """The buyer's code was wrong: wait for the next SMS on the same rental."""
    async with db.transaction() as session:
        return await service.revise(session, account_id, tzid, clock.now())


async def receive_push(db: Database, clock: Clock, key: str, sms: intake.PushedSms) -> str:
    """PUSH_SMS: store the SMS of the agent whose push key this is, in one transaction that
    has committed when this returns. The intake's outcome, or UNKNOWN_AGENT."""
    async with db.transaction() as session:
        supplier = await suppliers.by_push_key(session, key)
        if supplier is None:
            return intake.UNKNOWN_AGENT
        own = intake.PushedSms(supplier.id, sms.sms_id, sms.phone, sms.sender, sms.text)
        return await intake.receive(session, own, clock.now())
