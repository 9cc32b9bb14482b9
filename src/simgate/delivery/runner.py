"""The long-lived queue runner: one SMPP (or log) session at a time, reconnecting with backoff.

Per session two loops run: dispatch (claim due messages, submit their unacknowledged parts
through a window of in-flight submit_sm and a rate limiter) and receipts (deliver_sm in).
Everything the SMSC says goes through one Recorder, committed in arrival order: a message is
given back for retry only after the acknowledgements of its earlier parts are durable, so a
retry never resends an acknowledged part.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable

from sqlalchemy.exc import SQLAlchemyError

from simgate.core import backoff
from simgate.core.deps import Deps
from simgate.core.settings import Settings
from simgate.delivery import outcomes
from simgate.delivery.queue import Work
from simgate.delivery.recorder import Recorder
from simgate.delivery.segmentation import concat_udh, segment
from simgate.delivery.throttle import RateLimiter
from simgate.delivery.transport import (
    ESME_RTHROTTLED,
    LogTransport,
    PartPdu,
    Transport,
    TransportError,
)

log = logging.getLogger(__name__)

ESM_UDHI = 0x40
THROTTLE_PAUSE_SECONDS = 1.0
FIRST_BACKOFF_SECONDS = 0.5
RECONNECT_JITTER = 0.2  # runners that lost one SMSC together do not all return together
DRAIN_SECONDS = 5.0
# How long a lost session's receipts already read off the socket are still taken: the
# library's end-of-session event follows them, so this bounds only a session that hangs.
RECEIPTS_AFTER_LOSS_SECONDS = 2.0
MAX_CLAIM_AHEAD = 500
# A claimed part is submitted only within this share of the lease, counted from before the
# claim: past it another worker may soon take the message, and both would send it.
SEND_WITHIN_LEASE = 0.75


def default_transport(deps: Deps) -> Transport:
    """SMPP when an SMSC is configured, the log transport otherwise."""
    if deps.settings.smsc_host:
        from simgate.delivery.smpp import SmppTransport

        return SmppTransport(deps.settings)
    return LogTransport()


def claim_ahead(settings: Settings) -> int:
    """How many messages the dispatcher keeps claimed: enough that a claim transaction is
    paid once per many messages, not per window, and no more than the configured rate sends
    in a quarter of the lease (but always a window's worth, to keep the window full)."""
    by_rate = int(settings.smsc_throughput_per_second * settings.delivery_claim_seconds / 4)
    return max(1, settings.smsc_window, min(MAX_CLAIM_AHEAD, by_rate))


def claim_ready(settings: Settings, active: int) -> bool:
    """Whether to claim now, with `active` messages still being sent: claims come in batches
    of at least half the claim-ahead, since one transaction per handful of messages would
    make claims, not the SMSC, the limit."""
    ahead = claim_ahead(settings)
    return active == 0 or ahead - active >= ahead // 2


def build_pdus(work: Work) -> list[PartPdu]:
    """The submit_sm of each part still pending; a long text gets a concatenation UDH whose
    reference derives from the message id, so a resent part joins the same message."""
    split = segment(work.text)
    total = split.count
    pdus = []
    for seq in work.pending:
        udh = concat_udh(work.message_id, total, seq) if total > 1 else b""
        pdus.append(
            PartPdu(
                message_id=work.message_id,
                seq=seq,
                total=total,
                source=work.sender,
                destination=work.phone,
                data_coding=split.data_coding,
                esm_class=ESM_UDHI if udh else 0,
                short_message=udh + split.parts[seq - 1],
                udh_length=len(udh),
            )
        )
    return pdus


class DeliveryRunner:
    """`await start()` once per process that should send SMS; `await stop()` on shutdown."""

    def __init__(
        self, deps: Deps, transport_factory: Callable[[], Transport] | None = None
    ) -> None:
        self._deps = deps
        self._factory = transport_factory or (lambda: default_transport(deps))
        self._recorder = Recorder(deps)
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.connected = asyncio.Event()
        self.sessions = 0

    async def start(self) -> None:
        self._recorder.start()
        self._task = asyncio.create_task(self._run(), name="delivery-runner")

    async def stop(self) -> None:
        self._stopping.set()
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self._recorder.stop()

    async def flush(self) -> None:
        """Wait until every SMSC result received so far is committed (tests, shutdown)."""
        await self._recorder.flush()

    async def _run(self) -> None:
        failures = 0
        while not self._stopping.is_set():
            transport = self._factory()
            try:
                await transport.open()
            except TransportError as exc:
                failures += 1
                pause = backoff.delay(
                    FIRST_BACKOFF_SECONDS,
                    failures,
                    cap=self._deps.settings.smsc_reconnect_max_seconds,
                    jitter=RECONNECT_JITTER,
                )
                log.warning("SMSC unavailable (%s); retrying in %.1f s", exc, pause)
                await self._pause(pause)
                continue
            failures = 0
            try:
                await self._session(transport)
            finally:
                self.connected.clear()
                await transport.close()

    async def _pause(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), seconds)

    async def _session(self, transport: Transport) -> None:
        self.sessions += 1
        self.connected.set()
        lost = asyncio.Event()
        tasks = [
            asyncio.create_task(self._dispatch(transport, lost), name="delivery-dispatch"),
            asyncio.create_task(self._receive(transport, lost), name="delivery-receipts"),
            asyncio.create_task(self._stopping.wait(), name="delivery-stop"),
        ]
        dispatch, receive, _ = tasks
        done, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        if dispatch in done and receive in pending:
            # The library answers each deliver_sm as it reads it, so the SMSC forgets every
            # receipt already read: they are taken up to the session's end, not dropped.
            await asyncio.wait([receive], timeout=RECEIPTS_AFTER_LOSS_SECONDS)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        for task in done:
            error = task.exception()
            if error is not None and not isinstance(error, TransportError):
                log.error("delivery session failed", exc_info=error)

    async def _receive(self, transport: Transport, lost: asyncio.Event) -> None:
        try:
            while (receipt := await transport.next_receipt()) is not None:
                self._recorder.put(receipt)
        finally:
            lost.set()

    async def _dispatch(self, transport: Transport, broken: asyncio.Event) -> None:
        settings = self._deps.settings
        limiter = RateLimiter(settings.smsc_throughput_per_second)
        # Claimed messages no lane has taken yet, each with the time it must be sent by.
        claimed: asyncio.Queue[tuple[Work, float]] = asyncio.Queue()
        unfinished = 0  # claimed and not yet acknowledged or given back
        # Set when a message ends and leaves room for a claim, or the last one ends: the idle
        # dispatcher waits on this one event, not on each of the hundreds it keeps claimed.
        room_to_claim = asyncio.Event()

        def finished() -> None:
            nonlocal unfinished
            unfinished -= 1
            if claim_ready(settings, unfinished):
                room_to_claim.set()

        # One lane per window slot: each keeps one submit_sm outstanding and sends the next
        # as soon as its answer is in, so the window stays full without a task and a
        # semaphore hand-off (one more event loop turn) per message.
        lanes = [
            asyncio.create_task(self._lane(transport, claimed, limiter, broken, finished))
            for _ in range(max(1, settings.smsc_window))
        ]
        try:
            while not broken.is_set():
                room_to_claim.clear()  # before looking, so no message's end is missed
                if not claim_ready(settings, unfinished):
                    await self._idle(broken, room_to_claim)
                    continue
                send_by = time.monotonic() + settings.delivery_claim_seconds * SEND_WITHIN_LEASE
                works = await self._claim_shielded(claim_ahead(settings) - unfinished)
                if not works:
                    # Nothing due: look again after the poll interval, not at every message's end.
                    await self._idle(broken, None)
                    continue
                unfinished += len(works)
                for work in works:
                    claimed.put_nowait((work, send_by))
            raise TransportError("session lost")
        finally:
            # Stopping: let the claimed messages go out and their resps in, so they are
            # recorded, not resent. Session lost: no resp can come any more; give the
            # messages back at once.
            try:
                if not broken.is_set():
                    await self._drain(broken, room_to_claim, lambda: unfinished == 0)
            finally:  # even when the drain itself is cancelled
                await self._close_lanes(lanes, claimed)

    async def _close_lanes(
        self, lanes: list[asyncio.Task[None]], claimed: asyncio.Queue[tuple[Work, float]]
    ) -> None:
        """Stop the lanes (each gives back the message it was sending) and give back the
        claimed messages none had taken yet."""
        for lane in lanes:
            lane.cancel()
        await asyncio.gather(*lanes, return_exceptions=True)
        while not claimed.empty():
            work, _ = claimed.get_nowait()
            self._hand_back_unsent(work)

    def _hand_back_unsent(self, work: Work) -> None:
        """Give back a claimed message the runner stops before sending (not its fault)."""
        self._recorder.put(
            outcomes.GiveBack(work.message_id, work.lease, "runner stopped", count_attempt=False)
        )

    async def _drain(
        self, broken: asyncio.Event, progress: asyncio.Event, done: Callable[[], bool]
    ) -> None:
        """Until `done()`, the session breaks or DRAIN_SECONDS pass."""
        deadline = time.monotonic() + DRAIN_SECONDS
        while not done() and not broken.is_set():
            left = deadline - time.monotonic()
            if left <= 0:
                return
            progress.clear()
            await _first_of([broken, progress], left)

    async def _idle(self, broken: asyncio.Event, room_to_claim: asyncio.Event | None) -> None:
        """Until the poll interval passes, the session breaks or (when given) a message task
        ends leaving room to claim."""
        events = [broken] if room_to_claim is None else [broken, room_to_claim]
        await _first_of(events, self._deps.settings.delivery_poll_seconds)

    async def _claim_shielded(self, limit: int) -> list[Work]:
        """A claim committed while the session is being torn down is handed straight back,
        instead of leaving its messages locked until the claim expires."""
        claim = asyncio.ensure_future(self._claim(limit))
        try:
            return await asyncio.shield(claim)
        except asyncio.CancelledError:
            for work in await claim:
                self._hand_back_unsent(work)
            raise

    async def _claim(self, limit: int) -> list[Work]:
        try:
            async with self._deps.db.transaction() as session:
                now = self._deps.clock.now()
                return await outcomes.claim_due(session, self._deps.settings, now, limit)
        except SQLAlchemyError:
            log.exception("could not claim queued SMS")
            return []

    async def _lane(
        self,
        transport: Transport,
        claimed: asyncio.Queue[tuple[Work, float]],
        limiter: RateLimiter,
        broken: asyncio.Event,
        finished: Callable[[], None],
    ) -> None:
        while True:
            work, send_by = await claimed.get()
            try:
                await self._send(transport, work, limiter, broken, send_by)
            finally:
                finished()

    async def _send(
        self,
        transport: Transport,
        work: Work,
        limiter: RateLimiter,
        broken: asyncio.Event,
        send_by: float,
    ) -> None:
        def give_back(error: str, **flags: bool) -> None:
            self._recorder.put(outcomes.GiveBack(work.message_id, work.lease, error, **flags))

        try:
            for pdu in build_pdus(work):
                await limiter.acquire()
                if time.monotonic() > send_by:
                    # Waited too long behind the window or the rate: what is unsent goes
                    # back to the queue instead of racing a worker that took it over.
                    give_back("claim ran out before sending", count_attempt=False)
                    return
                outcome = await transport.submit(pdu)
                if outcome.ok:
                    assert outcome.smsc_message_id is not None  # part of `ok`
                    self._recorder.put(
                        outcomes.Ack(work.message_id, work.lease, pdu.seq, outcome.smsc_message_id)
                    )
                    continue
                if outcome.status == ESME_RTHROTTLED:
                    limiter.pause(THROTTLE_PAUSE_SECONDS)
                give_back(f"SMSC status 0x{outcome.status:08x}", permanent=not outcome.transient)
                return
        except TransportError as exc:
            give_back(str(exc), count_attempt=False)
            broken.set()
        except asyncio.CancelledError:
            give_back("runner stopped", count_attempt=False)
            raise


async def _first_of(events: list[asyncio.Event], seconds: float) -> None:
    """Until one of `events` is set or `seconds` pass."""
    waits = {asyncio.ensure_future(event.wait()) for event in events}
    await asyncio.wait(waits, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
    for wait in waits:
        wait.cancel()
