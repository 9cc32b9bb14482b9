"""Buyers: programs renting through the onlinesim dialect, spread over both hubs.

Each keeps its own record of what it saw — the tzids it was given, every code shown to it,
and how each rental looked once closed — so the checks can hold the hub to it. A request
that fails in transit (a hub killed, a database restarting) is retried on the other hub, as
a buyer with two addresses would; a lost getNum answer is found again by listing.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

CLOSED_WORDS = ("TZ_OVER_OK", "TZ_OVER_EMPTY")
# An agent sells a number once per service: many services and SIMs keep a long run in stock.
SERVICES = ("vk", "tg", "wa", "ok", "go", "vi", "ig", "av", "ya")
SWEEP_SECONDS = 60.0


@dataclass
class SeenRental:
    tzid: int
    phone: str = ""
    codes: set[str] = field(default_factory=set)  # every code ever shown
    codes_while_open: set[str] = field(default_factory=set)
    confirmed: bool = False  # setOperationOk answered
    final_word: str = ""  # TZ_OVER_OK / TZ_OVER_EMPTY as last seen


@dataclass
class BuyerRecord:
    name: str
    rentals: dict[int, SeenRental] = field(default_factory=dict)
    lost_getnum: int = 0  # getNum calls whose answer never came
    refused: dict[str, int] = field(default_factory=dict)  # error word → count
    server_errors: int = 0  # HTTP 5xx: an unhandled exception in a hub, never expected


class Transient(Exception):
    """No usable answer (connection refused or cut, a 5xx): ask again."""


class Buyer:
    def __init__(
        self,
        name: str,
        key: str,
        hubs: list[str],
        rng: random.Random,
        on_phone: Callable[[str, int], None],
    ) -> None:
        self.record = BuyerRecord(name)
        self.key = key
        self.hubs = hubs
        self.rng = rng
        self.on_phone = on_phone  # (phone, tzid): the push injector learns rented numbers
        self.client = httpx.AsyncClient(trust_env=False, timeout=15)

    async def close(self) -> None:
        await self.client.aclose()

    async def call(self, method: str, **params: Any) -> Any:
        """One API call on a random hub; Transient when no hub gave an answer."""
        hub = self.rng.choice(self.hubs)
        try:
            response = await self.client.get(
                f"{hub}/api/{method}.php", params={"apikey": self.key, **params}
            )
        except httpx.HTTPError as exc:
            raise Transient(f"{method}: {type(exc).__name__}") from exc
        if response.status_code >= 500:
            self.record.server_errors += 1
            raise Transient(f"{method}: HTTP {response.status_code}")
        return response.json()

    async def retrying(self, method: str, **params: Any) -> Any:
        for attempt in range(600):
            try:
                return await self.call(method, **params)
            except Transient:
                await asyncio.sleep(min(0.2 * (attempt + 1), 2.0))
        raise RuntimeError(f"{self.record.name}: {method} never answered")

    # --- one rental ----------------------------------------------------------------------

    async def rent_once(self) -> None:
        service = self.rng.choice(SERVICES)
        try:
            answer = await self.call("getNum", service=service, number=1)
        except Transient:
            # The rental may exist; the next listing adopts it.
            self.record.lost_getnum += 1
            await asyncio.sleep(0.5)
            return
        if not isinstance(answer, dict) or answer.get("response") != 1:
            word = str(answer.get("response") if isinstance(answer, dict) else answer)
            self.record.refused[word] = self.record.refused.get(word, 0) + 1
            await asyncio.sleep(0.3 + self.rng.random())
            return
        tzid = int(answer["tzid"])
        seen = self.record.rentals.setdefault(tzid, SeenRental(tzid))
        seen.phone = str(answer.get("number", "")).lstrip("+")
        if seen.phone:
            self.on_phone(seen.phone, tzid)
        await self.play(seen)

    async def play(self, seen: SeenRental) -> None:
        """Poll, maybe revise, then finish or cancel; finally read how it closed."""
        plan = self.rng.random()
        if plan < 0.15:
            await asyncio.sleep(self.rng.random() * 0.5)  # cancel before any code, usually
        else:
            got = await self.wait_code(seen, within=8.0)
            if got and plan < 0.35:
                await self.retrying("setOperationRevise", tzid=seen.tzid)
                await self.wait_code(seen, within=2.0, fresh=True)
        await self.finish(seen)

    async def poll(self, seen: SeenRental) -> str:
        items = await self.retrying("getState", tzid=seen.tzid, message_to_code=1, msg_list=1)
        if not isinstance(items, list) or not items:
            return ""
        item = items[0]
        word = str(item.get("response", ""))
        messages = item.get("msg")
        if isinstance(messages, list):
            codes = {str(m.get("msg")) for m in messages}
            seen.codes |= codes
            if word not in CLOSED_WORDS:
                seen.codes_while_open |= codes
        if "number" in item and not seen.phone:
            seen.phone = str(item["number"]).lstrip("+")
        return word

    async def wait_code(self, seen: SeenRental, within: float, fresh: bool = False) -> bool:
        before = len(seen.codes)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        while loop.time() < deadline:
            word = await self.poll(seen)
            if word in CLOSED_WORDS:
                return bool(seen.codes)
            if seen.codes and (not fresh or len(seen.codes) > before):
                return True
            await asyncio.sleep(0.3)
        return bool(seen.codes)

    async def finish(self, seen: SeenRental) -> None:
        answer = await self.retrying("setOperationOk", tzid=seen.tzid)
        if isinstance(answer, dict) and answer.get("response") == 1:
            seen.confirmed = True
        await self.read_final(seen)

    async def read_final(self, seen: SeenRental) -> None:
        """getState answers from a per-process cache for up to a second: wait for the close."""
        for _ in range(200):
            word = await self.poll(seen)
            if word in CLOSED_WORDS:
                seen.final_word = word
                return
            await asyncio.sleep(0.3)

    # --- the end: find rentals whose getNum answer was lost, and close them --------------

    async def sweep(self) -> None:
        items = await self.retrying("getState", message_to_code=1, msg_list=1)
        if not isinstance(items, list):
            return
        for item in items:
            tzid = int(item["tzid"])
            seen = self.record.rentals.get(tzid)
            if seen is None:
                seen = self.record.rentals.setdefault(tzid, SeenRental(tzid))
            if not seen.final_word:
                await self.poll(seen)
                await self.finish(seen)

    async def run(self, stop: asyncio.Event) -> None:
        loop = asyncio.get_running_loop()
        last_sweep = loop.time()
        while not stop.is_set():
            await self.rent_once()
            # A rental whose getNum answer was lost is found while it is still open, as a
            # buyer's program that lists its operations would, long before it could expire.
            if loop.time() - last_sweep > SWEEP_SECONDS:
                await self.sweep()
                last_sweep = loop.time()
