"""Public onlinesim v1 client libraries from PyPI, unchanged, against simgate's hub and its
reference agent: rent a number, read the code the simulated pool sends, finish; the balance
changes once, by the price."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from simgate.activations.states import State
from simgate.models.activations import Activation, InboundSms
from simgate.worker import jobs
from tests.clients.conftest import run_driver
from tests.hub.conftest import Hub, reference_agent

SERVICE = "VKcom"  # the onlinesim name (getNumbersStats slug) of VK


@pytest.fixture
async def pool(hub: Hub, tmp_path: Path) -> AsyncIterator[None]:
    async with reference_agent(hub, tmp_path / "agent", simulate=2, sim_sms_delay_seconds=0.1):
        yield


async def stored(hub: Hub, tzid: int) -> tuple[Activation, list[str | None]]:
    """The activation as the hub keeps it, and the codes it extracted from its SMS."""
    async with hub.ctx.db.transaction() as session:
        activation = await session.get_one(Activation, tzid)
        codes = await session.scalars(
            select(InboundSms.code).where(InboundSms.activation_id == tzid)
        )
        return activation, list(codes)


async def check_one_sale(hub: Hub, key: str, result: dict[str, Any]) -> None:
    activation, codes = await stored(hub, int(result["tzid"]))
    assert activation.state == State.OVER_OK
    assert str(result["number"]).lstrip("+") == activation.phone
    assert codes == [result["code"]]
    assert Decimal(str(result["before"])) - Decimal(str(result["after"])) == Decimal(
        str(result["price"])
    )
    # Nothing the workers still have to do changes the money again.
    await jobs.drain_outbox(hub.ctx)
    await hub.tick()
    balance = await hub.api("getBalance", key)
    assert Decimal(balance["balance"]) == Decimal(str(result["after"]))


# onlinesimru POSTs getNum as a JSON body ({"extension": false, "number": true, ...}) and
# sends getState's flags as msg_list=false&clean=true in the query.
async def test_onlinesimru_rents_reads_the_code_and_finishes(hub, pool, make_buyer, clients_python):
    key = await make_buyer()
    result = await run_driver(clients_python, "onlinesimru_driver", hub.url, key, SERVICE)
    await check_one_sale(hub, key, result)


# pyonlinesim has no URL parameter; a subclass overrides its BASE_URL (see the driver).
async def test_pyonlinesim_rents_reads_the_code_and_finishes(
    hub, pool, make_buyer, clients_pydantic1_python
):
    key = await make_buyer()
    result = await run_driver(clients_pydantic1_python, "pyonlinesim_driver", hub.url, key, SERVICE)
    assert result["finished"] == "1"
    await check_one_sale(hub, key, result)
