"""The change feed across processes: balances and catalogue listings from memory, exact for
commits made elsewhere, and a commit elsewhere drops only what it changed; on PostgreSQL, a
lost listening connection is found again and what was committed meanwhile (its
notifications lost) is not served from memory."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text

from simgate.accounts import keys
from simgate.accounts import service as accounts
from simgate.catalog import service as catalog
from simgate.core.change_sources import PostgresListener, SqliteWatcher
from simgate.core.changes import Changes, account_topic
from simgate.core.db import Database
from simgate.ledger import service as ledger
from simgate.suppliers import repository as suppliers_repo
from tests.hub.conftest import Hub
from tests.hub.test_sql_counts import statements_sent


async def heard(hub: Hub, wanted: Changes | None = None) -> asyncio.Event:
    """Set once the hub's feed hears a change (to `wanted`'s topics or everything) while live."""
    event = asyncio.Event()

    def listener(changes: Changes) -> None:
        if not hub.ctx.db.changes.live:
            return
        if wanted is None or changes.everything or changes.topics & wanted.topics:
            event.set()

    hub.ctx.db.changes.subscribe(listener)
    return event


async def through_other_process(database_url: str, hub: Hub, write) -> None:
    """Commit `write(session)` through another Database (another process's engine and feed),
    then, on PostgreSQL, wait until the hub heard of it (SQLite looks before each read)."""
    told = await heard(hub)
    other = Database(database_url)
    try:
        async with other.transaction() as session:
            await write(session)
    finally:
        await other.dispose()
    if not hub.ctx.db.is_sqlite:
        await asyncio.wait_for(told.wait(), 30)


async def test_a_deposit_elsewhere_shows_in_get_balance(hub, buyer, database_url):
    hub.ctx.key_cache.ttl = 3600  # with both memories on, the answer itself is kept
    before = await hub.api("getBalance", buyer)
    assert await hub.api("getBalance", buyer) == before
    async with hub.ctx.db.read() as session:
        account = await accounts.find(session, "buyer")
    assert account is not None

    async def deposit(session) -> None:
        await ledger.deposit(session, account.id, 12_345, hub.clock.now(), "elsewhere")

    await through_other_process(database_url, hub, deposit)
    after = await hub.api("getBalance", buyer)
    assert float(after["balance"]) == pytest.approx(float(before["balance"]) + 123.45)


async def test_a_price_set_elsewhere_shows_in_get_price(hub, buyer, database_url):
    first = await hub.api("getPrice", buyer, service="vk", country=7)

    async def reprice(session) -> None:
        await catalog.set_price(session, 7, "vk", index=4321)

    await through_other_process(database_url, hub, reprice)
    second = await hub.api("getPrice", buyer, service="vk", country=7)
    assert first["price"] != second["price"] == 43.21


async def until_live(hub: Hub, wanted: bool) -> None:
    """Until the feed is (not) listening: it notices a cut connection at once and listens
    again after a short back-off."""
    feed = hub.ctx.db.changes
    for _ in range(3000):
        if feed.live is wanted:
            return
        await asyncio.sleep(0.01)
    assert feed.live is wanted


async def test_after_a_lost_connection_nothing_stale_is_served(hub, buyer, database_url):
    if hub.ctx.db.is_sqlite:
        pytest.skip("SQLite has no connection to lose: its signal is a file")
    hub.ctx.key_cache.ttl = 3600  # with both memories on, getBalance's answer is kept
    first = await hub.api("getPrice", buyer, service="vk", country=7)
    balance = await hub.api("getBalance", buyer)
    assert await hub.api("getBalance", buyer) == balance
    account_id = await _account_id(hub)
    listener = hub.ctx.db.changes.source
    assert isinstance(listener, PostgresListener)
    listener.may_reconnect.clear()
    async with hub.ctx.db.read() as session:  # as a database restart would: cut the listener
        await session.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND query LIKE 'LISTEN%'"
            )
        )
    await until_live(hub, False)
    other = Database(database_url)
    try:
        async with other.transaction() as session:
            await catalog.set_price(session, 7, "vk", index=4321)
            await ledger.deposit(session, account_id, 12_345, hub.clock.now(), "meanwhile")
    finally:
        await other.dispose()
    listener.may_reconnect.set()  # the NOTIFY of that commit went to nobody
    await until_live(hub, True)
    second = await hub.api("getPrice", buyer, service="vk", country=7)
    assert first["price"] != second["price"] == 43.21
    after = await hub.api("getBalance", buyer)
    assert float(after["balance"]) == pytest.approx(float(balance["balance"]) + 123.45)


async def _account_id(hub: Hub) -> int:
    async with hub.ctx.db.read() as session:
        account = await accounts.find(session, "buyer")
    assert account is not None
    return account.id


async def test_an_account_blocked_elsewhere_is_refused_at_once(hub, buyer, database_url):
    hub.ctx.key_cache.ttl = 3600  # only the change feed can make the block visible
    assert (await hub.api("getBalance", buyer))["response"] == 1

    async def block(session) -> None:
        account = await accounts.find(session, "buyer")
        assert account is not None
        accounts.set_limits(account, blocked=True)

    await through_other_process(database_url, hub, block)
    assert (await hub.api("getBalance", buyer))["response"] == "ACCOUNT_BLOCKED"


async def test_a_key_revoked_in_this_process_is_refused_by_the_next_request(hub, buyer):
    hub.ctx.key_cache.ttl = 3600  # only the commit's own change can make the revocation visible
    assert (await hub.api("getBalance", buyer))["response"] == 1
    async with hub.ctx.db.read() as session:
        account = await accounts.find(session, "buyer")
    assert account is not None
    (key,) = await keys.live_keys(hub.ctx.deps, account.id)
    assert await keys.revoke_key(hub.ctx.deps, account.id, key.id)
    assert (await hub.api("getBalance", buyer))["response"] == "ERROR_WRONG_KEY"


async def test_a_commit_elsewhere_drops_only_the_topics_it_changed(
    hub, make_buyer, connect_agent, database_url
):
    hub.ctx.key_cache.ttl = 3600  # the keys stay in memory unless a commit says otherwise
    await connect_agent()
    payer, bystander = await make_buyer("payer"), await make_buyer("bystander")
    paid_before = float((await hub.api("getBalance", payer))["balance"])
    await hub.api("getBalance", bystander)
    await hub.api("getPrice", bystander, service="vk", country=7)
    stock_before = await hub.api("getNumbersStats", bystander, country=7)
    async with hub.ctx.db.read() as session:
        account = await accounts.find(session, "payer")
        (supplier,) = await suppliers_repo.all_suppliers(session)
    assert account is not None

    async def deposit(session) -> None:
        await ledger.deposit(session, account.id, 100, hub.clock.now(), "elsewhere")

    await through_other_process(database_url, hub, deposit)
    with statements_sent(hub.ctx.db) as log:
        await hub.api("getBalance", bystander)
        await hub.api("getPrice", bystander, service="vk", country=7)
        await hub.api("getNumbersStats", bystander, country=7)
    assert log.statements == []
    with statements_sent(hub.ctx.db) as log:
        paid_after = float((await hub.api("getBalance", payer))["balance"])
    assert len(log.statements) == 1  # the payer's balance, and nothing else
    assert paid_after == pytest.approx(paid_before + 1)

    async def rent_one(session) -> None:  # as a rental elsewhere counts its number off
        await suppliers_repo.adjust_stock(session, supplier.id, "russia", "any", "vk", zero=False)

    await through_other_process(database_url, hub, rent_one)
    with statements_sent(hub.ctx.db) as log:
        await hub.api("getBalance", payer)
        await hub.api("getPrice", bystander, service="vk", country=7)
    assert log.statements == []
    with statements_sent(hub.ctx.db) as log:
        stock_after = await hub.api("getNumbersStats", bystander, country=7)
    assert len(log.statements) == 1  # the stock, joined to the prices still in memory
    vk_before = stock_before["services"]["service_VKcom"]["count"]
    assert stock_after["services"]["service_VKcom"]["count"] == vk_before - 1


async def test_sqlite_reads_only_other_processes_topics(hub, buyer, database_url):
    if not hub.ctx.db.is_sqlite:
        pytest.skip("PostgreSQL's NOTIFY carries the topics and the origin itself")
    source = hub.ctx.db.changes.source
    assert isinstance(source, SqliteWatcher)
    async with hub.ctx.db.read() as session:
        account = await accounts.find(session, "buyer")
    assert account is not None
    async with hub.ctx.db.transaction() as session:  # this process's commit
        await ledger.deposit(session, account.id, 100, hub.clock.now(), "here")
    seen: list[Changes] = []
    hub.ctx.db.changes.subscribe(seen.append)
    source.catch_up()
    assert seen == []  # told at commit already: the watcher does not tell it again
    other = Database(database_url)
    try:
        async with other.transaction() as session:
            await ledger.deposit(session, account.id, 100, hub.clock.now(), "elsewhere")
    finally:
        await other.dispose()
    source.catch_up()
    assert seen == [Changes(frozenset({account_topic(account.id)}))]
