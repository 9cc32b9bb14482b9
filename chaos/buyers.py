"""Buyers: programs renting through a buyer dialect, spread over both hubs.

Each keeps its own record of what it saw — the ids it was given, every code shown to it,
and the word each rental closed with — so the checks can hold the hub to it. A request
that fails in transit (a hub killed, a database restarting) is retried on the other hub, as
a buyer with two addresses would; a lost rent answer is found again by listing. This module
holds what every dialect's buyer shares and the onlinesim buyer; `chaos/buyer_smsactivate.py`
holds the sms-activate one.
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

ONLINESIM = "onlinesim"
SMSACTIVATE = "smsactivate"


@dataclass
class SeenRental:
    tzid: int
    phone: str = ""
    codes: set[str] = field(default_factory=set)  # every code ever shown
    codes_while_open: set[str] = field(default_factory=set)
    confirmed: bool = False  # the closing call answered
    # the dialect's closing word as last seen: onlinesim TZ_OVER_OK / TZ_OVER_EMPTY,
    # sms-activate ACCESS_ACTIVATION / ACCESS_CANCEL
    final_word: str = ""
    dialect: str = ONLINESIM


@dataclass
class BuyerRecord:
    name: str
    rentals: dict[int, SeenRental] = field(default_factory=dict)
    lost_getnum: int = 0  # rent calls whose answer never came
    refused: dict[str, int] = field(default_factory=dict)  # error word → count
    server_errors: int = 0  # HTTP 5xx: an unhandled exception in a hub, never expected
    dialect: str = ONLINESIM


class Transient(Exception):
    """No usable answer (connection refused or cut, a 5xx): ask again."""


class Buyer:
    """What every buyer does: a rental at a time, a listing now and then, a sweep at the end."""

    dialect = ONLINESIM

    def __init__(
        self,
        name: str,
        key: str,
        hubs: list[str],
        rng: random.Random,
        on_phone: Callable[[str, int], None],
    ) -> None:
        self.record = BuyerRecord(name, dialect=self.dialect)
        self.key = key
        self.hubs = hubs
        self.rng = rng
        self.on_phone = on_phone  # (phone, tzid): the push injector learns rented numbers
        self.client = httpx.AsyncClient(trust_env=False, timeout=15)

    async def close(self) -> None:
        await self.client.aclose()

    async def get(self, path: str, params: dict[str, Any]) -> httpx.Response:
        """One GET on a random hub; Transient when it gave no answer or a 5xx."""
        hub = self.rng.choice(self.hubs)
        try:
            response = await self.client.get(f"{hub}{path}", params=params)
        except httpx.HTTPError as exc:
            raise Transient(f"{path}: {type(exc).__name__}") from exc
        if response.status_code >= 500:
            self.record.server_errors += 1
            raise Transient(f"{path}: HTTP {response.status_code}")
        return response

    async def call(self, method: str, **params: Any) -> Any:
        raise NotImplementedError

    async def retrying(self, method: str, **params: Any) -> Any:
        for attempt in range(600):
            try:
                return await self.call(method, **params)
            except Transient:
                await asyncio.sleep(min(0.2 * (attempt + 1), 2.0))
        raise RuntimeError(f"{self.record.name}: {method} never answered")

    def refused(self, word: str) -> None:
        self.record.refused[word] = self.record.refused.get(word, 0) + 1

    def adopt(self, tzid: int, phone: str) -> SeenRental:
        seen = self.record.rentals.setdefault(tzid, SeenRental(tzid, dialect=self.dialect))
        seen.phone = phone
        if phone:
            self.on_phone(phone, tzid)
        return seen

    async def rent_once(self, service: str | None = None) -> None:
        """One rental, of `service` or of one drawn at random, played to its end."""
        raise NotImplementedError

    async def sweep(self) -> None:
        """List the open rentals and close each this buyer has not closed yet."""
        raise NotImplementedError

    async def run(self, stop: asyncio.Event) -> None:
        loop = asyncio.get_running_loop()
        last_sweep = loop.time()
        while not stop.is_set():
            await self.rent_once()
            # A rental whose rent answer was lost is found while it is still open, as a
            # buyer's program that lists its operations would, long before it could expire.
            if loop.time() - last_sweep > SWEEP_SECONDS:
                await self.sweep()
                last_sweep = loop.time()


class OnlinesimBuyer(Buyer):
    """getNum, getState, setOperationRevise, setOperationOk on `/api/<method>.php`."""

    dialect = ONLINESIM

    async def call(self, method: str, **params: Any) -> Any:
        """One API call on a random hub; Transient when no hub gave an answer."""
        response = await self.get(f"/api/{method}.php", {"apikey": self.key, **params})
        return response.json()

    # --- one rental ----------------------------------------------------------------------

    async def rent_once(self, service: str | None = None) -> None:
        service = service or self.rng.choice(SERVICES)
        try:
            answer = await self.call("getNum", service=service, number=1)
        except Transient:
            # The rental may exist; the next listing adopts it.
            self.record.lost_getnum += 1
            await asyncio.sleep(0.5)
            return
        if not isinstance(answer, dict) or answer.get("response") != 1:
            self.refused(str(answer.get("response") if isinstance(answer, dict) else answer))
            await asyncio.sleep(0.3 + self.rng.random())
            return
        seen = self.adopt(int(answer["tzid"]), str(answer.get("number", "")).lstrip("+"))
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
            seen = self.record.rentals.setdefault(tzid, SeenRental(tzid, dialect=self.dialect))
            if not seen.final_word:
                await self.poll(seen)
                await self.finish(seen)
