"""Issue 9 §3: `service=ok` (the short code sms-activate-family clients send) is Odnoklassniki,
like its onlinesim names `Odklru` and `classmates` — not "other sites" filtered on sender "ok"."""

from __future__ import annotations

from typing import Any

import pytest

from tests.hub.conftest import Hub


@pytest.mark.parametrize("name", ["ok", "OK", "Odklru", "classmates"])
async def test_every_name_of_odnoklassniki_rents_it(
    hub: Hub, buyer: str, connect_agent: Any, name: str
) -> None:
    agent = await connect_agent(stock={"ok": 5, "ot": 5})
    reply = await hub.api("getNum", buyer, service=name)
    assert reply["response"] == 1, reply
    assert agent.get_number_calls[-1]["service"] == "ok"
    shown = (await hub.api("getState", buyer, tzid=reply["tzid"]))[0]
    assert shown["service"] == "classmates" and shown["sum"] == 8


@pytest.mark.parametrize("name", ["ok", "Odklru", "classmates"])
async def test_price_of_ok_is_odnoklassniki_price(hub: Hub, buyer: str, name: str) -> None:
    assert await hub.api("getPrice", buyer, service=name) == {"response": 1, "price": 8}


async def test_a_name_that_is_no_service_still_means_other_sites(
    hub: Hub, buyer: str, connect_agent: Any
) -> None:
    agent = await connect_agent(stock={"ok": 5, "ot": 5})
    reply = await hub.api("getNum", buyer, service="SomeShop")
    assert reply["response"] == 1, reply
    assert agent.get_number_calls[-1]["service"] == "ot"
