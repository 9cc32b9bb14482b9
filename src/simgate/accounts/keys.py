"""An account's own API keys, as the web cabinet manages them: each call is a whole
transaction, so a page asks and never holds a session."""

from __future__ import annotations

from simgate.accounts import repository as repo
from simgate.accounts import service as accounts
from simgate.core.deps import Deps
from simgate.models import ApiKey


async def live_keys(deps: Deps, account_id: int) -> list[ApiKey]:
    """The account's keys that still work (their rows: only the prefix is worth showing)."""
    async with deps.db.read() as session:
        return await repo.keys_of(session, account_id)


async def create_key(deps: Deps, account_id: int) -> str:
    """A new key; the caller shows it once, it cannot be read back later."""
    async with deps.db.transaction() as session:
        return await accounts.issue_key(session, deps.settings, account_id, deps.clock.now())


async def revoke_key(deps: Deps, account_id: int, key_id: int) -> bool:
    """Revoke one of the account's keys; False when no such live key is theirs."""
    async with deps.db.transaction() as session:
        return await repo.revoke_key(session, account_id, key_id, deps.clock.now())
