"""Issue 9 §3: the delivery-api verifies md5 signatures made with the account's API key, as the
spec says, while the database holds only hashes of keys. Keys are derived from a server secret
kept outside the database; revoked keys and keys from before derivation sign nothing."""

from __future__ import annotations

import stat
from dataclasses import replace

import pytest
from pydantic import SecretStr
from sqlalchemy import select, update

from simgate.accounts import key_secret
from simgate.accounts import service as accounts
from simgate.core.clock import FrozenClock
from simgate.core.ids import hash_api_key, new_api_key
from simgate.core.settings import Settings
from simgate.delivery import admin
from simgate.hub.context import HubContext
from simgate.models import ApiKey
from tests.delivery.conftest import SENDER, Customer, DeliveryClient

PHONE = "79087156685"


async def keyed_customer(ctx: HubContext, name: str = "bob") -> tuple[Customer, str]:
    """An account with an API key and no separate delivery secret."""
    async with ctx.db.transaction() as session:
        now = ctx.clock.now()
        created = await accounts.create(session, ctx.settings, name, now, balance=10_000)
        await admin.decide_sender(session, created.account.id, SENDER, "completed", now)
    return Customer(name, created.account.id, created.api_key), created.api_key


async def test_a_client_signing_with_its_api_key_gets_balance_and_sends(
    api: DeliveryClient, ctx: HubContext, clock: FrozenClock
) -> None:
    customer, key = await keyed_customer(ctx)
    client = DeliveryClient(api.http, ctx, customer)
    assert await client.call("balance") == {"money": "100", "currency": "RUR"}
    reply = await client.call("send", phone=PHONE, text="hello", sender=SENDER)
    assert reply[PHONE]["error"] == "0", reply
    clock.advance(1)  # a new timestamp: the same balance request again would be a replay
    assert await client.call("balance") == {"money": "99.5", "currency": "RUR"}
    # The same key still opens the buyer API, and the database holds only its hash.
    async with ctx.db.read() as session:
        assert (await accounts.authenticate(session, key)).id == customer.account_id
        stored = (await session.execute(select(ApiKey.key_hash, ApiKey.prefix))).all()
    assert (hash_api_key(key), key[:6]) in stored
    assert all(key not in h for h, _ in stored)


async def test_every_live_key_signs_and_a_revoked_one_does_not(
    api: DeliveryClient, ctx: HubContext, clock: FrozenClock
) -> None:
    customer, first = await keyed_customer(ctx)
    async with ctx.db.transaction() as session:
        second = await accounts.issue_key(
            session, ctx.settings, customer.account_id, ctx.clock.now()
        )
    for key in (first, second):
        client = DeliveryClient(api.http, ctx, replace(customer, secret=key))
        assert await client.call("balance") == {"money": "100", "currency": "RUR"}
    clock.advance(1)  # a new timestamp, so nothing below is a replay
    async with ctx.db.transaction() as session:
        third = await accounts.rotate_key(
            session, ctx.settings, customer.account_id, ctx.clock.now()
        )
    for key in (first, second):
        client = DeliveryClient(api.http, ctx, replace(customer, secret=key))
        assert await client.call("balance") == {"error": "6"}
    client = DeliveryClient(api.http, ctx, replace(customer, secret=third))
    assert await client.call("balance") == {"money": "100", "currency": "RUR"}


async def test_a_key_from_before_derivation_opens_the_buyer_api_only(
    api: DeliveryClient, ctx: HubContext
) -> None:
    customer, derived = await keyed_customer(ctx)
    legacy = new_api_key()  # random, as keys were issued before: no secret recomputes it
    async with ctx.db.transaction() as session:
        await session.execute(
            update(ApiKey)
            .where(ApiKey.account_id == customer.account_id)
            .values(key_hash=hash_api_key(legacy))
        )
    async with ctx.db.read() as session:
        assert (await accounts.authenticate(session, legacy)).id == customer.account_id
    client = DeliveryClient(api.http, ctx, replace(customer, secret=legacy))
    assert await client.call("balance") == {"error": "6"}
    client = DeliveryClient(api.http, ctx, replace(customer, secret=derived))
    assert await client.call("balance") == {"error": "6"}  # its row now holds the legacy hash


def test_the_secret_file_is_private_and_kept(settings: Settings) -> None:
    assert settings.key_secret is None
    first = key_secret.server_secret(settings)
    path = settings.data_dir / key_secret.SECRET_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    key_secret._loaded.clear()  # as a restarted process would
    assert key_secret.server_secret(settings) == first
    assert [p.name for p in settings.data_dir.iterdir() if "key_secret" in p.name] == [
        key_secret.SECRET_FILE
    ]


@pytest.mark.parametrize("secret", ["one server secret", "another"])
def test_keys_follow_the_configured_secret(settings: Settings, secret: str) -> None:
    configured = settings.model_copy(update={"key_secret": SecretStr(secret)})
    derived = key_secret.derive_key(key_secret.server_secret(configured), 7, 11)
    assert derived == key_secret.derive_key(secret.encode(), 7, 11)
    assert derived != key_secret.derive_key(secret.encode(), 7, 12)
    assert derived != key_secret.derive_key(secret.encode(), 8, 11)
    assert len(derived) == 40 and all(c in "0123456789abcdef" for c in derived)
    assert not (settings.data_dir / key_secret.SECRET_FILE).exists()


async def test_a_hub_with_another_secret_recomputes_no_key(ctx: HubContext) -> None:
    customer, _ = await keyed_customer(ctx)
    other = ctx.settings.model_copy(update={"key_secret": SecretStr("not the issuing secret")})
    async with ctx.db.read() as session:
        assert await accounts.signing_keys(session, other, customer.account_id) == []
        assert len(await accounts.signing_keys(session, ctx.settings, customer.account_id)) == 1
