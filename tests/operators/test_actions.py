"""Operator actions: each writes its audit row with it, a form sent twice acts once, and an
action that fails leaves no row."""

from __future__ import annotations

import asyncio
import json

import pytest

from simgate.accounts import service as accounts
from simgate.audit import service as audit
from simgate.audit.service import Actor
from simgate.core.clock import FrozenClock
from simgate.core.db import Database
from simgate.core.deps import Deps
from simgate.core.errors import InvalidInput
from simgate.core.settings import Settings
from simgate.ledger import service as ledger
from simgate.operators import actions


@pytest.fixture
async def deps(db: Database, settings: Settings, clock: FrozenClock) -> Deps:
    async with db.transaction() as session:
        await accounts.create(session, settings, "boss", clock.now(), is_operator=True)
        await accounts.create(session, settings, "bob", clock.now(), balance=10_00)
    return Deps(db, clock, settings)


async def available(deps: Deps, name: str) -> int:
    async with deps.db.read() as session:
        return (await ledger.balance(session, (await accounts.get(session, name)).id)).available


async def test_a_form_sent_twice_credits_once(deps: Deps) -> None:
    boss = Actor(1, "boss", request_key="form-1")
    results = await asyncio.gather(
        actions.credit(deps, boss, "bob", 5_00, "bonus"),
        actions.credit(deps, boss, "bob", 5_00, "bonus"),
    )
    assert sorted(results) == [False, True]
    assert await available(deps, "bob") == 15_00
    # Another form (another key) is another credit.
    assert await actions.credit(deps, Actor(1, "boss", "form-2"), "bob", 1_00, "bonus")
    assert await available(deps, "bob") == 16_00
    events = await audit.read_page(deps.db, None, 10)
    assert [(e.actor, e.action, e.subject) for e in events] == [
        ("boss", "account.credit", "bob")
    ] * 2
    assert json.loads(events[-1].details) == {"amount": 5_00, "reason": "bonus"}


async def test_a_refused_action_leaves_no_audit_row(deps: Deps) -> None:
    boss = Actor(1, "boss", request_key="form-3")
    with pytest.raises(ledger.InsufficientFunds):
        await actions.debit(deps, boss, "bob", 11_00, "too much")
    with pytest.raises(InvalidInput):
        await actions.credit(deps, boss, "bob", 1_00, "")  # a credit needs a reason
    assert await available(deps, "bob") == 10_00
    assert await audit.read_page(deps.db, None, 10) == []
    # The key of the refused form is still free: the corrected form goes through.
    assert await actions.debit(deps, boss, "bob", 4_00, "correction")
    assert await available(deps, "bob") == 6_00


async def test_flags_and_audit_paging(deps: Deps) -> None:
    cli = Actor.cli()
    assert await actions.set_flags(deps, cli, "bob", blocked=True, operator=True)
    assert not await actions.set_flags(deps, cli, "bob")  # nothing asked: nothing recorded
    async with deps.db.read() as session:
        bob = await accounts.get(session, "bob")
    assert bob.blocked and bob.is_operator and bob.api_access
    for n in range(5):
        await actions.set_flags(deps, cli, "bob", api_access=n % 2 == 0)
    first = await audit.read_page(deps.db, None, 4)
    rest = await audit.read_page(deps.db, first[-1].id, 4)
    assert [e.id for e in first + rest] == sorted((e.id for e in first + rest), reverse=True)
    assert len(first + rest) == 6 and rest[-1].action == "account.set"
    assert json.loads(rest[-1].details) == {"blocked": True, "operator": True}
    assert {e.actor for e in first + rest} == {"cli"} and rest[-1].actor_account_id is None
