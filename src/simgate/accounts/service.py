"""Account use cases. Callers own the transaction."""

from __future__ import annotations

import datetime as dt
import hmac
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from simgate.accounts import repository as repo
from simgate.accounts.errors import (
    AccountBlocked,
    AccountExists,
    AccountNotFound,
    ApiAccessDisabled,
    UnknownKey,
)
from simgate.accounts.key_secret import derive_key, server_secret
from simgate.core import validate
from simgate.core.db import Database
from simgate.core.ids import hash_api_key
from simgate.core.settings import Settings
from simgate.ledger import service as ledger
from simgate.models import Account

NAME_MAX_LENGTH = 64  # accounts.name


@dataclass(frozen=True)
class NewAccount:
    account: Account
    api_key: str  # shown once; only its hash is stored


async def create(
    session: AsyncSession,
    settings: Settings,
    name: str,
    now: dt.datetime,
    *,
    balance: int = 0,
    email: str | None = None,
    is_operator: bool = False,
) -> NewAccount:
    """Create an account with a fresh API key and an optional opening deposit."""
    validate.text(name, "account name", max_length=NAME_MAX_LENGTH)
    validate.amount(balance, "opening balance")
    if await repo.by_name(session, name) is not None:
        raise AccountExists(f"account {name!r} already exists")
    account = Account(
        name=name,
        email=email,
        is_operator=is_operator,
        blocked=False,
        api_access=True,
        max_concurrent=settings.default_max_concurrent,
        max_getnum_per_minute=settings.default_max_getnum_per_minute,
        max_parallel_getnum=settings.default_max_parallel_getnum,
        created_at=now,
    )
    session.add(account)
    await session.flush()
    await ledger.open_account(session, account.id)
    if balance:
        await ledger.deposit(session, account.id, balance, now, reference="opening balance")
    key = await issue_key(session, settings, account.id, now)
    return NewAccount(account, key)


def set_limits(
    account: Account,
    *,
    max_concurrent: int | None = None,
    max_getnum_per_minute: int | None = None,
    max_parallel_getnum: int | None = None,
    blocked: bool | None = None,
    api_access: bool | None = None,
) -> None:
    """Change an account's limits and flags; None leaves a value as it is."""
    limits = {
        ("max_concurrent", "open activations"): max_concurrent,
        ("max_getnum_per_minute", "getNum per minute"): max_getnum_per_minute,
        ("max_parallel_getnum", "parallel getNum"): max_parallel_getnum,
    }
    for (field, what), value in limits.items():
        if value is not None:
            setattr(account, field, validate.integer(value, what))
    if blocked is not None:
        account.blocked = blocked
    if api_access is not None:
        account.api_access = api_access


def set_operator(account: Account, operator: bool) -> None:
    """Let the account open the operator console, or not (its open sessions follow at once:
    every console page reads the flag)."""
    account.is_operator = operator


async def issue_key(
    session: AsyncSession, settings: Settings, account_id: int, now: dt.datetime
) -> str:
    """A new API key for the account (the previous ones stay valid). It is derived from the
    server secret and the key's row id, so the delivery-api can recompute it to check a
    signature; the row stores only its hash."""
    row = await repo.add_key(session, account_id, now)
    key = derive_key(server_secret(settings), account_id, row.id)
    row.key_hash, row.prefix = hash_api_key(key), key[:6]
    await session.flush()
    return key


async def rotate_key(
    session: AsyncSession, settings: Settings, account_id: int, now: dt.datetime
) -> str:
    """Revoke every key of the account and issue a new one."""
    await repo.revoke_keys(session, account_id, now)
    return await issue_key(session, settings, account_id, now)


async def signing_keys(session: AsyncSession, settings: Settings, account_id: int) -> list[str]:
    """The account's live API keys in clear, for the delivery-api's md5 signatures. A revoked
    key is not among them, nor a random key issued before keys were derived (its hash does
    not match the recomputed key): such a key opens the buyer API only."""
    secret = server_secret(settings)
    keys = []
    for key_id, key_hash in await repo.live_keys(session, account_id):
        key = derive_key(secret, account_id, key_id)
        if hmac.compare_digest(hash_api_key(key), key_hash):
            keys.append(key)
    return keys


async def find(session: AsyncSession, name: str) -> Account | None:
    """The account called `name`, or None."""
    return await repo.by_name(session, name)


async def get(session: AsyncSession, name: str) -> Account:
    """The account called `name`."""
    account = await repo.by_name(session, name)
    if account is None:
        raise AccountNotFound(f"no account {validate.shown(name)}")
    return account


@dataclass(frozen=True)
class AccountLine:
    """One row of an operator's account listing."""

    account: Account
    available: int
    held: int


LISTING_MAX = 10_000


async def listing(
    session: AsyncSession,
    *,
    name_part: str = "",
    blocked: bool | None = None,
    is_operator: bool | None = None,
    api_access: bool | None = None,
    limit: int = 100,
) -> list[AccountLine]:
    """Accounts whose name contains `name_part`, with their balance; None: any flag value."""
    validate.integer(limit, "limit", minimum=1, maximum=LISTING_MAX)
    rows = await repo.listing(
        session,
        name_part=name_part,
        blocked=blocked,
        is_operator=is_operator,
        api_access=api_access,
        limit=limit,
    )
    return [AccountLine(account, available, held) for account, available, held in rows]


async def authenticate(session: AsyncSession, api_key: str) -> Account:
    """The account owning an API key, refusing blocked accounts and disabled API access."""
    account = await repo.by_key_hash(session, hash_api_key(api_key))
    if account is None:
        raise UnknownKey("unknown API key")
    check_access(account)
    return account


async def authenticate_key(db: Database, api_key: str) -> Account:
    """`authenticate` as a whole read, for an entry point that holds no session."""
    async with db.read() as session:
        return await authenticate(session, api_key)


async def read_account(db: Database, account_id: int) -> Account:
    """The account by id, as a whole read (AccountNotFound when there is none)."""
    async with db.read() as session:
        account = await session.get(Account, account_id)
    if account is None:
        raise AccountNotFound(f"no account {account_id}")
    return account


def check_access(account: Account) -> None:
    """Refuse blocked accounts and accounts without API access."""
    if account.blocked:
        raise AccountBlocked(f"account {account.name} is blocked")
    if not account.api_access:
        raise ApiAccessDisabled(f"account {account.name} has no API access")
