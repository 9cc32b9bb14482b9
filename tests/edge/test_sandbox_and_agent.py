"""Bullets "sandbox" and "reference agent": /demo/api refuses what production refuses, in
the same words; the agent will not start without a key and wants a finite `sum`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from simgate.cli.main import app
from tests.hub.conftest import Hub, reference_agent


async def both(hub: Hub, buyer: str, method: str, **params: Any) -> tuple[Any, Any]:
    """The same request to production and to the sandbox."""
    answers = []
    for prefix in ("/api", "/demo/api"):
        response = await hub.client.get(
            f"{hub.url}{prefix}/{method}.php", params={"apikey": buyer, **params}
        )
        assert response.status_code == 200
        answers.append(response.json())
    return answers[0], answers[1]


@pytest.mark.parametrize(
    ("method", "params", "word"),
    [
        ("getNum", {}, "ERROR_NO_SERVICE"),
        ("getNum", {"service": "vk", "form": "abc"}, "ERROR_PARAMS"),
        ("getNum", {"service": "vk", "country": str(2**40)}, "NO_COUNTRY"),
        ("getNum", {"service": "vk", "region": "²"}, "ERROR_PARAMS"),
        ("getState", {"tzid": "abc"}, "ERROR_WRONG_TZID"),
        ("getState", {"tzid": "²"}, "ERROR_WRONG_TZID"),
        ("getState", {"tzid": str(2**64)}, "ERROR_WRONG_TZID"),
        ("setOperationOk", {}, "ERROR_NO_TZID"),
        ("setOperationOk", {"tzid": "-1"}, "ERROR_WRONG_TZID"),
        ("getNumRepeat", {}, "ERROR_NO_SERVICE"),
        ("getNumRepeat", {"service": "vk"}, "ERROR_NO_NUMBER"),
        ("getNumRepeat", {"service": "vk", "number": "７９"}, "ERROR_PARAMS"),
        ("getServiceNumber", {}, "ERROR_NO_SERVICE"),
        ("getNum", {"service": "v\x00k"}, "ERROR_PARAMS"),
    ],
)
async def test_sandbox_refuses_what_production_refuses(
    hub: Hub, buyer: str, method: str, params: dict[str, str], word: str
) -> None:
    production, sandbox = await both(hub, buyer, method, **params)
    assert production == sandbox == {"response": word}


@pytest.mark.parametrize("err", ["FOO", "ERROR_NOT_A_WORD", "A_B"])
async def test_sandbox_err_only_simulates_words_production_answers(hub: Hub, err: str) -> None:
    url = f"{hub.url}/demo/api/getNum.php"
    reply = (await hub.client.get(url, params={"apikey": "x", "service": "vk", "err": err})).json()
    assert reply == {"response": "ERROR_PARAMS"}
    real = {"apikey": "x", "service": "vk", "err": "NO_NUMBER"}
    assert (await hub.client.get(url, params=real)).json() == {"response": "NO_NUMBER"}


async def test_sandbox_still_answers_a_valid_request(hub: Hub) -> None:
    url = f"{hub.url}/demo/api/getState.php"
    [item] = (await hub.client.get(url, params={"apikey": "x", "tzid": "123"})).json()
    assert item["tzid"] == 123 and item["response"] == "TZ_NUM_ANSWER"


@pytest.mark.parametrize("key", ["", "   "])
def test_agent_refuses_to_start_with_an_empty_key(tmp_path: Path, key: str) -> None:
    args = ["agent", "serve", "--key", key, "--port", "0", "--data-dir", str(tmp_path)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code != 0
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "key" in lines[0] and "empty" in lines[0], result.output
    assert not (tmp_path / "agent.db").exists()


@pytest.mark.parametrize(
    "raw_sum", ["NaN", "Infinity", "-Infinity", "1e400", '"1e400"', '"NaN"', "1" + "0" * 30]
)
async def test_agent_get_number_wants_a_finite_sum(hub: Hub, tmp_path: Path, raw_sum: str) -> None:
    async with reference_agent(hub, tmp_path, simulate=3) as agent:
        body = (
            '{"action": "GET_NUMBER", "key": "bank-key", "country": "russia", '
            f'"operator": "any", "service": "vk", "sum": {raw_sum}, "currency": 643}}'
        )
        response = await hub.client.post(agent.url, content=body)
    reply = response.json()
    assert response.status_code == 200
    assert reply["status"] == "ERROR" and reply["error"].startswith("BAD_REQUEST"), reply
