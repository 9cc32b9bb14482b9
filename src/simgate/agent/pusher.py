"""PUSH_SMS: drains the outbox into the hub, retrying every `push_retry_seconds` until SUCCESS.

An SMS leaves the outbox only on `{"status":"SUCCESS"}` (delivered) or on one of the answers
that a hub means as final — NO_OPERATION, BAD_SERVICE, IGNORED, SERVICE_BAN — whether sent as
the status itself or as `{"status":"ERROR","error":…}` (recorded as rejected). Anything else —
another error, an HTTP error, a timeout, a hub that is down — is retried, for as long as it
takes. The retry time is read from the injected clock, so tests can step it.
"""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import logging
from typing import Any

import httpx

from simgate.agent.config import AgentConfig
from simgate.agent.outbox import Outcome, OutSms, PushResult
from simgate.agent.store import AgentStore
from simgate.core.jsonutil import dumps, loads

log = logging.getLogger("simgate.agent.pusher")

FINAL_ANSWERS = frozenset({"NO_OPERATION", "BAD_SERVICE", "IGNORED", "SERVICE_BAN"})
BATCH = 200


def push_body(sms: OutSms, key: str) -> dict[str, Any]:
    """The PUSH_SMS request, with strict integer types."""
    return {
        "action": "PUSH_SMS",
        "smsId": int(sms.sms_id),
        "phone": int(sms.phone),
        "phoneFrom": sms.sender,
        "text": sms.text,
        "key": key,
    }


def classify(status_code: int, content: bytes) -> tuple[Outcome, str]:
    """What a hub's answer means for the SMS."""
    if status_code != 200:
        return Outcome.RETRY, f"HTTP {status_code}"
    try:
        reply = loads(content)
    except ValueError:
        reply = None
    if not isinstance(reply, dict):
        return Outcome.RETRY, "reply is not a JSON object"
    status = str(reply.get("status", ""))
    detail = str(reply.get("error", "") or reply.get("message", ""))
    if status == "SUCCESS":
        return Outcome.DELIVERED, ""
    if status in FINAL_ANSWERS:
        return Outcome.REJECTED, status
    if status == "ERROR" and detail in FINAL_ANSWERS:
        return Outcome.REJECTED, detail
    return Outcome.RETRY, f"{status}: {detail}" if detail else status or "no status"


class OutboxPusher:
    """One task: pushes due SMS (several at once), then sleeps until woken or the next tick."""

    def __init__(
        self,
        config: AgentConfig,
        store: AgentStore,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.config = config
        self.store = store
        self._wake = asyncio.Event()
        self._client = httpx.AsyncClient(
            timeout=httpx.Timeout(
                config.push_timeout_seconds, connect=min(5.0, config.push_timeout_seconds)
            ),
            headers={"User-Agent": config.user_agent, "Accept-Encoding": "gzip"},
            transport=transport,
            limits=httpx.Limits(max_connections=config.push_concurrency),
        )
        self._slots = asyncio.Semaphore(max(1, config.push_concurrency))

    def wake(self) -> None:
        """A new SMS is in the outbox: push it without waiting for the next tick."""
        self._wake.set()

    async def run(self) -> None:
        """Push forever (until cancelled)."""
        if not self.config.hub_url:
            log.warning("no hub_url configured: SMS stay in the outbox")
            return
        while True:
            pushed = await self.drain_once()
            if pushed < BATCH:
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self.config.tick_seconds)

    async def drain_once(self) -> int:
        """Push every SMS due now (one batch); return how many were tried."""
        batch = await self.store.due_sms(BATCH)
        if not batch:
            return 0
        results = await asyncio.gather(*(self._push(sms) for sms in batch))
        await self.store.record_push_results(list(results), self.config.push_retry_seconds)
        return len(batch)

    async def aclose(self) -> None:
        """Close the HTTP client."""
        await self._client.aclose()

    async def _push(self, sms: OutSms) -> PushResult:
        body = gzip.compress(dumps(push_body(sms, self.config.key)), compresslevel=5)
        headers = {"Content-Type": "application/json", "Content-Encoding": "gzip"}
        async with self._slots:
            try:
                response = await self._client.post(
                    self.config.hub_url, content=body, headers=headers
                )
            except httpx.HTTPError as exc:
                outcome, detail = Outcome.RETRY, f"{type(exc).__name__}: {exc}"
            else:
                outcome, detail = classify(response.status_code, response.content)
        if outcome is Outcome.RETRY:
            log.info("PUSH_SMS %s not accepted (%s), retrying", sms.sms_id, detail)
        elif outcome is Outcome.REJECTED:
            log.warning("PUSH_SMS %s refused for good: %s", sms.sms_id, detail)
        return PushResult(sms.sms_id, outcome, detail)
