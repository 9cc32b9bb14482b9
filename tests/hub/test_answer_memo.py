"""Whole answers kept for a poller's repeated reads (dialects/common/answer_memo.py): given
again from memory, and never once anything they show has changed."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from simgate.accounts import repository as accounts_repo
from simgate.activations import service as activations
from simgate.activations.service import MICROSECOND
from simgate.core.changes import ChangeFeed, Changes, account_topic
from simgate.core.clock import FrozenClock
from simgate.core.settings import Settings
from simgate.dialects.common.answer_memo import AnswerMemo, Kept
from simgate.dialects.common.dispatch import Dispatcher
from simgate.hub.observability import RequestObserver
from simgate.ledger import service as ledger
from tests.hub.conftest import Hub
from tests.smsactivate import helpers as sms_activate


def _dispatchers(hub: Hub) -> tuple[Dispatcher, Dispatcher]:
    assert hub.app is not None
    observer = hub.app.front
    assert isinstance(observer, RequestObserver)
    return observer.fast.onlinesim, observer.fast.smsactivate


def _hits(hub: Hub) -> int:
    onlinesim, smsactivate = _dispatchers(hub)
    return onlinesim.answers.hits + smsactivate.answers.hits


@pytest.fixture
async def polling(hub, buyer, connect_agent) -> tuple[str, int]:
    """A buyer with one open rental and both memories on, as `simgate serve` runs (the hub
    fixture turns the key memory off)."""
    hub.ctx.key_cache.ttl = Settings().auth_cache_seconds
    await connect_agent()
    reply = await hub.api("getNum", buyer, service="vk")
    assert reply["response"] == 1, reply
    return buyer, int(reply["tzid"])


async def _account_id(hub: Hub, name: str = "buyer") -> int:
    async with hub.ctx.db.read() as session:
        account = await accounts_repo.by_name(session, name)
        assert account is not None
        return account.id


async def test_get_state_is_repeated_until_its_time_ticks(hub, polling, monkeypatch):
    key, tzid = polling
    handled: list[Any] = []
    real_next_tick = activations.next_tick

    def counting(limits: Any, now: dt.datetime) -> dt.datetime | None:
        handled.append(now)  # one per getState the handler answered
        return real_next_tick(limits, now)

    monkeypatch.setattr(activations, "next_tick", counting)
    first = await hub.api("getState", key, tzid=tzid)
    again = await hub.api("getState", key, tzid=tzid)
    assert again == first
    assert (len(handled), _hits(hub)) == (1, 1)
    # The rental's time left, at the frozen clock: its reading holds for the fraction of a
    # second above it, and the same request is answered afresh once that has passed.
    async with hub.ctx.db.read() as session:
        view = (await activations.views(session, await _account_id(hub), hub.clock.now()))[0]
    limit = view.time_limit()
    assert limit is not None
    tick = real_next_tick([limit], hub.clock.now())
    assert tick is not None
    hub.clock.set(tick - dt.timedelta(microseconds=1))
    assert await hub.api("getState", key, tzid=tzid) == first
    hub.clock.set(tick)
    after = await hub.api("getState", key, tzid=tzid)
    assert after[0]["time"] == first[0]["time"] - 1
    assert len(handled) == 2


async def test_a_commit_to_the_account_is_seen_by_the_next_same_request(hub, polling):
    key, _tzid = polling
    before = await hub.api("getBalance", key)
    assert await hub.api("getBalance", key) == before
    assert _hits(hub) == 1
    async with hub.ctx.db.transaction() as session:
        await ledger.deposit(session, await _account_id(hub), 12_345, hub.clock.now())
    after = await hub.api("getBalance", key)
    assert float(after["balance"]) == pytest.approx(float(before["balance"]) + 123.45)


async def test_a_block_is_refused_by_the_next_same_request(hub, polling):
    key, _tzid = polling
    await hub.api("getBalance", key)
    assert (await hub.api("getBalance", key))["response"] == 1  # from memory
    async with hub.ctx.db.transaction() as session:
        account = await accounts_repo.by_name(session, "buyer")
        assert account is not None
        account.blocked = True
    assert await hub.api("getBalance", key) == {"response": "ACCOUNT_BLOCKED"}


async def test_only_a_plain_read_is_kept(hub, polling):
    """A clean read (it shows a message once), a POST and a refusal are answered afresh."""
    key, tzid = polling
    for _ in range(2):
        await hub.api("getState", key, tzid=tzid, clean=1)
        await hub.client.post(f"{hub.url}/api/getBalance.php", data={"apikey": key})
        await hub.api("getState", key, tzid=tzid + 1000)  # ERROR_NO_OPERATIONS
    assert _hits(hub) == 0


async def test_the_sms_activate_balance_is_kept_too(hub, polling):
    key, _tzid = polling
    query = {"api_key": key, "action": "getBalance"}
    answers = [(await hub.client.get(f"{hub.url}/stubs/handler_api.php", params=query)).text]
    answers.append((await hub.client.get(f"{hub.url}/stubs/handler_api.php", params=query)).text)
    assert answers[0].startswith("ACCESS_BALANCE:")
    assert answers[1] == answers[0]
    assert _hits(hub) == 1


async def test_sms_activate_status_follows_each_sms_and_set_status(hub, polling, connect_agent):
    """getStatus, getStatusV2 and getFullSms polled through the memory: every SMS and every
    setStatus is seen by the next same request."""
    key, _tzid = polling
    agent = await connect_agent("agent2")
    tzid, phone = await sms_activate.rent(hub, key)

    async def status() -> str:
        return await sms_activate.text(hub, key, "getStatus", id=tzid)

    async def code() -> Any:
        sms = (await sms_activate.json_reply(hub, key, "getStatusV2", id=tzid))["sms"]
        return None if sms is None else sms["code"]

    assert [await status(), await status()] == ["STATUS_WAIT_CODE"] * 2
    assert [await code(), await code()] == [None, None]
    hits = _hits(hub)
    assert hits >= 2
    await hub.push(agent.key, 1, phone, "VK: 11111")
    assert [await status(), await status()] == ["STATUS_OK:11111"] * 2
    assert await code() == "11111"
    full = await sms_activate.text(hub, key, "getFullSms", id=tzid)
    assert full == await sms_activate.text(hub, key, "getFullSms", id=tzid) == "FULL_SMS:VK: 11111"
    assert await sms_activate.text(hub, key, "setStatus", id=tzid, status=3) == "ACCESS_RETRY_GET"
    assert [await status(), await status()] == ["STATUS_WAIT_RETRY:11111"] * 2
    assert await code() is None
    await hub.push(agent.key, 2, phone, "VK: 22222")
    assert await status() == "STATUS_OK:22222"
    assert await sms_activate.text(hub, key, "setStatus", id=tzid, status=6) == "ACCESS_ACTIVATION"
    assert [await status(), await status()] == ["STATUS_OK:22222"] * 2
    assert _hits(hub) >= hits + 4


# --- the memory alone --------------------------------------------------------------------


def _kept(account_id: int = 1) -> Kept:
    return Kept(b"{}", b"application/json", "getBalance", "OK", account_id)


def test_an_answer_made_while_a_change_came_is_not_kept() -> None:
    memo = AnswerMemo(ChangeFeed(), FrozenClock(), lambda: 60.0)
    epoch = memo.epoch
    memo.forget(Changes(frozenset({account_topic(2)})))  # another account's, even
    memo.keep("request", epoch, _kept(), until=None)
    assert memo.get("request") is None
    memo.keep("request", memo.epoch, _kept(), until=None)
    assert memo.get("request") is not None


def test_a_change_drops_its_account_and_accounts_drops_all() -> None:
    clock = FrozenClock()
    memo = AnswerMemo(ChangeFeed(), clock, lambda: 60.0)
    memo.keep("one", memo.epoch, _kept(1), until=None)
    memo.keep("two", memo.epoch, _kept(2), until=None)
    memo.forget(Changes(frozenset({account_topic(1)})))
    assert (memo.get("one"), memo.get("two") is not None) == (None, True)
    memo.forget(Changes(frozenset({"accounts"})))
    assert memo.get("two") is None
    memo.keep("two", memo.epoch, _kept(2), until=None)
    clock.advance(60)  # the ttl: the bound on writes made behind simgate's back
    assert memo.get("two") is None


def test_next_tick_is_when_a_reading_of_seconds_left_changes() -> None:
    now = dt.datetime(2026, 12, 1, 12, 0, 0, 250_000, tzinfo=dt.UTC)
    limits = [now + dt.timedelta(seconds=5, microseconds=300_000), None]
    tick = activations.next_tick(limits, now)
    assert tick == now + dt.timedelta(microseconds=300_001)
    # Still 5 with exactly 5.0 s left, a microsecond before the tick; 4 at the tick.
    assert activations.seconds_left(limits[0], tick - dt.timedelta(microseconds=1)) == 5
    assert activations.seconds_left(limits[0], tick) == 4
    # A whole number of seconds left: the reading drops at the next microsecond; below a
    # second, never.
    assert activations.next_tick([now + dt.timedelta(seconds=3)], now) == now + MICROSECOND
    assert activations.next_tick([now + dt.timedelta(microseconds=999_999)], now) is None
