"""A simulated modem pool: N SIMs with generated numbers that receive service-like SMS.

After a number is handed out for a service, the pool "receives" `sim_sms_count` SMS like that
service's real ones, the first after `sim_sms_delay_seconds` and each next one
`sim_sms_interval_seconds` later (on the injected clock); with
`sim_multipart` the first one arrives as a three-part concatenated SMS, exercising the same
assembly path as a real modem. Deterministic for a given `sim_seed`; without one, each data
folder draws its own seed once and keeps it, so two demos hand out different numbers and codes
while one restarted keeps its own.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import random
from collections.abc import Callable

from simgate.agent.config import AgentConfig
from simgate.agent.forwarding import SimulatedLine, attach_line
from simgate.agent.outbox import IncomingSms
from simgate.agent.services import DIAL_CODES, SERVICE_SENDERS
from simgate.agent.sims import SimInfo
from simgate.agent.stock import Allocation
from simgate.agent.store import AgentStore
from simgate.core.clock import Clock

log = logging.getLogger("simgate.agent.simulated")

SIM_PORT = "simulated"
_OPERATORS = (("25001", "mts"), ("25002", "megafon"), ("25099", "beeline"), ("25020", "tele2"))
_RUSSIAN_PREFIXES = (
    "900", "903", "905", "906", "909", "910", "915", "916", "917", "919",
    "925", "926", "928", "929", "950", "951", "977", "985", "987", "999",
)  # fmt: skip


def service_text(service: str, rng: random.Random) -> tuple[str, str]:
    """(sender, text) of an SMS like the one the service sends."""
    code5 = f"{rng.randrange(10000, 100000)}"
    code6 = f"{rng.randrange(100, 1000)}-{rng.randrange(100, 1000)}"
    texts = {
        "vk": f"VK: {code5} — код подтверждения. Никому не говорите код!",
        "wa": f"Your WhatsApp code: {code6}\nDon't share this code with others",
        "tg": f"Telegram code {code5}\n\nYou can also tap on this link to log in:",
        "ok": f"Код подтверждения OK: {code5}. Никому его не сообщайте.",
        "go": f"G-{code5} is your Google verification code.",
        "ya": f"Ваш код подтверждения: {code5}. Наберите его в поле ввода.",
        "av": f"{code5} — код подтверждения Авито. Никому его не говорите.",
        "vi": f"Your Viber code: {code6[:3]}{code6[4:]}",
        "ig": f"Use {code6.replace('-', ' ')} to verify your Instagram account.",
        "fb": f"FB-{code5} is your Facebook confirmation code",
    }
    sender = SERVICE_SENDERS.get(service, "Info")
    return sender, texts.get(service, f"Your verification code: {code5}")


SEED_NAME = "sim_seed"


def generate_pool(config: AgentConfig, seed: int) -> list[SimInfo]:
    """The simulated SIMs: numbers valid-looking for the country, stable for a seed."""
    rng = random.Random(seed)
    dial = DIAL_CODES.get(config.sim_country, "7")
    seen: set[int] = set()
    pool: list[SimInfo] = []
    while len(pool) < config.simulate:
        if config.sim_country == "russia":
            phone = int(f"7{rng.choice(_RUSSIAN_PREFIXES)}{rng.randrange(10**7):07d}")
        else:
            phone = int(f"{dial}{rng.randrange(10**8, 10**9)}")
        if phone in seen:
            continue
        seen.add(phone)
        mccmnc, operator = _OPERATORS[len(pool) % len(_OPERATORS)]
        index = len(pool) + 1
        pool.append(
            SimInfo(
                sim_key=f"sim-{index:04d}",
                port=SIM_PORT,
                phone=phone,
                imsi=f"{mccmnc}{index:010d}",
                country=config.sim_country,
                operator=operator if config.sim_country == "russia" else "any",
                signal=20,
            )
        )
    return pool


class SimulatedPool:
    """Brings the simulated SIMs online and delivers their SMS when due."""

    def __init__(
        self, config: AgentConfig, store: AgentStore, clock: Clock, on_sms: Callable[[], None]
    ) -> None:
        self.config = config
        self.store = store
        self.clock = clock
        self.on_sms = on_sms
        self._rng = random.Random()  # seeded in start(), once the seed is known
        self._due: list[tuple[dt.datetime, IncomingSms]] = []
        self._ref = 0
        self._keys: dict[int, str] = {}
        self.line = SimulatedLine()  # call forwarding with a fake minute balance

    async def start(self) -> None:
        """Put every simulated SIM in stock."""
        seed = self.config.sim_seed
        if seed is None:
            seed = await self.store.kept_value(SEED_NAME, random.SystemRandom().randrange(2**31))
        self._rng.seed(seed + 1)
        pool = generate_pool(self.config, seed)
        self._keys = {sim.phone: sim.sim_key for sim in pool if sim.phone is not None}
        await self.store.sims_online(pool)
        attach_line(self.store, SIM_PORT, self.line)

    def on_allocated(self, allocation: Allocation) -> None:
        """Schedule the service's SMS for a number just handed out."""
        first = self.clock.now() + dt.timedelta(seconds=self.config.sim_sms_delay_seconds)
        for n in range(self.config.sim_sms_count):
            at = first + dt.timedelta(seconds=n * self.config.sim_sms_interval_seconds)
            sender, text = service_text(allocation.service, self._rng)
            if n == 0 and self.config.sim_multipart:
                self._due += [(at, part) for part in self._split(allocation, sender, text)]
            else:
                sms = IncomingSms(self._key(allocation), allocation.phone, sender, text)
                self._due.append((at, sms))

    def _split(self, allocation: Allocation, sender: str, text: str) -> list[IncomingSms]:
        self._ref = (self._ref + 1) % 256
        long_text = f"{text} " + "Это длинное сообщение из нескольких частей. " * 3
        size = -(-len(long_text) // 3)
        chunks = [long_text[i : i + size] for i in range(0, len(long_text), size)]
        key = self._key(allocation)
        return [
            IncomingSms(key, allocation.phone, sender, chunk, (self._ref, len(chunks), i + 1))
            for i, chunk in enumerate(chunks)
        ]

    def _key(self, allocation: Allocation) -> str:
        return self._keys.get(allocation.phone, f"sim:{allocation.phone}")

    async def run(self) -> None:
        """Deliver due SMS into the outbox (until cancelled)."""
        while True:
            await self.deliver_due()
            await asyncio.sleep(self.config.tick_seconds)

    async def deliver_due(self) -> None:
        """One pass: put every SMS whose time has come into the outbox."""
        now = self.clock.now()
        ready = [sms for at, sms in self._due if at <= now]
        self._due = [(at, sms) for at, sms in self._due if at > now]
        for sms in ready:
            sms_id = await self.store.receive_sms(sms)
            if sms_id is not None:
                log.info("simulated SMS %s to %s from %s", sms_id, sms.phone, sms.sender)
                self.on_sms()
