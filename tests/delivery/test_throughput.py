"""What keeps the queue fast, counted rather than timed: the SMPP window is kept full (the
SMSC sees `smsc_window` submit_sm outstanding at once), and a batch of acknowledgements is
recorded, money captured included, in one transaction of a fixed number of statements."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import func, select

from simgate.core.clock import SystemClock
from simgate.core.db import Database
from simgate.core.settings import Settings
from simgate.delivery import outcomes
from simgate.delivery.recorder import MAX_LINGERS, Recorder
from simgate.delivery.runner import MAX_CLAIM_AHEAD, claim_ahead
from simgate.hub.context import HubContext
from simgate.ledger import service as ledger
from simgate.models import LedgerEntry
from tests.delivery.conftest import Customer, make_ctx, smsc_settings
from tests.delivery.smsc import LoopbackSmsc
from tests.delivery.test_smpp import all_in, enqueue, eventually, running
from tests.hub.test_sql_counts import statements_sent

WINDOW = 7
PART_PRICE = 50
# Statements one recorder transaction sends for a batch of single-part acknowledgements, any
# number of them (SQLite, PostgreSQL): BEGIN IMMEDIATE on SQLite; the parts marked submitted
# (one executemany), their messages moved on, the holds ended, the balances moved (one
# executemany), the capture entries written, the receipts that beat their acknowledgement
# looked for; then the changed accounts published: on SQLite a change_topics bump, on
# PostgreSQL the pg_notify.
RECORD_STATEMENTS = (8, 7)


@pytest.fixture
async def ctx(settings: Settings, db: Database, smsc: LoopbackSmsc) -> AsyncIterator[HubContext]:
    context = make_ctx(settings, db, SystemClock(), **smsc_settings(smsc.port, smsc_window=WINDOW))
    yield context
    await context.close_http()


async def test_the_window_keeps_smsc_window_submits_outstanding(
    ctx: HubContext, customer: Customer, smsc: LoopbackSmsc
) -> None:
    # The SMSC answers only once WINDOW submit_sm wait for their response: a runner that kept
    # fewer outstanding would never get one through.
    smsc.answer_in_groups = WINDOW
    await enqueue(ctx, customer, [f"7900444{i:04d}" for i in range(5 * WINDOW)], "window")
    async with running(ctx):
        await eventually(all_in(ctx, "delivered", 5 * WINDOW))
    assert len(smsc.accepted) == 5 * WINDOW
    assert smsc.most_outstanding == WINDOW


async def claimed_acks(ctx: HubContext, customer: Customer, count: int) -> list[outcomes.Ack]:
    """`count` single-part messages queued and claimed, and the SMSC's acknowledgement of each."""
    await enqueue(ctx, customer, [f"7900555{i:04d}" for i in range(count)], "batched")
    async with ctx.db.transaction() as session:
        works = await outcomes.claim_due(session, ctx.settings, ctx.clock.now(), count)
    assert len(works) == count
    return [outcomes.Ack(w.message_id, w.lease, 1, f"smsc-{w.message_id}") for w in works]


@pytest.mark.parametrize("batch", [1, 40])
async def test_a_batch_of_acknowledgements_is_one_transaction_of_fixed_statements(
    ctx: HubContext, customer: Customer, batch: int
) -> None:
    acks = await claimed_acks(ctx, customer, batch)
    recorder = Recorder(ctx.deps)
    for ack in acks:  # all put before the recorder first runs: one batch
        recorder.put(ack)
    with statements_sent(ctx.db) as log:
        recorder.start()
        await recorder.flush()
    await recorder.stop()
    listing = "\n".join(log.statements)
    sqlite, postgres = RECORD_STATEMENTS
    assert len(log.statements) == (sqlite if ctx.db.is_sqlite else postgres), listing
    assert sum(s.startswith("BEGIN") for s in log.statements) == (1 if ctx.db.is_sqlite else 0)
    assert await all_in(ctx, "submitted", batch)()
    async with ctx.db.read() as session:
        view = await ledger.balance(session, customer.account_id)
        assert (view.held, view.captured) == (0, batch * PART_PRICE)
        captures = select(func.count()).where(LedgerEntry.kind == "capture")
        assert (await session.execute(captures)).scalar_one() == batch
        assert await ledger.check(session) == []


async def test_acknowledgements_a_moment_apart_share_one_transaction(
    ctx: HubContext, customer: Customer
) -> None:
    # The SMSC's answers to one window come a little apart: the recorder, woken by the first,
    # waits a few ms for the others instead of paying a transaction for each.
    acks = await claimed_acks(ctx, customer, WINDOW)
    recorder = Recorder(ctx.deps)
    recorder.start()
    with statements_sent(ctx.db) as log:
        for ack in acks:
            recorder.put(ack)
            await asyncio.sleep(0)  # the recorder wakes up after the first
        await recorder.flush()
    await recorder.stop()
    marked = [s for s in log.statements if s.startswith("UPDATE delivery_parts")]
    assert len(marked) == 1, "\n".join(log.statements)
    assert await all_in(ctx, "submitted", WINDOW)()


class SteppedRecorder(Recorder):
    """A recorder whose waits for more records end when the test says so."""

    def __init__(self, ctx: HubContext) -> None:
        super().__init__(ctx.deps)
        self.waits: asyncio.Queue[asyncio.Event] = asyncio.Queue()

    async def _linger(self) -> None:
        done = asyncio.Event()
        self.waits.put_nowait(done)
        await done.wait()

    async def next_wait(self) -> asyncio.Event:
        return await asyncio.wait_for(self.waits.get(), 10)


async def test_acknowledgements_that_keep_coming_keep_joining_the_batch(
    ctx: HubContext, customer: Customer
) -> None:
    # Under load the answers never pause: each wait brings more, and they all join the one
    # transaction; the batch ends at the first wait that brings nothing.
    acks = await claimed_acks(ctx, customer, 4)
    recorder = SteppedRecorder(ctx)
    recorder.put(acks[0])
    with statements_sent(ctx.db) as log:
        recorder.start()
        for ack in acks[1:]:
            wait = await recorder.next_wait()
            recorder.put(ack)
            wait.set()
        (await recorder.next_wait()).set()  # a wait that brings nothing
        await asyncio.wait_for(recorder.flush(), 10)
    await recorder.stop()
    marked = [s for s in log.statements if s.startswith("UPDATE delivery_parts")]
    assert len(marked) == 1, "\n".join(log.statements)
    assert await all_in(ctx, "submitted", len(acks))()


async def test_a_batch_waits_for_more_at_most_max_lingers_times(
    ctx: HubContext, customer: Customer
) -> None:
    # However steadily they come, the first record of a batch is committed after
    # MAX_LINGERS waits: the batch is closed then, with no further wait.
    acks = await claimed_acks(ctx, customer, MAX_LINGERS + 1)
    recorder = SteppedRecorder(ctx)
    recorder.put(acks[0])
    recorder.start()
    for ack in acks[1:]:
        wait = await recorder.next_wait()
        recorder.put(ack)
        wait.set()
    await asyncio.wait_for(recorder.flush(), 10)
    assert recorder.waits.empty()
    await recorder.stop()
    assert await all_in(ctx, "submitted", len(acks))()


def test_claims_reach_ahead_only_as_far_as_the_rate_sends_within_the_lease() -> None:
    def ahead(rate: float, lease: float, window: int = 10) -> int:
        return claim_ahead(
            Settings(
                smsc_throughput_per_second=rate, delivery_claim_seconds=lease, smsc_window=window
            )
        )

    assert ahead(50, 30) == 375  # a quarter of the lease at the configured rate
    assert ahead(1, 30) == 10  # never less than a window
    assert ahead(1e6, 30) == MAX_CLAIM_AHEAD


async def test_a_message_left_unsent_past_its_claim_goes_back_rather_than_twice_out(
    ctx: HubContext, customer: Customer, smsc: LoopbackSmsc
) -> None:
    # Two runners, a lease of one second and a rate that needs four to send what one runner
    # claims: the other runner takes over every message the first let run out, so only
    # giving those back before their lease ends keeps each message to one submit_sm.
    ctx.settings = ctx.settings.model_copy(
        update={"smsc_throughput_per_second": 5.0, "delivery_claim_seconds": 1.0}
    )
    phones = [f"7900666{i:04d}" for i in range(2 * WINDOW)]
    await enqueue(ctx, customer, phones, "once")
    async with running(ctx), running(ctx):
        await eventually(all_in(ctx, "delivered", len(phones)), within=60)
    assert sorted(s.destination for s in smsc.accepted) == phones
