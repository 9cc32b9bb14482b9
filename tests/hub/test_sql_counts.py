"""SQL statements per buyer request, asserted exactly: a slower path fails here, in CI, rather
than in a benchmark nobody runs. The counts differ per database (SQLite opens its write
transaction with an explicit BEGIN IMMEDIATE; PostgreSQL takes advisory locks). When a change
lowers a count, lower it here; when it raises one, say why in the commit.

Reads answered from memory send nothing; a cold read (the memory dropped by a commit, as
every process's is when any process commits a change to what it holds) sends what it always
did. Each write transaction that changes something kept in memory ends with one statement
that tells the other processes which topics it changed: `pg_notify` on PostgreSQL, the bump
of those topics' rows in `change_topics` on SQLite."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import event

from simgate.core.changes import Changes, account_topic
from simgate.core.db import Database
from simgate.core.settings import Settings
from simgate.models import Activation
from tests.hub.conftest import Hub

# (SQLite, PostgreSQL). A commit names its topics on both databases, so a rental's commits leave
# the API-key memory alone (before, on SQLite, they emptied it and a cold read paid the key's
# SELECT too). getNum's transactions each tell their topics once: on PostgreSQL three
# pg_notify, on SQLite two bumps of change_topics (agents' stock rides in the second).
EXPECTED = {
    "onlinesim getState, cold": (3, 3),
    "onlinesim getState, cached": (0, 0),
    "onlinesim getBalance, cold": (1, 1),
    "onlinesim getBalance, cached": (0, 0),
    # The service, country and price of a rental come from the catalog kept in memory.
    "onlinesim getNum": (14, 16),
    # Lock the rental and read whether an SMS came; close it, end the hold, move its money,
    # write the entry and owe the agent its FINISH; name the topics (BEGIN on SQLite).
    "onlinesim setOperationOk": (9, 8),
    "sms-activate getBalance, cached": (0, 0),
    # getStatus reads the rental and its messages; the same request again is answered whole
    # from memory until a commit changes the account (dialects/common/answer_memo.py).
    "sms-activate getStatus, first": (2, 2),
    "sms-activate getStatus, again": (0, 0),
    "onlinesim getNumbersStats, cold": (4, 4),
    "onlinesim getNumbersStats, cached": (0, 0),
    "onlinesim getServiceList, cached": (0, 0),
    "onlinesim getPrice, cached": (0, 0),
    "sms-activate getPrices, cached": (0, 0),
    # After another account's rental: a rental changes its own account and the stock, never
    # the other accounts, the keys or the prices. A listing with counts re-reads the stock
    # only (one SELECT) and joins it to the prices it still holds.
    "getBalance of another account, after a rental": (0, 0),
    "onlinesim getPrice, after a rental": (0, 0),
    "onlinesim getNumbersStats, after a rental": (1, 1),
    "onlinesim getServiceList, after a rental": (0, 0),  # the stock just read serves it too
    "sms-activate getPrices, after a rental": (1, 1),
}


class StatementLog:
    """Every statement the hub's engines send, in order."""

    def __init__(self) -> None:
        self.statements: list[str] = []

    def __call__(self, _conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        self.statements.append(" ".join(statement.split())[:160])


@contextlib.contextmanager
def statements_sent(db: Database) -> Iterator[StatementLog]:
    log = StatementLog()
    # On PostgreSQL the read engine is the write engine with other options and shares its
    # listeners: listening on both would count each read twice.
    engines = [db.write_engine.sync_engine]
    if db.is_sqlite:
        engines.append(db.read_engine.sync_engine)
    for engine in engines:
        event.listen(engine, "before_cursor_execute", log)
    try:
        yield log
    finally:
        for engine in engines:
            event.remove(engine, "before_cursor_execute", log)


def expected(hub: Hub, figure: str) -> int:
    sqlite, postgres = EXPECTED[figure]
    return sqlite if hub.ctx.db.is_sqlite else postgres


def check(hub: Hub, figure: str, log: StatementLog) -> None:
    listing = "\n".join(log.statements)
    assert len(log.statements) == expected(hub, figure), f"{figure}:\n{listing}"


@pytest.fixture
async def renting(hub, buyer, connect_agent) -> tuple[str, int]:
    """A buyer with one open rental, its API key remembered as in production (the hub
    fixture turns that memory off): the counts are those of a buyer that keeps polling."""
    hub.ctx.key_cache.ttl = Settings().auth_cache_seconds
    await connect_agent()
    reply = await hub.api("getNum", buyer, service="vk", number=1)
    assert reply["response"] == 1, reply
    return buyer, int(reply["tzid"])


async def test_get_state_cold_then_cached(hub, renting):
    key, tzid = renting
    async with hub.ctx.db.read() as session:
        activation = await session.get(Activation, tzid)
        assert activation is not None
    # As a commit that changes the account announces itself (core.changes).
    hub.ctx.db.changes.publish(Changes(frozenset({account_topic(activation.account_id)})))
    with statements_sent(hub.ctx.db) as cold:
        assert (await hub.api("getState", key, tzid=tzid))[0]["response"] == "TZ_NUM_WAIT"
    check(hub, "onlinesim getState, cold", cold)
    with statements_sent(hub.ctx.db) as cached:
        assert (await hub.api("getState", key, tzid=tzid))[0]["response"] == "TZ_NUM_WAIT"
    check(hub, "onlinesim getState, cached", cached)


async def test_get_balance_cold_then_cached(hub, renting):
    key, _tzid = renting
    with statements_sent(hub.ctx.db) as cold:
        assert (await hub.api("getBalance", key))["response"] == 1
    check(hub, "onlinesim getBalance, cold", cold)
    with statements_sent(hub.ctx.db) as cached:
        assert (await hub.api("getBalance", key))["response"] == 1
    check(hub, "onlinesim getBalance, cached", cached)


async def test_catalogue_cold_then_cached(hub, renting):
    key, _tzid = renting
    with statements_sent(hub.ctx.db) as cold:
        assert "services" in await hub.api("getNumbersStats", key, country=7)
    check(hub, "onlinesim getNumbersStats, cold", cold)
    with statements_sent(hub.ctx.db) as cached:
        assert "services" in await hub.api("getNumbersStats", key, country=7)
    check(hub, "onlinesim getNumbersStats, cached", cached)
    await hub.api("getServiceList", key, country=7)
    with statements_sent(hub.ctx.db) as cached:
        assert await hub.api("getServiceList", key, country=7)
    check(hub, "onlinesim getServiceList, cached", cached)
    await hub.api("getPrice", key, service="vk", country=7)
    with statements_sent(hub.ctx.db) as cached:
        assert (await hub.api("getPrice", key, service="vk", country=7))["response"] == 1
    check(hub, "onlinesim getPrice, cached", cached)
    await handler_api(hub, key, action="getPrices", country="0")
    with statements_sent(hub.ctx.db) as cached:
        assert (await handler_api(hub, key, action="getPrices", country="0")).startswith("{")
    check(hub, "sms-activate getPrices, cached", cached)


async def handler_api(hub: Hub, key: str, **params: str) -> str:
    async with httpx.AsyncClient(trust_env=False) as client:
        reply = await client.get(
            f"{hub.url}/stubs/handler_api.php", params={"api_key": key, **params}
        )
    return reply.text


async def test_get_num(hub, renting):
    key, _tzid = renting
    with statements_sent(hub.ctx.db) as log:
        assert (await hub.api("getNum", key, service="vk", number=1))["response"] == 1
    check(hub, "onlinesim getNum", log)


async def test_set_operation_ok(hub, renting):
    key, tzid = renting
    with statements_sent(hub.ctx.db) as log:
        assert (await hub.api("setOperationOk", key, tzid=tzid))["response"] == 1
    check(hub, "onlinesim setOperationOk", log)


async def test_sms_activate_get_balance_cached(hub, renting):
    key, _tzid = renting
    await hub.api("getBalance", key)  # the same memory serves both dialects
    with statements_sent(hub.ctx.db) as log:
        assert (await handler_api(hub, key, action="getBalance")).startswith("ACCESS_BALANCE:")
    check(hub, "sms-activate getBalance, cached", log)


async def test_sms_activate_get_status_first_then_again(hub, renting):
    key, tzid = renting
    with statements_sent(hub.ctx.db) as first:
        assert await handler_api(hub, key, action="getStatus", id=str(tzid)) == "STATUS_WAIT_CODE"
    check(hub, "sms-activate getStatus, first", first)
    with statements_sent(hub.ctx.db) as again:
        assert await handler_api(hub, key, action="getStatus", id=str(tzid)) == "STATUS_WAIT_CODE"
    check(hub, "sms-activate getStatus, again", again)


async def test_a_rental_leaves_other_memory_alone(hub, renting, make_buyer):
    key, _tzid = renting
    other = await make_buyer("other")
    await hub.api("getBalance", other)
    await hub.api("getPrice", key, service="vk", country=7)
    before = await hub.api("getNumbersStats", key, country=7)
    await hub.api("getServiceList", key, country=7)
    await handler_api(hub, key, action="getPrices", country="0")
    assert (await hub.api("getNum", key, service="vk", number=1))["response"] == 1
    with statements_sent(hub.ctx.db) as log:
        assert (await hub.api("getBalance", other))["response"] == 1
    check(hub, "getBalance of another account, after a rental", log)
    with statements_sent(hub.ctx.db) as log:
        assert (await hub.api("getPrice", key, service="vk", country=7))["response"] == 1
    check(hub, "onlinesim getPrice, after a rental", log)
    with statements_sent(hub.ctx.db) as log:
        after = await hub.api("getNumbersStats", key, country=7)
    check(hub, "onlinesim getNumbersStats, after a rental", log)
    counted = after["services"]["service_VKcom"]["count"]
    assert counted == before["services"]["service_VKcom"]["count"] - 1  # the stock is exact
    with statements_sent(hub.ctx.db) as log:
        assert await hub.api("getServiceList", key, country=7)
    check(hub, "onlinesim getServiceList, after a rental", log)
    with statements_sent(hub.ctx.db) as log:
        assert (await handler_api(hub, key, action="getPrices", country="0")).startswith("{")
    check(hub, "sms-activate getPrices, after a rental", log)
