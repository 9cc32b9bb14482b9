"""The queue runner against a real SMPP 3.4 peer on loopback (smpp34's server): concatenated
UCS-2 submits, receipts, refusals, throttling and a connection dropped mid-queue."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import pytest

# smpp34 re-exports its ESME_* constants at run time, out of mypy's sight; take them
# from the module its stub describes.
from smpp34._smpp34 import ESME_RINVDSTADR, ESME_RTHROTTLED
from sqlalchemy import select

from simgate.core.clock import SystemClock
from simgate.core.db import Database
from simgate.core.settings import Settings
from simgate.delivery import queue, service
from simgate.delivery.runner import DeliveryRunner
from simgate.delivery.segmentation import decode_part
from simgate.hub.context import HubContext
from simgate.ledger import service as ledger
from simgate.models.delivery import OutboundMessage
from tests.delivery.conftest import SENDER, Customer, DeliveryClient, make_ctx, smsc_settings
from tests.delivery.smsc import CuttableProxy, LoopbackSmsc

CYRILLIC_200 = ("Съешь же ещё этих мягких французских булок, да выпей чаю. " * 4)[:200]


@pytest.fixture
async def smsc() -> AsyncIterator[LoopbackSmsc]:
    async with LoopbackSmsc() as peer:
        yield peer


@pytest.fixture
async def ctx(settings: Settings, db: Database, smsc: LoopbackSmsc) -> AsyncIterator[HubContext]:
    context = make_ctx(settings, db, SystemClock(), **smsc_settings(smsc.port))
    yield context
    await context.close_http()


@asynccontextmanager
async def running(ctx: HubContext) -> AsyncIterator[DeliveryRunner]:
    runner = DeliveryRunner(ctx.deps)
    await runner.start()
    try:
        yield runner
    finally:
        await runner.stop()


async def eventually(check: Callable[[], Awaitable[bool]], within: float = 15.0) -> None:
    deadline = time.monotonic() + within
    while not await check():
        assert time.monotonic() < deadline, "condition not reached in time"
        await asyncio.sleep(0.05)


async def states(ctx: HubContext) -> Counter[str]:
    async with ctx.db.read() as session:
        return Counter(await queue.count_by_state(session))


def all_in(ctx: HubContext, state: str, count: int) -> Callable[[], Awaitable[bool]]:
    async def check() -> bool:
        return (await states(ctx))[state] == count

    return check


async def enqueue(ctx: HubContext, customer: Customer, phones: list[str], text: str) -> None:
    for start in range(0, len(phones), service.MAX_NUMBERS):
        async with ctx.db.transaction() as session:
            await service.send(
                session, ctx.settings, customer.account_id,
                phones=",".join(phones[start : start + service.MAX_NUMBERS]),
                text=text, sender=SENDER, now=ctx.clock.now(),
            )  # fmt: skip


async def test_signed_cyrillic_send_to_three_numbers(
    api: DeliveryClient, ctx: HubContext, smsc: LoopbackSmsc
) -> None:
    phones = ["79001110001", "79001110002", "79001110003"]
    reply = await api.call("send", phone=",".join(phones), text=CYRILLIC_200, sender=SENDER)
    assert [(reply[p]["count_sms"], reply[p]["cost"]) for p in phones] == [("3", "1.5")] * 3
    assert await api.call("balance") == {"money": "95.5", "currency": "RUR"}  # 9 parts held
    async with running(ctx) as runner:
        await eventually(all_in(ctx, "delivered", 3))
        await runner.flush()
    assert len(smsc.accepted) == 9
    assert {(s.data_coding, s.esm_class, s.registered_delivery) for s in smsc.accepted} == {
        (8, 0x40, 1)
    }
    assert smsc.system_ids == ["simgate"]
    for phone in phones:
        parts = sorted((s for s in smsc.accepted if s.destination == phone), key=lambda s: s.udh[5])
        assert [s.udh[4:] for s in parts] == [bytes([3, 1]), bytes([3, 2]), bytes([3, 3])]
        assert len({s.udh[3] for s in parts}) == 1  # one concatenation reference
        assert "".join(decode_part(s.body, 8) for s in parts) == CYRILLIC_200
        assert parts[0].source == SENDER and parts[0].source_ton == 5
    ids = ",".join(reply[p]["id_sms"] for p in phones)
    assert set((await api.call("status", state=ids)).values()) == {"deliver"}
    async with ctx.db.read() as session:
        view = await ledger.balance(session, api.customer.account_id)
        assert (view.held, view.captured, view.available) == (0, 450, 9550)
        assert await ledger.check(session) == []


async def test_undelivered_receipt_and_refusal(
    ctx: HubContext, customer: Customer, smsc: LoopbackSmsc
) -> None:
    smsc.receipt_stat = "UNDELIV"
    smsc.decide = lambda e: ESME_RINVDSTADR if e.destination_addr.endswith("9") else None
    await enqueue(ctx, customer, ["79001110001", "79001110009"], "plain GSM text")
    async with running(ctx):
        await eventually(all_in(ctx, "undelivered", 1))
        await eventually(all_in(ctx, "failed", 1))
    assert len(smsc.accepted) == 1 and len(smsc.refused) == 1  # a refusal is final
    async with ctx.db.read() as session:
        view = await ledger.balance(session, customer.account_id)
        # Accepted by the SMSC: paid even though the handset never got it; refused: refunded.
        assert (view.captured, view.held, view.available) == (50, 0, 9950)
        assert await ledger.check(session) == []


async def test_throttled_submits_are_retried_and_rate_is_kept(
    ctx: HubContext, customer: Customer, smsc: LoopbackSmsc
) -> None:
    ctx.settings = ctx.settings.model_copy(update={"smsc_throughput_per_second": 20.0})
    refusals = iter([ESME_RTHROTTLED] * 3)
    smsc.decide = lambda _e: next(refusals, None)
    await enqueue(ctx, customer, [f"7900222{i:04d}" for i in range(30)], "rate test")
    async with running(ctx):
        await eventually(all_in(ctx, "delivered", 30))
    assert len(smsc.refused) == 3
    assert sorted(Counter(s.destination for s in smsc.accepted).values()) == [1] * 30
    times = sorted(s.at for s in smsc.accepted)
    # 20/s with a burst of 2: 30 accepted submits take at least (30 - 2) / 20 s.
    assert times[-1] - times[0] >= 1.3
    busiest = max(sum(1 for t in times if start <= t < start + 1.0) for start in times)
    assert busiest <= 20 + 2


async def test_connection_drop_mid_queue_resends_only_unacknowledged(
    settings: Settings, db: Database, customer: Customer, smsc: LoopbackSmsc
) -> None:
    async with CuttableProxy(smsc.port) as proxy:
        # A part in flight when the link is cut is taken again once its lease ends. The lease
        # must outlast recording an acknowledgement (a busy machine took over 3 s): an
        # acknowledged part whose lease ran out first would rightly be taken and sent again.
        ctx = make_ctx(
            settings, db, SystemClock(), **smsc_settings(proxy.port, delivery_claim_seconds=10.0)
        )
        ctx.settings = ctx.settings.model_copy(update={"smsc_throughput_per_second": 400.0})
        phones = [f"7900333{i:04d}" for i in range(200)]
        await enqueue(ctx, customer, phones, "drop test")
        async with running(ctx) as runner:
            await eventually(lambda: _at_least(smsc, 60))
            proxy.cut()
            await eventually(all_in(ctx, "delivered", 200), within=60)
            assert runner.sessions >= 2 and proxy.connections >= 2
        await ctx.close_http()
    per_phone = Counter(s.destination for s in smsc.accepted)
    assert set(per_phone) == set(phones)
    # An acknowledged part is never sent again; only parts whose submit_sm_resp was lost in
    # the cut (at most one window) may reach the SMSC twice.
    print("resent after the cut:", sum(per_phone.values()) - len(phones))
    assert sum(per_phone.values()) - len(phones) <= ctx.settings.smsc_window


async def _at_least(smsc: LoopbackSmsc, count: int) -> bool:
    return len(smsc.accepted) >= count


async def test_receipts_before_ack_and_id_forms(ctx: HubContext, customer: Customer) -> None:
    from simgate.delivery import outcomes
    from simgate.delivery.receipts import Receipt

    await enqueue(ctx, customer, ["79001110001"], "x")
    async with ctx.db.transaction() as session:
        now = ctx.clock.now()
        [work] = await outcomes.claim_due(session, ctx.settings, now, 10)
        # The SMSC answered with hex 0x1F4 and quotes it in decimal; the receipt comes first.
        await outcomes.record_receipts(session, [Receipt("500", "DELIVRD", "delivered")], now)
        ack = outcomes.Ack(work.message_id, work.lease, 1, "1f4")
        await outcomes.record_acks(session, ctx.settings, [ack], now)
        state = (await session.execute(select(OutboundMessage.state))).scalar_one()
    assert state == "delivered"


async def test_log_transport_without_smsc(
    settings: Settings, db: Database, customer: Customer, caplog: pytest.LogCaptureFixture
) -> None:
    ctx = make_ctx(settings, db, SystemClock())
    assert ctx.settings.smsc_host == ""
    caplog.set_level("INFO", logger="simgate.delivery.log_transport")
    await enqueue(ctx, customer, ["79001110001"], "Код: 1234 {ok}")
    async with running(ctx):
        await eventually(all_in(ctx, "delivered", 1))
    await ctx.close_http()
    assert "to 79001110001: Код: 1234 {ok}" in caplog.text


@pytest.mark.slow
async def test_idle_session_is_kept_alive_with_enquire_link(
    settings: Settings, db: Database, customer: Customer, smsc: LoopbackSmsc
) -> None:
    """smpp34 sends enquire_link every 30 s (not configurable from Python): wait for one on
    an idle bind, then check the same session still delivers."""
    async with CuttableProxy(smsc.port) as proxy:
        ctx = make_ctx(settings, db, SystemClock(), **smsc_settings(proxy.port))
        async with running(ctx) as runner:
            await runner.connected.wait()
            await eventually(lambda: _seen(proxy, ENQUIRE_LINK), within=40)
            await enqueue(ctx, customer, ["79001110001"], "still bound")
            await eventually(all_in(ctx, "delivered", 1))
            assert runner.sessions == 1 and proxy.connections == 1
        await ctx.close_http()


ENQUIRE_LINK = 0x00000015


async def _seen(proxy: CuttableProxy, command_id: int) -> bool:
    return command_id in proxy.from_client.command_ids
