"""Issue 9 §3: getNum's parameters in every encoding real clients send — query string, form
body and JSON body; booleans, numbers and strings; `reject` as a list, `reject[]`, a JSON array
or a comma list. Booleans stay refused wherever an id or an amount is meant."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import select

from simgate.activations.forms import RentalForm
from simgate.models import Activation
from tests.hub.conftest import Hub


async def get_num(hub: Hub, encoding: str, params: dict[str, Any]) -> Any:
    """getNum with `params` sent as a query string, a form body or a JSON body."""
    url = f"{hub.url}/api/getNum.php"
    if encoding == "query":
        response = await hub.client.get(url, params=params)
    elif encoding == "form":
        response = await hub.client.post(url, data=params)
    else:
        response = await hub.client.post(url, json=params)
    assert response.status_code == 200, response.text
    return response.json()


async def stored(hub: Hub, tzid: int) -> Activation:
    async with hub.ctx.db.read() as session:
        found = await session.execute(select(Activation).where(Activation.id == tzid))
        return found.scalar_one()


async def test_the_onlinesimru_client_body_rents_a_number(
    hub: Hub, buyer: str, connect_agent: Any
) -> None:
    await connect_agent()
    body = {
        "apikey": buyer,
        "service": "vk",
        "country": 7,
        "reject": None,
        "extension": False,
        "number": True,
    }
    reply = await get_num(hub, "json", body)
    assert reply["response"] == 1, reply
    assert reply["number"].startswith("+7") and reply["country"] == 7
    activation = await stored(hub, reply["tzid"])
    assert activation.extension == 0 and json.loads(activation.reject) == []


TEXT_SWITCHES = [("false", 0), ("False", 0), ("0", 0), ("true", 1), ("True", 1), ("1", 1)]
JSON_SWITCHES = [(False, 0), (True, 1), (0, 0), (1, 1), *TEXT_SWITCHES]


@pytest.mark.parametrize(
    ("encoding", "value", "expected"),
    [
        *[("query", v, e) for v, e in TEXT_SWITCHES],
        *[("form", v, e) for v, e in TEXT_SWITCHES],
        *[("json", v, e) for v, e in JSON_SWITCHES],
    ],
)
async def test_extension_is_a_switch_in_every_encoding(
    hub: Hub, buyer: str, connect_agent: Any, encoding: str, value: Any, expected: int
) -> None:
    await connect_agent()
    reply = await get_num(hub, encoding, {"apikey": buyer, "service": "vk", "extension": value})
    assert reply["response"] == 1, reply
    assert (await stored(hub, reply["tzid"])).extension == expected


@pytest.mark.parametrize(
    ("encoding", "value", "shown"),
    [
        ("query", "True", True),
        ("query", "0", False),
        ("form", "true", True),
        ("form", "False", False),
        ("json", True, True),
        ("json", False, False),
        ("json", 1, True),
        ("json", "1", True),
        ("json", 0, False),
    ],
)
async def test_number_flag_in_every_encoding(
    hub: Hub, buyer: str, connect_agent: Any, encoding: str, value: Any, shown: bool
) -> None:
    await connect_agent()
    reply = await get_num(hub, encoding, {"apikey": buyer, "service": "vk", "number": value})
    assert reply["response"] == 1, reply
    assert ("number" in reply) is shown


@pytest.mark.parametrize(
    ("encoding", "params"),
    [
        ("query", {"country": "7", "form": "1"}),
        ("json", {"country": "7", "form": "1"}),
        ("json", {"country": 7, "form": 1}),
        ("form", {"country": "7", "form": "1"}),
    ],
)
async def test_numbers_as_strings_and_strings_as_numbers(
    hub: Hub, buyer: str, connect_agent: Any, encoding: str, params: dict[str, Any]
) -> None:
    await connect_agent()
    reply = await get_num(hub, encoding, {"apikey": buyer, "service": "vk", **params})
    assert reply["response"] == 1, reply
    assert (await stored(hub, reply["tzid"])).form == RentalForm.ONLINE


REJECTS = [
    ("query", {"reject": ["7911", "7912"]}),
    ("query", {"reject[]": ["7911", "7912"]}),
    ("query", {"reject": "7911,7912"}),
    ("query", {"reject": "[7911, 7912]"}),
    ("form", {"reject": ["7911", "7912"]}),
    ("form", {"reject[]": ["7911", "+7912"]}),
    ("form", {"reject": "7911, 7912"}),
    ("json", {"reject": [7911, 7912]}),
    ("json", {"reject": ["7911", "7912"]}),
    ("json", {"reject": ["7911,7912"]}),
    ("json", {"reject": "7911,7912"}),
    ("json", {"reject": "[7911,7912]"}),
]


@pytest.mark.parametrize(("encoding", "params"), REJECTS)
async def test_reject_in_every_encoding_reaches_the_agent(
    hub: Hub, buyer: str, connect_agent: Any, encoding: str, params: dict[str, Any]
) -> None:
    agent = await connect_agent()
    reply = await get_num(hub, encoding, {"apikey": buyer, "service": "vk", **params})
    assert reply["response"] == 1, reply
    assert json.loads((await stored(hub, reply["tzid"])).reject) == ["7911", "7912"]
    assert {"7911", "7912"} <= {str(p) for p in agent.get_number_calls[-1]["exceptionPhoneSet"]}


@pytest.mark.parametrize("value", [None, False, []])
async def test_json_empty_reject_means_no_reject(
    hub: Hub, buyer: str, connect_agent: Any, value: Any
) -> None:
    await connect_agent()
    reply = await get_num(hub, "json", {"apikey": buyer, "service": "vk", "reject": value})
    assert reply["response"] == 1, reply
    assert json.loads((await stored(hub, reply["tzid"])).reject) == []


@pytest.mark.parametrize(
    ("params", "error"),
    [
        ({"country": True}, "NO_COUNTRY"),
        ({"region": True}, "ERROR_PARAMS"),
        ({"form": True}, "ERROR_PARAMS"),
        ({"form": False}, "ERROR_PARAMS"),
        ({"extension": 2**40}, "ERROR_PARAMS"),
        ({"reject": True}, "ERROR_PARAMS"),
        ({"reject": [[7911]]}, "ERROR_PARAMS"),
        ({"reject": {"a": 1}}, "ERROR_PARAMS"),
    ],
)
async def test_booleans_are_never_ids_and_odd_shapes_are_refused(
    hub: Hub, buyer: str, connect_agent: Any, params: dict[str, Any], error: str
) -> None:
    await connect_agent()
    reply = await get_num(hub, "json", {"apikey": buyer, "service": "vk", **params})
    assert reply == {"response": error}


async def test_a_boolean_tzid_is_a_wrong_tzid(hub: Hub, buyer: str) -> None:
    response = await hub.client.post(
        f"{hub.url}/api/getState.php", json={"apikey": buyer, "tzid": True}
    )
    assert response.json() == {"response": "ERROR_WRONG_TZID"}


async def test_repeat_number_as_a_json_integer(hub: Hub, buyer: str, connect_agent: Any) -> None:
    agent = await connect_agent()
    first = await get_num(hub, "json", {"apikey": buyer, "service": "vk", "number": True})
    phone = int(first["number"].lstrip("+"))
    await hub.push(agent.key, 1, phone, "VK: 12345")
    await hub.api("setOperationOk", buyer, tzid=first["tzid"])
    await hub.tick()
    agent.release(next(iter(agent.handed)))
    response = await hub.client.post(
        f"{hub.url}/api/getNumRepeat.php",
        json={"apikey": buyer, "service": "vk", "number": phone},
    )
    assert response.json()["response"] == 1, response.json()
    assert agent.get_number_calls[-1]["number"] == phone
