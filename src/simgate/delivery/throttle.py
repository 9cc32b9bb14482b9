"""A token bucket for submit_sm: SMSCs enforce a per-bind rate and answer ESME_RTHROTTLED (or
drop the bind) above it, so the runner never asks for more than the configured rate."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable


class RateLimiter:
    def __init__(
        self,
        per_second: float,
        *,
        burst: float | None = None,
        now: Callable[[], float] | None = None,
    ) -> None:
        if per_second <= 0:
            raise ValueError("the rate must be positive")
        self.rate = per_second
        # A tenth of a second of traffic at once keeps high rates reachable despite timer
        # granularity, without a burst an SMSC would notice.
        self.capacity = burst if burst is not None else max(1.0, per_second / 10)
        self._now = now or time.monotonic
        self._tokens = self.capacity
        self._stamp = self._now()
        self._paused_until = 0.0

    def _refill(self) -> float:
        now = self._now()
        self._tokens = min(self.capacity, self._tokens + (now - self._stamp) * self.rate)
        self._stamp = now
        return now

    async def acquire(self) -> None:
        """Wait for a slot; the bucket is never checked and spent across an await."""
        while True:
            now = self._refill()
            if now < self._paused_until:
                await asyncio.sleep(self._paused_until - now)
                continue
            if self._tokens >= 1:
                self._tokens -= 1
                return
            await asyncio.sleep((1 - self._tokens) / self.rate)

    def pause(self, seconds: float) -> None:
        """Send nothing for a while (the SMSC said it is throttling us)."""
        self._paused_until = max(self._paused_until, self._now() + seconds)
        self._tokens = 0.0
