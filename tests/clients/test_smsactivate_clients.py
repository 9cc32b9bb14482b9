"""The six public sms-activate client libraries from PyPI, unchanged, against simgate's hub
and its reference agent. With each: rent, read the code, ask for another code, read the
second code, finish; then rent again and cancel. The hub must record one sale and one
refund, and the balance the client reads must move exactly once, by the price.

The simulated pool sends each rented number two SMS, `DELAY` and `DELAY + INTERVAL` seconds
after handing it out, on a clock the test moves: first once the client holds its number,
then once it has asked for another code. So the second code never arrives before the client
asked for it (it would be taken for an answer to the first), and the cancelled rental, whose
SMS would only come after a later move, never gets one.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from simgate.activations.states import State
from simgate.core.clock import FrozenClock
from simgate.ledger import service as ledger
from simgate.models import Activation, InboundSms, LedgerEntry
from simgate.worker import jobs
from tests.clients.conftest import run_driver
from tests.hub.conftest import Hub, reference_agent
from tests.smsactivate.helpers import stored, text

DELAY = 30
INTERVAL = 60
PRICE = Decimal("14.00")  # the seeded price of vk in Russia
STEP_SECONDS = 0.05  # how often the test looks at what the client has done so far


@pytest.fixture
def agent_clock() -> FrozenClock:
    return FrozenClock()


@pytest.fixture
async def pool(hub: Hub, tmp_path: Path, agent_clock: FrozenClock) -> AsyncIterator[None]:
    async with reference_agent(
        hub,
        tmp_path / "agent",
        agent_clock,
        simulate=3,
        sim_sms_count=2,
        sim_sms_delay_seconds=DELAY,
        sim_sms_interval_seconds=INTERVAL,
        tick_seconds=0.02,
    ):
        yield


async def _first_rental(hub: Hub) -> Activation | None:
    async with hub.ctx.db.read() as session:
        found = await session.scalars(select(Activation).order_by(Activation.id).limit(1))
        return found.first()


async def _until(hub: Hub, driver: asyncio.Task[Any], done: Callable[[Activation], bool]) -> bool:
    """Wait until the client's first rental has reached `done`; False if the driver ended
    first (its own failure then tells what went wrong)."""
    while not driver.done():
        rental = await _first_rental(hub)
        if rental is not None and done(rental):
            return True
        await asyncio.sleep(STEP_SECONDS)
    return False


async def drive(
    hub: Hub, clock: FrozenClock, python: Path, driver: str, key: str
) -> dict[str, Any]:
    task = asyncio.create_task(run_driver(python, driver, hub.url, key))
    if await _until(hub, task, lambda rental: rental.phone is not None):
        clock.advance(DELAY)
        if await _until(hub, task, lambda rental: rental.revise_cursor > 0):
            clock.advance(INTERVAL)
    return await task


async def check_sale_and_refund(hub: Hub, key: str, result: dict[str, Any]) -> None:
    sold, sold_hold = await stored(hub, int(result["sold"]))
    assert (sold.state, sold_hold.state) == (State.OVER_OK, "captured")
    assert str(result["phone"]) == sold.phone
    cancelled, cancelled_hold = await stored(hub, int(result["cancelled"]))
    assert (cancelled.state, cancelled_hold.state) == (State.OVER_EMPTY, "released")
    async with hub.ctx.db.read() as session:
        codes = await session.scalars(
            select(InboundSms.code)
            .where(InboundSms.activation_id == sold.id)
            .order_by(InboundSms.seq)
        )
        assert list(codes) == result["codes"]
        assert result["codes"][0] != result["codes"][1]
        for hold, end in ((sold_hold, "capture"), (cancelled_hold, "release")):
            kinds = await session.scalars(
                select(LedgerEntry.kind)
                .where(LedgerEntry.hold_id == hold.id)
                .order_by(LedgerEntry.id)
            )
            assert list(kinds) == ["hold", end]
    before, after_sale, after_cancel = (
        Decimal(str(result[name])) for name in ("before", "after_sale", "after_cancel")
    )
    assert before - after_sale == PRICE
    assert after_cancel == after_sale
    # Nothing the workers still have to do changes the money again.
    await jobs.drain_outbox(hub.ctx)
    await hub.tick()
    assert await text(hub, key, "getBalance") == f"ACCESS_BALANCE:{after_cancel:.2f}"
    async with hub.ctx.db.read() as session:
        assert await ledger.check(session) == []


async def test_smsactivate(hub, pool, agent_clock, make_buyer, clients_python):
    key = await make_buyer()
    result = await drive(hub, agent_clock, clients_python, "smsactivate_driver", key)
    await check_sale_and_refund(hub, key, result)
    assert result["replies"] == {
        "retry": "ACCESS_RETRY_GET",
        "waiting": f"STATUS_WAIT_RETRY:{result['codes'][0]}",
        "finish": "ACCESS_ACTIVATION",
        "cancel": "ACCESS_CANCEL",
    }


async def test_aiosmsactivate(hub, pool, agent_clock, make_buyer, clients_python):
    key = await make_buyer()
    result = await drive(hub, agent_clock, clients_python, "aiosmsactivate_driver", key)
    await check_sale_and_refund(hub, key, result)
    assert result["replies"] == {
        "finish": "ACCESS_ACTIVATION",
        "cancel": "ACCESS_CANCEL",
        # wait_sms_code asked for another code after the second one too, which never came;
        # sold, the rental waits for nothing and shows the code it was sold with.
        "v2_code": result["codes"][1],
        "active": [str(result["cancelled"])],
    }


async def test_herosms(hub, pool, agent_clock, make_buyer, clients_python):
    key = await make_buyer()
    result = await drive(hub, agent_clock, clients_python, "herosms_driver", key)
    await check_sale_and_refund(hub, key, result)
    assert result["replies"] == {"active": [[result["sold"], "2"]], "cost": 14.0}


async def test_pysmshub(hub, pool, agent_clock, make_buyer, clients_python):
    key = await make_buyer()
    result = await drive(hub, agent_clock, clients_python, "pysmshub_driver", key)
    await check_sale_and_refund(hub, key, result)
    assert result["replies"] == {
        "retry": "ACCESS_RETRY_GET",
        "waiting": [3, result["codes"][0]],
        "finish": "ACCESS_ACTIVATION",
        "cancel": "ACCESS_CANCEL",
    }


async def test_grizzly(hub, pool, agent_clock, make_buyer, clients_python):
    key = await make_buyer()
    result = await drive(hub, agent_clock, clients_python, "grizzly_driver", key)
    await check_sale_and_refund(hub, key, result)
    assert result["replies"] == {
        "ready": "ACCESS_READY",
        "retry": "ACCESS_RETRY_GET",
        "waiting": ["STATUS_WAIT_RETRY", result["codes"][0]],
        "v2_code": result["codes"][1],
        "finish": "ACCESS_ACTIVATION",
        "cancel": "ACCESS_CANCEL",
    }


async def test_async_sms_activate(hub, pool, agent_clock, make_buyer, clients_python):
    key = await make_buyer()
    result = await drive(hub, agent_clock, clients_python, "async_sms_activate_driver", key)
    await check_sale_and_refund(hub, key, result)
    assert result["replies"] == {
        "ready": "ACCESS_READY",
        "retry": "ACCESS_RETRY_GET",
        "finish": "ACCESS_ACTIVATION",
        "cancel": "ACCESS_CANCEL",
    }
