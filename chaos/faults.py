"""The seeded fault schedule: SIGKILLs, database restarts, link cuts and delays, replays."""

from __future__ import annotations

import asyncio
import logging
import random
from dataclasses import dataclass, field

from chaos.postgres import PrivatePostgres
from chaos.processes import Supervised
from chaos.proxy import LinkProxy
from chaos.pushes import PushInjector

log = logging.getLogger("chaos.faults")


@dataclass
class FaultLog:
    kills: list[str] = field(default_factory=list)
    exits: list[str] = field(default_factory=list)  # died on their own (e.g. on start)
    db_restarts: int = 0
    cuts: list[str] = field(default_factory=list)
    delays: list[str] = field(default_factory=list)


class FaultSchedule:
    def __init__(
        self,
        rng: random.Random,
        processes: list[Supervised],
        links: list[LinkProxy],
        postgres: PrivatePostgres,
        injector: PushInjector,
        kill_every: float,
        db_restarts: int,
        cuts: int,
        expected_seconds: float,
    ) -> None:
        self.rng = rng
        self.processes = processes
        self.links = links
        self.postgres = postgres
        self.injector = injector
        self.kill_every = kill_every
        self.db_restarts = db_restarts
        self.cuts = cuts
        self.expected = expected_seconds
        self.log = FaultLog()
        self._restarts: set[asyncio.Task[None]] = set()

    async def run(self, stop: asyncio.Event) -> None:
        await asyncio.gather(
            self._kills(stop),
            self._database(stop),
            self._links(stop),
            self._pushes(stop),
            self._supervise(stop),
        )
        while self._restarts:  # every killed process is running again before the checks
            await asyncio.gather(*list(self._restarts))
        self._revive()
        while self._restarts:
            await asyncio.gather(*list(self._restarts))

    async def _supervise(self, stop: asyncio.Event) -> None:
        """Start again a process that exited on its own, as systemd's Restart= would: a
        worker whose start-up migration lost its database connection exits with an error."""
        while await self._sleep(stop, 1.0):
            self._revive()

    def _revive(self) -> None:
        for process in self.processes:
            if not process.running and not process.restarting:
                log.warning("%s exited on its own; starting it again", process.name)
                self.log.exits.append(process.name)
                self._restart_later(process, 0.5)

    def _restart_later(self, process: Supervised, pause: float) -> None:
        process.restarting = True  # set now: the supervisor must not restart it twice
        task = asyncio.ensure_future(self._restart(process, pause))
        self._restarts.add(task)
        task.add_done_callback(self._restarts.discard)

    async def _sleep(self, stop: asyncio.Event, seconds: float) -> bool:
        """Sleep unless the run stops first; True when it is time to act."""
        try:
            await asyncio.wait_for(stop.wait(), seconds)
        except TimeoutError:
            return True
        return False

    async def _kills(self, stop: asyncio.Event) -> None:
        while await self._sleep(stop, self.kill_every * (0.6 + 0.8 * self.rng.random())):
            # One being started again is left alone: two restarts of it would race.
            alive = [p for p in self.processes if p.running and not p.restarting]
            if not alive:
                continue
            victim = self.rng.choice(alive)
            pause = 0.5 + 2.5 * self.rng.random()
            log.warning("SIGKILL %s (back in %.1fs)", victim.name, pause)
            victim.kill()
            self.log.kills.append(victim.name)
            self._restart_later(victim, pause)

    async def _restart(self, process: Supervised, pause: float) -> None:
        process.restarting = True
        try:
            await process.wait()
            await asyncio.sleep(pause)
            for _ in range(20):
                try:
                    await process.start()
                    return
                except RuntimeError as exc:  # e.g. the database is restarting under it
                    log.warning("%s", exc)
                    await asyncio.sleep(1)
            raise RuntimeError(f"{process.name} could not be started again")
        finally:
            process.restarting = False

    async def _database(self, stop: asyncio.Event) -> None:
        if not self.db_restarts:
            return
        gap = self.expected / (self.db_restarts + 1)
        for n in range(self.db_restarts):
            if not await self._sleep(stop, gap * (0.7 + 0.6 * self.rng.random())):
                return
            mode = "immediate" if n % 2 else "fast"
            log.warning("PostgreSQL restart (%s)", mode)
            await asyncio.to_thread(self.postgres.restart, mode)
            self.log.db_restarts += 1

    async def _links(self, stop: asyncio.Event) -> None:
        if not self.cuts:
            return
        gap = self.expected / (self.cuts + 1)
        while await self._sleep(stop, gap * (0.6 + 0.8 * self.rng.random())):
            link = self.rng.choice(self.links)
            if self.rng.random() < 0.7:
                log.warning("cut %s", link.name)
                link.cut()
                self.log.cuts.append(link.name)
            else:
                link.delay = 0.2 + self.rng.random()
                log.warning("delay %s by %.2fs", link.name, link.delay)
                self.log.delays.append(link.name)
            await self._sleep(stop, 1.0 + 4.0 * self.rng.random())
            link.restore()

    async def _pushes(self, stop: asyncio.Event) -> None:
        while await self._sleep(stop, 0.5 + self.rng.random()):
            self.injector.on_idle_number()
            if self.rng.random() < 0.3:
                await self.injector.replay_delivered(self.rng.randint(1, 10))
