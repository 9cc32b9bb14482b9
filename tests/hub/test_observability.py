"""The hub seen by an operator: /metrics after a rental, the request log, request ids carried
to agents, /health and /ready."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import httpx
from prometheus_client.parser import text_string_to_metric_families

from simgate.core.db import Database
from simgate.core.logs import JsonFormatter
from simgate.core.settings import Settings
from simgate.hub.app import create_app
from simgate.hub.context import HubContext
from simgate.hub.server import running_server
from simgate.worker import jobs
from tests.hub.conftest import Hub, reference_agent
from tests.hub.test_with_reference_agent import wait_for_code

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


async def scrape(hub: Hub) -> Samples:
    response = await hub.client.get(f"{hub.url}/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    samples: Samples = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            samples[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return samples


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


async def test_metrics_move_with_a_rental_through_the_reference_agent(hub, buyer, tmp_path):
    before = await scrape(hub)
    async with reference_agent(hub, tmp_path / "agent", simulate=2, sim_sms_delay_seconds=0.1):
        reply = await hub.api("getNum", buyer, service="vk", number=1)
        assert reply["response"] == 1, reply
        await wait_for_code(hub, buyer, reply["tzid"])
        assert (await hub.api("setOperationOk", buyer, tzid=reply["tzid"]))["response"] == 1
        after_sale = await scrape(hub)
        assert value(after_sale, "simgate_backlog", queue="outbox") == 1  # FINISH owed
        assert await jobs.drain_outbox(hub.ctx) == 1
    after = await scrape(hub)

    def moved(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert moved("simgate_rentals_total", outcome="sold") == 1
    assert moved("simgate_requests_total", dialect="onlinesim", method="getNum", word="OK") == 1
    assert moved("simgate_requests_total", dialect="smshub", method="PUSH_SMS", word="SUCCESS") >= 1
    assert moved("simgate_push_to_visible_seconds_count") >= 1
    get_number = {"supplier": "127.0.0.1", "action": "GET_NUMBER", "outcome": "SUCCESS"}
    assert moved("simgate_agent_calls_total", **get_number) == 1
    finish = {"supplier": "127.0.0.1", "action": "FINISH_ACTIVATION", "outcome": "SUCCESS"}
    assert moved("simgate_agent_calls_total", **finish) == 1
    assert moved("simgate_agent_call_seconds_count", action="GET_NUMBER") == 1
    assert moved("simgate_request_seconds_count", dialect="onlinesim", method="getNum") == 1
    assert value(after, "simgate_backlog", queue="outbox") == 0
    assert value(after, "simgate_ledger_minor_units", column="captured") > 0


async def test_one_log_line_per_request_without_the_key(hub, make_buyer, caplog):
    key = await make_buyer("logged")
    caplog.set_level(logging.INFO, logger="simgate.requests")
    await hub.api("getBalance", key)
    await hub.api("getNum", key, service="no-such-service")
    await hub.client.post(f"{hub.url}/api/getBalance.php", data={"apikey": key})

    lines = [r for r in caplog.records if r.name == "simgate.requests"]
    assert len(lines) == 3
    assert [r.__dict__["word"] for r in lines] == ["OK", lines[1].__dict__["word"], "OK"]
    assert lines[1].__dict__["word"] != "OK"  # the refusal's own word
    assert {r.__dict__["status"] for r in lines} == {200}
    assert all(isinstance(r.__dict__["account_id"], int) for r in lines)
    rendered = [JsonFormatter().format(r) for r in lines] + [r.getMessage() for r in lines]
    assert all(key not in line for line in rendered)
    assert json.loads(rendered[0])["path"] == "/api/getBalance.php"


async def test_the_request_id_reaches_the_agent_call_it_causes(hub, buyer, connect_agent):
    agent = await connect_agent()
    response = await hub.client.get(
        f"{hub.url}/api/getNum.php",
        params={"apikey": buyer, "service": "vk"},
        headers={"X-Request-Id": "rent-42"},
    )
    assert response.json()["response"] == 1
    assert response.headers["x-request-id"] == "rent-42"
    assert agent.request_ids[-1] == "rent-42"
    # A caller's id that could forge a log line is replaced by one of the hub's own.
    forged = await hub.client.get(
        f"{hub.url}/api/getBalance.php",
        params={"apikey": buyer},
        headers={"X-Request-Id": "a b"},
    )
    assert forged.headers["x-request-id"] not in ("a b", "")


async def test_health_and_ready(hub):
    assert (await hub.client.get(f"{hub.url}/health")).status_code == 200
    ready = await hub.client.get(f"{hub.url}/ready")
    assert ready.status_code == 200, ready.text


async def ready_answer(settings: Settings, url: str) -> httpx.Response:
    ctx = HubContext(settings=settings, db=Database(url))
    try:
        async with (
            running_server(create_app(ctx)) as hub_url,
            httpx.AsyncClient(trust_env=False) as client,
        ):
            return await client.get(f"{hub_url}/ready")
    finally:
        await ctx.close()


async def test_not_ready_before_migrations(settings: Settings, tmp_path: Path):
    answer = await ready_answer(settings, f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}")
    assert answer.status_code == 503
    assert "schema" in answer.json()["reason"]


async def test_not_ready_without_a_database(settings: Settings):
    # Port 1 on loopback: nothing listens there, the connection is refused at once.
    answer = await ready_answer(settings, "postgresql+asyncpg://nobody@127.0.0.1:1/none")
    assert answer.status_code == 503
    assert "unreachable" in answer.json()["reason"]


async def test_an_unknown_method_name_is_one_label(hub, buyer):
    """The path is the client's to choose: unknown names must not each become a series."""
    before = await scrape(hub)
    await hub.api("noSuchMethod123", buyer)
    response = await hub.client.get(f"{hub.url}/metrics")
    assert "noSuchMethod123" not in response.text
    after = await scrape(hub)
    labels = {"dialect": "onlinesim", "method": "unknown", "word": "REQUEST_NOT_FOUND"}
    assert (
        value(after, "simgate_requests_total", **labels)
        - value(before, "simgate_requests_total", **labels)
        == 1
    )
