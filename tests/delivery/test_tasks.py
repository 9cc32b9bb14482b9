"""Housekeeping and the retry policy: expired messages are refunded, used signatures are
forgotten, stranded receipts are applied, transient refusals back off then give up."""

from __future__ import annotations

from sqlalchemy import func, select

from simgate.core.clock import FrozenClock
from simgate.delivery import outcomes, queue, service, tasks
from simgate.hub.context import HubContext
from simgate.ledger import service as ledger
from simgate.models.delivery import DeliveryRequest, OutboundMessage
from tests.delivery.conftest import SENDER, START_BALANCE, Customer, DeliveryClient


async def enqueue_one(ctx: HubContext, customer: Customer) -> None:
    async with ctx.db.transaction() as session:
        await service.send(
            session, ctx.settings, customer.account_id,
            phones="79001110001", text="hi", sender=SENDER, now=ctx.clock.now(),
        )  # fmt: skip


async def message_state(ctx: HubContext) -> str:
    async with ctx.db.read() as session:
        return str((await session.execute(select(OutboundMessage.state))).scalar_one())


async def test_unsent_message_expires_and_is_refunded(
    ctx: HubContext, customer: Customer, clock: FrozenClock
) -> None:
    await enqueue_one(ctx, customer)
    assert await tasks.run_once(ctx.deps) == 0
    clock.advance(ctx.settings.delivery_message_ttl_seconds + 1)
    assert await tasks.run_once(ctx.deps) == 1
    assert await message_state(ctx) == "failed"
    async with ctx.db.read() as session:
        view = await ledger.balance(session, customer.account_id)
        assert (view.available, view.held) == (START_BALANCE, 0)
        assert await ledger.check(session) == []


async def test_used_signatures_are_forgotten_after_two_windows(
    api: DeliveryClient, ctx: HubContext, clock: FrozenClock
) -> None:
    await api.call("add_template", name="t", text="x")

    async def stored() -> int:
        async with ctx.db.read() as session:
            stmt = select(func.count()).select_from(DeliveryRequest)
            return int((await session.execute(stmt)).scalar_one())

    assert await stored() == 1
    clock.advance(2 * ctx.settings.delivery_signature_window_seconds + 2)
    await tasks.run_once(ctx.deps)
    assert await stored() == 0


async def test_stranded_receipt_is_applied_by_the_sweep(
    ctx: HubContext, customer: Customer
) -> None:
    await enqueue_one(ctx, customer)
    now = ctx.clock.now()
    async with ctx.db.transaction() as session:
        [work] = await outcomes.claim_due(session, ctx.settings, now, 10)
        await outcomes.record_acks(
            session, ctx.settings, [outcomes.Ack(work.message_id, work.lease, 1, "abc")], now
        )
        # As if another worker stored it without seeing the acknowledgement.
        await queue.add_receipts(session, [("abc", "DELIVRD", "delivered")], now)
    assert await message_state(ctx) == "submitted"
    assert await tasks.run_once(ctx.deps) == 1
    assert await message_state(ctx) == "delivered"


async def test_transient_refusals_back_off_then_fail(
    ctx: HubContext, customer: Customer, clock: FrozenClock
) -> None:
    ctx.settings = ctx.settings.model_copy(
        update={"delivery_max_attempts": 3, "delivery_retry_seconds": 10.0}
    )
    await enqueue_one(ctx, customer)
    delays = []
    for _ in range(3):
        async with ctx.db.transaction() as session:
            now = ctx.clock.now()
            [work] = await outcomes.claim_due(session, ctx.settings, now, 10)
            back = outcomes.GiveBack(work.message_id, work.lease, "SMSC status 0x00000058")
            await outcomes.give_back(session, ctx.settings, back, now)
            due = (await session.execute(select(OutboundMessage.next_attempt_at))).scalar_one()
            delays.append((due - now).total_seconds())
            assert await outcomes.claim_due(session, ctx.settings, now, 10) == []  # not yet due
        clock.advance(delays[-1])
    assert delays[:2] == [10.0, 20.0]
    assert await message_state(ctx) == "failed"  # the third attempt was the last
    async with ctx.db.read() as session:
        assert (await ledger.balance(session, customer.account_id)).available == START_BALANCE
