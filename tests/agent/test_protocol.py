"""The agent against a strict protocol client: every acceptance rule of PROTOCOL-NOTES A."""

from __future__ import annotations

import asyncio
import gzip
from collections.abc import Callable
from typing import Any

import orjson

from simgate.agent.runtime import AgentRuntime
from simgate.core.clock import FrozenClock

KEY = "test-agent-key"


async def test_services_report_every_simulated_sim(client: Any, total: Callable[..., int]) -> None:
    stock = await client.get_services()
    assert set(stock) == {"russia"}
    assert set(stock["russia"]) == {"mts", "megafon", "beeline", "tele2"}
    assert total(stock, "vk") == 10
    assert total(stock, "wa") == 10


async def test_honest_counts_then_no_numbers(client: Any, total: Callable[..., int]) -> None:
    reported = total(await client.get_services(), "tg")
    numbers = set()
    for _ in range(reported):
        reply = await client.get_number("tg")
        assert reply["status"] == "SUCCESS"
        numbers.add(reply["number"])
    assert len(numbers) == reported
    assert await client.get_number("tg") == {"status": "NO_NUMBERS"}
    assert total(await client.get_services(), "vk") == 0  # every SIM is in an open activation


async def test_honest_counts_per_operator(client: Any) -> None:
    stock = await client.get_services()
    mts = stock["russia"]["mts"]["vk"]
    got = [await client.get_number("vk", operator="mts") for _ in range(mts)]
    assert all(r["status"] == "SUCCESS" for r in got)
    assert await client.get_number("vk", operator="mts") == {"status": "NO_NUMBERS"}
    assert "mts" not in (await client.get_services())["russia"]
    assert (await client.get_number("vk", operator="beeline"))["status"] == "SUCCESS"


async def test_finish_is_idempotent_and_unknown_id_is_an_error(client: Any) -> None:
    reply = await client.get_number("vk")
    activation_id = reply["activationId"]
    assert await client.finish(activation_id, 3) == {"status": "SUCCESS"}
    assert await client.finish(activation_id, 3) == {"status": "SUCCESS"}
    assert await client.finish(activation_id, 4) == {"status": "SUCCESS"}  # first status wins
    unknown = await client.finish(activation_id + 10_000, 3)
    assert unknown["status"] == "ERROR"
    assert (await client.finish(activation_id, 7))["status"] == "ERROR"


async def test_sold_and_refused_numbers_are_never_offered_again(
    client: Any, total: Callable[..., int]
) -> None:
    sold = await client.get_number("vk")
    await client.finish(sold["activationId"], 3)
    refused = await client.get_number("vk")
    await client.finish(refused["activationId"], 1)
    stock = await client.get_services()
    assert total(stock, "vk") == 8
    assert total(stock, "wa") == 10  # the block is per service
    for _ in range(8):
        plain = await client.get_number("vk")
        assert plain["number"] not in (sold["number"], refused["number"])
    assert await client.get_number("vk") == {"status": "NO_NUMBERS"}
    assert await client.get_number("vk", number=refused["number"]) == {"status": "NO_NUMBERS"}
    assert (await client.get_number("wa", number=refused["number"]))["status"] == "SUCCESS"


async def test_a_sold_number_is_handed_to_a_request_naming_it(
    client: Any, total: Callable[..., int]
) -> None:
    """A repeat rental: the hub names the SIM it sold, for the buyer who bought it."""
    sold = await client.get_number("vk")
    await client.finish(sold["activationId"], 3)
    assert total(await client.get_services(), "vk") == 9
    again = await client.get_number("vk", number=sold["number"])
    assert again["status"] == "SUCCESS" and again["number"] == sold["number"]
    assert await client.get_number("vk", number=sold["number"]) == {"status": "NO_NUMBERS"}
    await client.finish(again["activationId"], 4)  # a cancelled repeat keeps it repeatable
    assert (await client.get_number("vk", number=sold["number"]))["status"] == "SUCCESS"
    assert total(await client.get_services(), "vk") == 9  # out of the plain stock throughout


async def test_a_number_cancelled_four_times_is_not_offered_for_that_service(
    client: Any, total: Callable[..., int]
) -> None:
    first = await client.get_number("ok")
    number = first["number"]
    await client.finish(first["activationId"], 4)
    for _ in range(3):
        again = await client.get_number("ok", number=number)
        assert again["status"] == "SUCCESS"
        await client.finish(again["activationId"], 4)
    assert await client.get_number("ok", number=number) == {"status": "NO_NUMBERS"}
    assert total(await client.get_services(), "ok") == 9
    returned = await client.get_number("ok")
    await client.finish(returned["activationId"], 5)  # returned: no effect on stock
    assert total(await client.get_services(), "ok") == 9


async def test_exception_phone_set_is_honoured(client: Any) -> None:
    first = await client.get_number("vk")
    await client.finish(first["activationId"], 5)
    prefix = str(first["number"])[:5]
    avoid = [prefix, "+" + str(first["number"])]
    for _ in range(12):
        reply = await client.get_number("vk", exceptionPhoneSet=avoid)
        if reply["status"] == "NO_NUMBERS":
            break
        assert not str(reply["number"]).startswith(prefix)
    else:
        raise AssertionError("the pool never ran out")
    assert (await client.get_number("vk", number=first["number"], exceptionPhoneSet=["7"])) == {
        "status": "NO_NUMBERS"
    }


async def test_number_extension_hands_out_exactly_that_sim(client: Any) -> None:
    first = await client.get_number("wa")
    assert await client.get_number("wa", number=first["number"]) == {"status": "NO_NUMBERS"}
    await client.finish(first["activationId"], 4)
    again = await client.get_number("wa", number=first["number"])
    assert again["status"] == "SUCCESS" and again["number"] == first["number"]
    assert again["activationId"] != first["activationId"]
    assert await client.get_number("wa", number=79990000000) == {"status": "NO_NUMBERS"}
    wrong_country = await client.get_number("wa", number=first["number"], country="ukraine")
    assert wrong_country == {"status": "NO_NUMBERS"}


async def test_fifty_concurrent_get_number_never_double_allocate(
    agent: AgentRuntime, client: Any
) -> None:
    replies = await asyncio.gather(*(client.get_number("vk") for _ in range(50)))
    won = [r for r in replies if r["status"] == "SUCCESS"]
    assert len(won) == 10
    assert len({r["number"] for r in won}) == 10
    assert len({r["activationId"] for r in won}) == 10
    assert client.slowest < 3.0
    rows = await agent.db.run(
        lambda c: c.execute(
            "SELECT count(*), count(DISTINCT sim_id) FROM activations WHERE open = 1"
        ).fetchone()[:]
    )
    assert rows == (10, 10)


async def test_no_self_finish_until_lifetime_then_back_in_stock(
    agent: AgentRuntime, client: Any, clock: FrozenClock, total: Callable[..., int], eventually: Any
) -> None:
    reply = await client.get_number("vk", number=None)
    await agent.sweep_once()
    clock.advance(899)
    await agent.sweep_once()
    assert total(await client.get_services(), "vk") == 9  # still open
    assert (await client.get_number("vk", number=reply["number"])) == {"status": "NO_NUMBERS"}
    clock.advance(2)

    async def back_in_stock() -> bool:
        return total(await client.get_services(), "vk") == 10

    await eventually(back_in_stock)
    row = await agent.db.run(
        lambda c: c.execute(
            "SELECT open, status, closed_by FROM activations WHERE id = ?", (reply["activationId"],)
        ).fetchone()[:]
    )
    assert row == (0, None, "lifetime")
    events = await agent.db.run(lambda c: c.execute("SELECT message FROM events").fetchall())
    assert any(str(reply["activationId"]) in e[0] for e in events)
    # A late FINISH from the hub is still accepted, and a late sale counts as a sale.
    assert await client.finish(reply["activationId"], 3) == {"status": "SUCCESS"}
    assert total(await client.get_services(), "vk") == 9  # sold: out of the plain stock


async def test_errors_are_json_with_http_200(agent: AgentRuntime, client: Any) -> None:
    bad: list[tuple[bytes, dict[str, str]]] = [
        (b"{not json", {}),
        (b"[1, 2]", {}),
        (b"", {}),
        (b"\xff\xfe", {}),
        (b"not gzip at all", {"Content-Encoding": "gzip"}),
        (gzip.compress(b"{broken"), {"Content-Encoding": "gzip"}),
    ]
    for body, headers in bad:
        response = await client.raw(body, headers)
        assert response.json()["status"] == "ERROR"
    cases: list[dict[str, Any]] = [
        {"action": "GET_SERVICES"},  # no key
        {"action": "GET_SERVICES", "key": "wrong"},
        {"action": "GET_SERVICES", "key": 12345},
        {"action": "DANCE", "key": KEY},
        {"key": KEY},
        {"action": "GET_NUMBER", "key": KEY, "country": "russia", "service": ["vk"], "sum": 1},
        {"action": "GET_NUMBER", "key": KEY, "country": "russia", "service": "vk", "sum": "x"},
        {"action": "GET_NUMBER", "key": KEY, "country": "russia", "service": "vk", "sum": 1,
         "exceptionPhoneSet": "79"},
        {"action": "GET_NUMBER", "key": KEY, "country": "russia", "service": "vk", "sum": 1,
         "exceptionPhoneSet": [["7"]]},
        {"action": "GET_NUMBER", "key": KEY, "country": "russia", "service": "vk", "sum": 1,
         "number": "seven"},
        {"action": "FINISH_ACTIVATION", "key": KEY, "activationId": [1], "status": 3},
        {"action": "FINISH_ACTIVATION", "key": KEY, "activationId": 1.5, "status": 3},
        {"action": "FINISH_ACTIVATION", "key": KEY, "activationId": True, "status": 3},
        {"action": "FINISH_ACTIVATION", "key": KEY, "activationId": 1},
    ]  # fmt: skip
    for case in cases:
        response = await client.raw(orjson.dumps(case), {"Content-Type": "application/json"})
        reply = response.json()
        assert reply["status"] in {"ERROR", "NO_NUMBERS"}, (case, reply)
        if "key" not in case or case["key"] != KEY:
            assert reply == {"status": "ERROR", "error": "BAD_KEY"}
    # None of the refused requests opened an activation.
    rows = await agent.db.run(lambda c: c.execute("SELECT count(*) FROM activations").fetchone())
    assert rows[0] == 0


async def test_gzip_both_ways_and_plain_json(agent: AgentRuntime, client: Any) -> None:
    gz = await client.raw(
        gzip.compress(orjson.dumps({"action": "GET_SERVICES", "key": KEY})),
        {"Content-Encoding": "gzip", "Accept-Encoding": "gzip", "Content-Type": "application/json"},
    )
    assert gz.headers["content-encoding"] == "gzip"
    assert gz.json()["status"] == "SUCCESS"
    plain = await client.raw(
        orjson.dumps({"action": "GET_SERVICES", "key": KEY}),
        {"Accept-Encoding": "identity", "Content-Type": "application/json"},
    )
    assert "content-encoding" not in plain.headers
    assert orjson.loads(plain.content)["status"] == "SUCCESS"


async def test_sum_is_kept_as_an_exact_decimal(agent: AgentRuntime, client: Any) -> None:
    body = b'{"action":"GET_NUMBER","key":"%s","country":"russia","operator":"any",' % KEY.encode()
    body += b'"service":"vk","sum":0.1000000000000000055511151231257827,"currency":840}'
    reply = (await client.raw(body, {"Content-Type": "application/json"})).json()
    assert reply["status"] == "SUCCESS"
    row = await agent.db.run(
        lambda c: c.execute(
            "SELECT sum, currency FROM activations WHERE id = ?", (reply["activationId"],)
        ).fetchone()[:]
    )
    assert row == ("0.1000000000000000055511151231257827", 840)


async def test_status_as_text_and_ids_as_digit_strings_are_accepted(client: Any) -> None:
    reply = await client.get_number("ya")
    finished = await client.call(
        {"action": "FINISH_ACTIVATION", "activationId": str(reply["activationId"]), "status": "3"}
    )
    assert finished == {"status": "SUCCESS"}
