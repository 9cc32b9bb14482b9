"""Outbound URLs never reach the log with credentials or a query string: the hub's agent
client and the agent's PUSH_SMS pusher, over real HTTP, under the logging set-up that
`simgate serve`, `worker` and `agent` use."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from simgate.agent.config import AgentConfig
from simgate.agent.runtime import AgentRuntime
from simgate.core import logs
from simgate.suppliers import service as suppliers
from simgate.worker import jobs
from tests.hub.conftest import Hub
from tests.hub.test_with_reference_agent import wait_for_code

SECRETS = ("AGENTPASS", "AGENTKEY", "apikey=", "PUSHPASS", "PUSHTOKEN", "token=")


@pytest.fixture
def logging_setup() -> Iterator[None]:
    """logs.configure() as the processes call it; the loggers' levels are put back after."""
    saved = {name: logging.getLogger(name).level for name in logs.CHATTY_LOGGERS}
    logs.configure(logging.INFO)
    yield
    for name, level in saved.items():
        logging.getLogger(name).setLevel(level)


def with_secrets(url: str, user: str, query: str) -> str:
    return url.replace("http://", f"http://{user}@", 1) + query


async def test_agent_calls_and_pushes_log_no_secret(
    hub: Hub, buyer: str, tmp_path: Path, caplog: pytest.LogCaptureFixture, logging_setup: None
) -> None:
    caplog.set_level(logging.INFO)
    hub_url = with_secrets(f"{hub.url}/push_sms_webhook", "pusher:PUSHPASS", "?token=PUSHTOKEN")
    config = AgentConfig(
        host="127.0.0.1",
        port=0,
        key="bank-key",
        hub_url=hub_url,
        data_dir=tmp_path / "agent",
        simulate=2,
        sim_sms_delay_seconds=0.1,
        push_retry_seconds=0.5,
    )
    async with AgentRuntime(config) as agent:
        agent_url = with_secrets(agent.url, "bank:AGENTPASS", "?apikey=AGENTKEY")
        async with hub.ctx.db.transaction() as session:
            await suppliers.add(session, "bank", agent_url, "bank-key", hub.clock.now())
        await jobs.poll_stock(hub.ctx)  # GET_SERVICES
        reply = await hub.api("getNum", buyer, service="vk", number=1)  # GET_NUMBER
        assert reply["response"] == 1, reply
        await wait_for_code(hub, buyer, reply["tzid"])  # the agent's PUSH_SMS arrived
    assert "agent listening on http://127.0.0.1:" in caplog.text  # INFO lines are kept
    leaked = [r.getMessage() for r in caplog.records if any(s in r.getMessage() for s in SECRETS)]
    assert leaked == []


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        (
            "https://u:p@agent.example:8443/sms/hub?key=s3cret#frag",
            "https://agent.example:8443/sms/hub",
        ),
        ("http://hub.example/push_sms_webhook?token=t", "http://hub.example/push_sms_webhook"),
        ("http://[::1]:8080/?k=v", "http://[::1]:8080/"),
        ("http://host:notaport/", "<unparsable URL>"),
    ],
)
def test_loggable_url_keeps_scheme_host_port_path(url: str, shown: str) -> None:
    assert logs.loggable_url(url) == shown
