"""One chaos run: set up, load under faults, settle, check."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import secrets
import shutil
import sqlite3
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from chaos import checks
from chaos.buyer_smsactivate import SmsActivateBuyer
from chaos.buyers import Buyer, OnlinesimBuyer
from chaos.faults import FaultSchedule
from chaos.postgres import PrivatePostgres
from chaos.processes import Supervised, free_port
from chaos.proxy import LinkProxy
from chaos.pushes import PushInjector, read_only
from chaos.settle import settle
from simgate.accounts import service as accounts
from simgate.core.clock import SystemClock
from simgate.core.db import Database
from simgate.core.settings import Settings
from simgate.hub.bootstrap import prepare_database
from simgate.suppliers import service as suppliers

log = logging.getLogger("chaos")

BUYER_BALANCE = 50_000_000  # minor units: money never runs out, so refusals are faults only


@dataclass(frozen=True)
class Profile:
    name: str
    rentals: int  # the load stops once this many rentals were made …
    sms: int  # … and the agents sent this many SMS
    min_seconds: float  # … and at least this long has passed
    buyers: int
    kill_every: float
    db_restarts: int
    cuts: int
    sims: int
    sms_per_rental: int  # what a simulated SIM receives after it is handed out


PROFILES = {
    "short": Profile("short", 100, 400, 75, 10, 11, 1, 3, 40, 3),
    "full": Profile("full", 2_000, 10_000, 300, 20, 10, 3, 8, 300, 5),
}


class Cluster:
    """Everything the run starts, and how to reach it."""

    def __init__(self, root: Path, seed: int, profile: Profile) -> None:
        self.root = root
        self.seed = seed
        self.sims = profile.sims
        self.sms_per_rental = profile.sms_per_rental
        self.buyer_count = profile.buyers
        self.buyer_keys: list[tuple[str, str]] = []
        self.postgres = PrivatePostgres(root, free_port())
        self.key_secret = secrets.token_hex(16)
        self.agent_keys = [f"agent{i}-{secrets.token_hex(8)}" for i in range(2)]
        self.hub_ports = [free_port() for _ in range(2)]
        self.agent_ports = [free_port() for _ in range(2)]
        # hub → agent i (GET_NUMBER, FINISH) and agent i → hub i (PUSH_SMS)
        self.to_agent = [LinkProxy(f"hubs→agent{i}", p) for i, p in enumerate(self.agent_ports)]
        self.to_hub = [LinkProxy(f"agent{i}→hub{i}", p) for i, p in enumerate(self.hub_ports)]
        self.hubs: list[Supervised] = []
        self.workers: list[Supervised] = []
        self.agents: list[Supervised] = []

    @property
    def hub_urls(self) -> list[str]:
        return [f"http://127.0.0.1:{p}" for p in self.hub_ports]

    def agent_db(self, index: int) -> Path:
        return self.root / f"agent{index}" / "agent.db"

    @property
    def agent_db_paths(self) -> list[Path]:
        return [self.agent_db(i) for i in range(2)]

    def hub_env(self, index: int) -> dict[str, str]:
        return {
            "SIMGATE_DATABASE_URL": self.postgres.url,
            "SIMGATE_KEY_SECRET": self.key_secret,
            "SIMGATE_DATA_DIR": str(self.root / f"hubdata{index}"),
            "SIMGATE_STOCK_POLL_SECONDS": "2",
            "SIMGATE_OUTBOX_RETRY_SECONDS": "1",
            "SIMGATE_WORKER_TICK_SECONDS": "0.5",
            "SIMGATE_AGENT_TIMEOUT_SECONDS": "3",
            "SIMGATE_AUTH_CACHE_SECONDS": "2",
        }

    async def start(self) -> None:
        await asyncio.to_thread(self.postgres.create)
        for proxy in (*self.to_agent, *self.to_hub):
            await proxy.start()
        await self._prepare()
        for i in range(2):
            env = self.hub_env(i)
            serve = ["serve", "--no-worker", "--port", str(self.hub_ports[i])]
            ready = f"{self.hub_urls[i]}/api/getBalance.php"
            self.hubs.append(Supervised(f"hub{i}", serve, env, self.root / f"hub{i}.log", ready))
            worker_log = self.root / f"worker{i}.log"
            self.workers.append(Supervised(f"worker{i}", ["worker"], env, worker_log))
            self.agents.append(self._agent(i))
        for process in (*self.hubs, *self.workers, *self.agents):
            await process.start()

    def _agent(self, i: int) -> Supervised:
        env = {
            "SIMGATE_AGENT_SIM_SEED": str(self.seed * 10 + i + 1),
            "SIMGATE_AGENT_SIM_SMS_DELAY_SECONDS": "0.2",
            "SIMGATE_AGENT_SIM_SMS_COUNT": str(self.sms_per_rental),
            "SIMGATE_AGENT_PUSH_RETRY_SECONDS": "1",
            "SIMGATE_AGENT_PUSH_TIMEOUT_SECONDS": "5",
        }
        args = [
            "agent", "serve", "--simulate", str(self.sims), "--port",
            str(self.agent_ports[i]), "--key", self.agent_keys[i], "--hub-url",
            f"http://127.0.0.1:{self.to_hub[i].port}/push_sms_webhook",
            "--data-dir", str(self.root / f"agent{i}"),
        ]  # fmt: skip
        url = f"http://127.0.0.1:{self.agent_ports[i]}/"
        return Supervised(f"agent{i}", args, env, self.root / f"agent{i}.log", url)

    async def _prepare(self) -> None:
        settings = Settings(
            database_url=self.postgres.url,
            key_secret=self.key_secret,
            data_dir=self.root / "setup",
            default_max_concurrent=50,
            default_max_getnum_per_minute=100_000,
            default_max_parallel_getnum=50,
        )
        db = Database(self.postgres.url)
        try:
            await prepare_database(db)
            now = SystemClock().now()
            async with db.transaction() as session:
                for i in range(2):
                    await suppliers.add(
                        session, f"agent{i}", f"http://127.0.0.1:{self.to_agent[i].port}/",
                        self.agent_keys[i], now, priority=i, timeout_seconds=3.0,
                    )  # fmt: skip
            async with db.transaction() as session:
                for n in range(self.buyer_count):
                    name = f"buyer{n}"
                    made = await accounts.create(
                        session, settings, name, now, balance=BUYER_BALANCE
                    )
                    self.buyer_keys.append((name, made.api_key))
        finally:
            await db.dispose()

    @property
    def processes(self) -> list[Supervised]:
        return [*self.hubs, *self.workers, *self.agents]

    async def stop(self) -> None:
        for process in self.processes:
            await process.stop()
        for proxy in (*self.to_agent, *self.to_hub):
            await proxy.close()
        await asyncio.to_thread(self.postgres.stop)


def agent_sms_count(cluster: Cluster) -> int:
    total = 0
    for i in range(2):
        with contextlib.suppress(sqlite3.Error), read_only(cluster.agent_db(i)) as db:
            total += int(db.execute("SELECT count(*) FROM sms").fetchone()[0])
    return total


class Run:
    """The load under faults, then the settling and the checks."""

    def __init__(self, seed: int, profile: Profile, cluster: Cluster) -> None:
        self.seed = seed
        self.profile = profile
        self.cluster = cluster
        self.rng = random.Random(seed)
        self.started = time.monotonic()
        self.injector = PushInjector(
            cluster.hub_urls,
            cluster.agent_keys,
            [cluster.agent_db(i) for i in range(2)],
            self.rng,
        )
        self.buyers: list[Buyer] = []
        self.schedule = FaultSchedule(
            self.rng, cluster.processes, [*cluster.to_agent, *cluster.to_hub], cluster.postgres,
            self.injector, profile.kill_every, profile.db_restarts, profile.cuts,
            profile.min_seconds,
        )  # fmt: skip

    def rentals(self) -> int:
        return sum(len(b.record.rentals) for b in self.buyers)

    def _enough(self) -> bool:
        elapsed = time.monotonic() - self.started
        sms = agent_sms_count(self.cluster)
        faults = self.schedule.log
        print(
            f"  {elapsed:6.0f}s rentals {self.rentals()} agent SMS {sms}"
            f" kills {len(faults.kills)} db restarts {faults.db_restarts} cuts {len(faults.cuts)}",
            flush=True,
        )
        return (
            self.rentals() >= self.profile.rentals
            and sms >= self.profile.sms
            and faults.db_restarts >= self.profile.db_restarts
            and elapsed >= self.profile.min_seconds
        )

    async def load(self) -> None:
        self.injector.load_pools()
        # Every other buyer speaks sms-activate: both dialects load both hubs.
        kinds: list[type[Buyer]] = [OnlinesimBuyer, SmsActivateBuyer]
        self.buyers = [
            kinds[n % 2](name, key, self.cluster.hub_urls, random.Random(self.rng.random()),
                         self.injector.on_rented)
            for n, (name, key) in enumerate(self.cluster.buyer_keys)
        ]  # fmt: skip
        stop = asyncio.Event()
        faults = asyncio.ensure_future(self.schedule.run(stop))
        load = [asyncio.ensure_future(b.run(stop)) for b in self.buyers]
        while True:  # a progress line every 2 s until the targets are met
            await asyncio.sleep(2)
            if self._enough():
                break
        stop.set()
        await faults
        await asyncio.gather(*load)
        for proxy in (*self.cluster.to_agent, *self.cluster.to_hub):
            proxy.restore()

    async def wind_down(self) -> bool:
        print("  load stopped; closing what buyers left open", flush=True)
        await asyncio.gather(*(b.sweep() for b in self.buyers))
        print("  pushing what the hubs have not acknowledged yet", flush=True)
        await self.injector.settle()
        print(f"  push answers: {self.injector.stats.answers}; settling", flush=True)
        return await settle(self.cluster.postgres.url, self.cluster.agent_db_paths, 180)

    async def check(self, settled: bool) -> list[checks.Check]:
        url = self.cluster.postgres.url
        hub = await checks.read_hub(url)
        agents = [checks.read_agent(path) for path in self.cluster.agent_db_paths]
        supplier_ids = [hub.suppliers[f"agent{i}"] for i in range(2)]
        records = [b.record for b in self.buyers]
        codes = checks.codes_by_rental(hub)
        results = [
            checks.check_sms(hub, agents, supplier_ids, self.injector.sms),
            checks.check_rentals(hub, agents, supplier_ids),
            checks.check_ledger(url),
            checks.check_balances(hub),
            checks.check_money(hub, records, codes),
            *checks.check_sims(hub, agents, supplier_ids),
            checks.check_buyers(hub, records, codes),
            checks.check_http(records, self.injector.stats.server_errors),
        ]
        if not settled:
            stuck = checks.Check("the system settled after the load", 1)
            stuck.fail("rentals, FINISH messages or pushes were still pending after 180 s")
            results.insert(0, stuck)
        faults, stats = self.schedule.log, self.injector.stats
        print(
            f"\nseed {self.seed}, profile {self.profile.name},"
            f" {time.monotonic() - self.started:.0f} s"
        )
        print(
            f"rentals {len(hub.activations)} (buyers saw {self.rentals()}),"
            f" SMS stored {len(hub.sms)} (agents {sum(len(a.sms) for a in agents)},"
            f" injected {len(self.injector.sms)}, pushes {stats.pushes},"
            f" replays {stats.replays}), kills {len(faults.kills)},"
            f" db restarts {faults.db_restarts}, cuts {len(faults.cuts)},"
            f" delays {len(faults.delays)}, exits restarted {len(faults.exits)}"
        )  # fmt: skip
        print(checks.render(results, self.seed))
        return results


async def run(seed: int, profile: Profile, keep: bool) -> int:
    root = Path(tempfile.mkdtemp(prefix="simgate-chaos-"))
    cluster = Cluster(root, seed, profile)
    print(f"chaos run: seed {seed}, profile {profile.name}, files in {root}", flush=True)
    chaos_run: Run | None = None
    try:
        await cluster.start()
        chaos_run = Run(seed, profile, cluster)
        await chaos_run.load()
        settled = await chaos_run.wind_down()
        return 1 if checks.failed(await chaos_run.check(settled)) else 0
    finally:
        if chaos_run is not None:
            for buyer in chaos_run.buyers:
                await buyer.close()
            await chaos_run.injector.close()
        await cluster.stop()
        if keep:
            print(f"files kept in {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)
