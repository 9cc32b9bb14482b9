"""Whole reads the console shows: one account in full, the ledger check."""

from __future__ import annotations

from dataclasses import dataclass

from simgate.accounts import service as accounts
from simgate.activations import history
from simgate.audit import service as audit
from simgate.audit.service import Actor
from simgate.core.db import Database
from simgate.core.deps import Deps
from simgate.ledger import repository as ledger_repo
from simgate.ledger import service as ledger
from simgate.models import Account, LedgerEntry

RENTALS_SHOWN = 20


@dataclass(frozen=True)
class AccountRecord:
    account: Account
    balance: ledger.BalanceView
    rentals: list[history.RentalLine]  # newest first
    entries: list[LedgerEntry]  # a page, newest first
    next_before: int | None  # the `before` of the next page of entries; None: last page


async def find_accounts(db: Database, name_part: str, limit: int) -> list[accounts.AccountLine]:
    """Accounts whose name contains `name_part` (any case), by name, with their balance."""
    async with db.read() as session:
        return await accounts.listing(session, name_part=name_part, limit=limit)


async def account_record(
    db: Database, name: str, before_id: int | None, page_size: int
) -> AccountRecord:
    """An account with its balance, newest rentals and a page of its ledger entries
    (AccountNotFound)."""
    async with db.read() as session:
        account = await accounts.get(session, name)
        balance = await ledger.balance(session, account.id)
        rentals = await history.rentals(session, account=name, limit=RENTALS_SHOWN)
        entries = await ledger_repo.entries_page(session, account.id, before_id, page_size + 1)
    more = len(entries) > page_size
    entries = entries[:page_size]
    return AccountRecord(account, balance, rentals, entries, entries[-1].id if more else None)


async def check_ledger(deps: Deps, actor: Actor) -> list[ledger.Violation]:
    """`simgate ledger check`'s own check, run for an operator (and recorded)."""
    async with deps.db.transaction() as session:
        problems = await ledger.check(session)
        await audit.record(
            session, actor, "ledger.check", "ledger", deps.clock.now(), problems=len(problems)
        )
    return problems
