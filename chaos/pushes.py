"""Duplicated, reordered and late PUSH_SMS, sent straight to the hubs with an agent's key.

Two kinds: SMS of the harness's own (ids far above any agent's), each pushed 1–10 times in a
shuffled order to either hub — to numbers just rented, to numbers of the pool nobody rented
yet (an SMS that beats the rental's commit), and to numbers whose rental has closed — and
replays of SMS an agent already delivered. Each SMS of the harness's own counts as
committed once a hub answered SUCCESS for it, and must then be stored exactly once.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import sqlite3
from collections.abc import Coroutine
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

INJECTED_ID_BASE = 1_000_000_000
# A hub's answers that mean "stored" (PROTOCOL-NOTES A): only SUCCESS takes the SMS into a
# rental, the others keep it unmatched; anything else (no answer, an error) means retry.
STORED_ANSWERS = frozenset({"SUCCESS", "NO_OPERATION", "IGNORED", "BAD_SERVICE", "SERVICE_BAN"})


@dataclass
class InjectedSms:
    agent: int
    sms_id: int
    phone: str
    text: str
    acknowledged: bool = False


@dataclass
class PushStats:
    injected: int = 0
    pushes: int = 0
    replays: int = 0
    server_errors: int = 0  # HTTP 5xx answers to PUSH_SMS
    answers: dict[str, int] = field(default_factory=dict)


class PushInjector:
    def __init__(
        self,
        hubs: list[str],
        agent_keys: list[str],
        agent_dbs: list[Path],
        rng: random.Random,
    ) -> None:
        self.hubs = hubs
        self.keys = agent_keys
        self.dbs = agent_dbs
        self.rng = rng
        self.sms: list[InjectedSms] = []
        self.stats = PushStats()
        self.phone_agent: dict[str, int] = {}
        self._queue: asyncio.Queue[tuple[float, InjectedSms]] = asyncio.Queue()
        self._client = httpx.AsyncClient(trust_env=False, timeout=10)
        self._tasks: set[asyncio.Task[None]] = set()

    def load_pools(self) -> None:
        for index, path in enumerate(self.dbs):
            with read_only(path) as db:
                for (phone,) in db.execute("SELECT phone FROM sims WHERE phone IS NOT NULL"):
                    self.phone_agent[str(phone)] = index

    def new_sms(self, phone: str) -> InjectedSms | None:
        agent = self.phone_agent.get(phone)
        if agent is None:
            return None
        sms_id = INJECTED_ID_BASE + len(self.sms) + 1
        code = self.rng.randrange(10000, 100000)
        sms = InjectedSms(agent, sms_id, phone, f"Your verification code: {code}")
        self.sms.append(sms)
        self.stats.injected += 1
        return sms

    def schedule(self, sms: InjectedSms, first_delay: float, spread: float) -> None:
        """Push `sms` 1–10 times, at shuffled moments within `spread` seconds."""
        times = sorted(
            first_delay + self.rng.random() * spread for _ in range(self.rng.randint(1, 10))
        )
        for at in times:
            self._spawn(self._push_later(at, sms))

    def on_rented(self, phone: str, tzid: int) -> None:
        """A buyer got `phone`: sometimes an SMS now, sometimes one long after it closes."""
        roll = self.rng.random()
        if roll < 0.3:
            sms = self.new_sms(phone)
            if sms:
                self.schedule(sms, 0.0, 3.0)
        elif roll < 0.45:
            sms = self.new_sms(phone)
            if sms:
                self.schedule(sms, 15.0, 10.0)

    def on_idle_number(self) -> None:
        """An SMS to a pool number nobody has rented (yet): it waits for a rental, or none."""
        if self.phone_agent:
            sms = self.new_sms(self.rng.choice(sorted(self.phone_agent)))
            if sms:
                self.schedule(sms, 0.0, 5.0)

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _push_later(self, delay: float, sms: InjectedSms) -> None:
        await asyncio.sleep(delay)
        await self.push(sms)

    async def push(self, sms: InjectedSms) -> bool:
        body = {
            "action": "PUSH_SMS",
            "smsId": sms.sms_id,
            "phone": int(sms.phone),
            "phoneFrom": "Info",
            "text": sms.text,
            "key": self.keys[sms.agent],
        }
        return await self._post(body, sms)

    async def _post(self, body: dict[str, object], sms: InjectedSms | None) -> bool:
        self.stats.pushes += 1
        try:
            response = await self._client.post(
                f"{self.rng.choice(self.hubs)}/push_sms_webhook", json=body
            )
            if response.status_code >= 500:
                self.stats.server_errors += 1
            answer = response.json() if response.status_code == 200 else {}
        except (httpx.HTTPError, ValueError):
            answer = {}
        # SUCCESS, or ERROR with the reason the SMS was stored without a rental.
        word = str(answer.get("error") or answer.get("status") or "no answer")
        self.stats.answers[word] = self.stats.answers.get(word, 0) + 1
        stored = word in STORED_ANSWERS
        if stored and sms is not None:
            sms.acknowledged = True
        return stored

    async def replay_delivered(self, count: int) -> None:
        """Push again SMS the agents already delivered, shuffled, to either hub."""
        picked: list[dict[str, object]] = []
        for index, path in enumerate(self.dbs):
            with read_only(path) as db:
                rows = db.execute(
                    "SELECT id, phone, sender, text FROM sms WHERE state != 'pending' "
                    "ORDER BY random() LIMIT ?",
                    (count,),
                ).fetchall()
            for sms_id, phone, sender, text in rows:
                picked.append({
                    "action": "PUSH_SMS", "smsId": sms_id, "phone": phone,
                    "phoneFrom": sender, "text": text, "key": self.keys[index],
                })  # fmt: skip
        self.rng.shuffle(picked)
        for body in picked:
            self.stats.replays += 1
            await self._post(body, None)

    async def settle(self) -> None:
        """Let scheduled pushes run, then push each unacknowledged SMS until a hub takes it."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)
        for sms in self.sms:
            for _ in range(60):
                if sms.acknowledged or await self.push(sms):
                    break
                await asyncio.sleep(0.5)

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await self._client.aclose()


def read_only(path: Path) -> contextlib.closing[sqlite3.Connection]:
    """A read-only connection to an agent's SQLite file, closed on exit."""
    return contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30))
