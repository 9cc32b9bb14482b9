"""The hub's speed from outside, with wrk, against a bare ASGI app measured in the same run.

    python bench/speed.py [--seconds 6] [--no-postgres] [--history-rows 1000000]
                          [--only reads rentals processes fanout history delivery]
                          [--sms 200] [--messages 5000]
                          [--duration 60] [--pg-database simgate_bench_speed]

Needs `wrk` (Debian: apt-get install wrk). The reference is bench/bare_app.py on uvicorn with
uvloop + httptools: the most a Python server does here. For each database (SQLite, then
PostgreSQL in the database simgate_bench_speed, or --pg-database) it seeds a hub, starts
`simgate serve --no-worker` and bench/fast_agent.py, and runs wrk -t1 -c32 alternately on the
reference and on the hub (ref, hub, ref, hub, …): each hub figure is divided by the mean of the
reference runs just before and after it, so a machine busy with something else skews both alike.

Rows: the read endpoints ÷ bare, and the hub's CPU per request on each (from /proc: steadier
than req/s on a machine other work loads too); getState p99 at c32; hub CPU per rental (16
buyers renting
and confirming back to back, from /proc/<pid>/stat of the hub); getNum rentals/s with 32
buyers, TRY_AGAIN_LATER answers and PostgreSQL's deadlock counter; getState p50 with the cache
off for an account with N finished rentals ÷ one with 1,000; and on PostgreSQL two hub
processes ÷ one on getState; SMS pushed through one hub process → visible through another
(bench/fanout_latency.py). With --duration, also 32 buyers renting for that long while a
`simgate worker` polls the agent's stock ten times a second (the poll writes the rows every
rental reads): rentals/s, TRY_AGAIN_LATER answers and deadlocks. The delivery group runs
bench/delivery_submit_rate.py's measurement on each database: the SMS queue's submit_sm rate
to a loopback SMSC ÷ a bare smpp34 client's, in the same run. Prints the table as Markdown.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import os
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import text

from simgate.accounts import service as accounts
from simgate.activations.forms import RentalForm
from simgate.activations.states import State
from simgate.core.clock import SystemClock
from simgate.core.db import Database
from simgate.core.settings import Settings
from simgate.hub.bootstrap import prepare_database
from simgate.hub.context import HubContext
from simgate.models import Activation
from simgate.suppliers import service as suppliers
from simgate.worker import jobs

BENCH = Path(__file__).resolve().parent
PG_ADMIN = ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "test", "-qtAc"]
PG_DB = "simgate_bench_speed"
PG_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/{}"
# wrk gives up on an answer after 2 s by default; a rental it gave up on would be paid for in
# hub CPU yet never counted, and never confirmed. A loaded machine answers slower than that.
RENTAL_TIMEOUT = 30
# The worker beside the long rentals run: a tick and a stock poll every tenth of a second.
HARD_POLL = {"SIMGATE_WORKER_TICK_SECONDS": "0.1", "SIMGATE_STOCK_POLL_SECONDS": "0.1"}
AGENT_KEY = "bench-agent"
SHORT_HISTORY = 1_000
BUYERS = 32
UNLIMITED = 10**6

Row = tuple[str, str]
ROW_GROUPS = ["reads", "rentals", "processes", "fanout", "history", "delivery"]
DELIVERY_WINDOW = 10  # the default smsc_window, for simgate and the bare client alike
POLLER_PHONE = 79_000_000_001  # the number of the poller's open rental (see `seed`)


@dataclass
class WrkResult:
    rps: float
    requests: int
    p50_ms: float
    p99_ms: float
    errors: int  # non-2xx answers and socket errors
    output: str

    def counter(self, name: str) -> int:
        found = re.search(rf"^{name} (\d+)$", self.output, re.MULTILINE)
        return int(found.group(1)) if found else 0


def _ms(value: str, unit: str) -> float:
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def wrk(
    url: str,
    seconds: float,
    connections: int,
    threads: int = 1,
    script: Path | None = None,
    env: dict[str, str] | None = None,
    timeout: int = 2,
) -> WrkResult:
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{round(seconds)}s", "--latency"]
    command.append(f"--timeout={timeout}s")
    if script is not None:
        command += ["-s", str(script)]
    done = subprocess.run(
        [*command, url],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, **(env or {})},
    )
    out = done.stdout
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    requests = re.search(r"(\d+) requests in", out)
    latency = dict(re.findall(r"^\s+(50|99)%\s+([\d.]+\w+)", out, re.MULTILINE))
    errors = sum(
        int(n)
        for n in re.findall(r"(?:Non-2xx or 3xx responses|connect|read|write|timeout) (\d+)", out)
    )

    def percentile(key: str) -> float:
        found = re.fullmatch(r"([\d.]+)(us|ms|s)", latency.get(key, "0us"))
        return _ms(*found.groups()) if found else 0.0

    return WrkResult(
        float(rps.group(1)) if rps else 0.0,
        int(requests.group(1)) if requests else 0,
        percentile("50"),
        percentile("99"),
        errors,
        out,
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int | None, proc: subprocess.Popen[bytes]) -> None:
    for _ in range(600):
        if proc.poll() is not None:
            raise RuntimeError(f"{proc.args!r} exited with {proc.returncode}")
        if port is None:
            return  # a process that serves no port (the worker): running is all we know
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
            return
        except OSError:
            time.sleep(0.05)  # start-up: polling for the port
    raise RuntimeError(f"{proc.args!r} did not start listening")


@contextlib.contextmanager
def running(command: list[str], port: int | None, env: dict[str, str]) -> Iterator[int]:
    """Run `command` until the block ends (SIGTERM then wait); yields its pid."""
    proc = subprocess.Popen(
        command, env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        wait_for_port(port, proc)
        yield proc.pid
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def uvicorn_app(app: str, port: int) -> list[str]:
    return [
        sys.executable, "-m", "uvicorn", "--app-dir", str(BENCH), app, "--port", str(port),
        "--loop", "uvloop", "--http", "httptools", "--log-level", "warning", "--no-access-log",
    ]  # fmt: skip


def hub_command(port: int) -> list[str]:
    """`simgate serve`; its process count comes from SIMGATE_WORKERS in the environment, so
    an older simgate without --workers (run through PYTHONPATH) can be measured too."""
    exe = str(Path(sys.executable).with_name("simgate"))
    return [exe, "serve", "--no-worker", "--port", str(port)]


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of one process so far (fields 14 and 15 of /proc/<pid>/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def pg_counter(database: str, column: str) -> int:
    """A counter of pg_stat_database for `database`: deadlocks, or sessions (connections
    opened: the hub's pool opens none past its size; a worker started for a run, its own)."""
    query = f"SELECT {column} FROM pg_stat_database WHERE datname = '{database}'"
    done = subprocess.run([*PG_ADMIN, query], capture_output=True, text=True, check=True)
    return int(done.stdout.strip() or 0)


def reset_postgres(database: str) -> bool:
    try:
        subprocess.run([*PG_ADMIN, f"DROP DATABASE IF EXISTS {database}"], check=True)
        subprocess.run([*PG_ADMIN, f"CREATE DATABASE {database}"], check=True)
    except (OSError, subprocess.CalledProcessError):
        return False
    return True


# --- seeding ---------------------------------------------------------------------------


@dataclass
class Seeded:
    poller: str  # one open rental
    buyers: list[str]  # no rental, limits lifted: they rent in the getNum rows
    short_history: tuple[str, int]  # key, account id: SHORT_HISTORY finished rentals
    long_history: tuple[str, int]  # key, account id: --history-rows finished rentals


def open_rental(account_id: int, supplier_id: int, phone: int, now: dt.datetime) -> Activation:
    return Activation(
        account_id=account_id,
        service_id=1,
        country_code=7,
        operator_slug="any",
        form=RentalForm.ONLINE.value,
        state=State.NUM_WAIT.value,
        price=1400,
        payout=840,
        supplier_id=supplier_id,
        agent_activation_id=phone,
        phone=str(phone),
        reject="[]",
        revise_cursor=0,
        banned=False,
        created_at=now,
        number_requested_at=now,
        number_at=now,
        expires_at=now + dt.timedelta(days=365),
    )


async def seed(settings: Settings, agent_url: str) -> Seeded:
    """The bench agent with its stock loaded, and the accounts each row uses."""
    ctx = HubContext.create(settings)
    now = SystemClock().now()
    try:
        await prepare_database(ctx.db)
        async with ctx.db.transaction() as session:
            supplier = await suppliers.add(session, "bench", agent_url, AGENT_KEY, now)
            keys: dict[str, tuple[str, int]] = {}
            names = ["poller", "short", "long", *(f"buyer{i}" for i in range(BUYERS))]
            for phone, name in enumerate(names, start=POLLER_PHONE):
                created = await accounts.create(session, settings, name, now, balance=10**12)
                account = created.account
                account.max_concurrent = account.max_parallel_getnum = BUYERS
                account.max_getnum_per_minute = UNLIMITED
                keys[name] = (created.api_key, account.id)
                if not name.startswith("buyer"):
                    session.add(open_rental(account.id, supplier.id, phone, now))
        await jobs.poll_stock(ctx)
    finally:
        await ctx.close()
    return Seeded(
        poller=keys["poller"][0],
        buyers=[keys[f"buyer{i}"][0] for i in range(BUYERS)],
        short_history=keys["short"],
        long_history=keys["long"],
    )


SQLITE_HISTORY = """
INSERT INTO activations (account_id, service_id, country_code, operator_slug, form, state,
    price, payout, supplier_id, phone, reject, revise_cursor, banned, created_at, expires_at,
    finished_at)
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < :count)
SELECT :account, 1 + i % 5, 7, 'any', 'online', 'sold', 1400, 840, 1, '7902' || (10000000 + i),
    '[]', 0, 0, stamp, stamp, stamp
FROM (SELECT i, strftime('%Y-%m-%d %H:%M:%f000', :now, '-' || (i + 60) || ' minutes') AS stamp
      FROM n)
"""

POSTGRES_HISTORY = """
INSERT INTO activations (account_id, service_id, country_code, operator_slug, form, state,
    price, payout, supplier_id, phone, reject, revise_cursor, banned, created_at, expires_at,
    finished_at)
SELECT :account, 1 + i % 5, 7, 'any', 'online', 'sold', 1400, 840, 1, '7902' || (10000000 + i),
    '[]', 0, false, stamp, stamp, stamp
FROM (SELECT i, CAST(:now AS timestamp) - (i + 60) * interval '1 minute' AS stamp
      FROM generate_series(1, :count) AS i) AS history
"""


async def seed_history(url: str, accounts_rows: list[tuple[int, int]]) -> float:
    """Finished rentals, the newest an hour old (past getState's recent window), in one
    INSERT … SELECT per account; then the statistics PostgreSQL's autovacuum would gather.
    Returns the seconds it took."""
    started = time.perf_counter()
    db = Database(url)
    now = SystemClock().now()
    try:
        sql = SQLITE_HISTORY if db.is_sqlite else POSTGRES_HISTORY
        stamp: object = now.isoformat(sep=" ") if db.is_sqlite else now
        for account_id, count in accounts_rows:
            async with db.transaction() as session:
                values = {"account": account_id, "count": count, "now": stamp}
                await session.execute(text(sql), values)
        if not db.is_sqlite:
            autocommit = db.write_engine.execution_options(isolation_level="AUTOCOMMIT")
            async with autocommit.connect() as conn:  # VACUUM runs outside a transaction
                await conn.exec_driver_sql("VACUUM ANALYZE activations")
    finally:
        await db.dispose()
    return time.perf_counter() - started


# --- the rows --------------------------------------------------------------------------


@dataclass
class Measured:
    ratio: float  # req/s ÷ the bare app's, measured around it
    result: WrkResult
    cpu_us: float  # hub CPU per request: steadier than req/s on a machine others load too
    bare_cpu_us: float


def cpu_per_request(pid: int, before: float, result: WrkResult) -> float:
    return (cpu_seconds(pid) - before) / result.requests * 1e6 if result.requests else 0.0


def alternating(
    ref: tuple[str, int], targets: list[tuple[str, str]], seconds: float, hub_pid: int
) -> dict[str, Measured]:
    """ref, target, ref, target, …: each target's ratio to the mean of its two neighbours."""
    ref_url, ref_pid = ref
    for _, url in targets:  # warm-up: imports, caches, pooled connections
        wrk(url, 1, 32)
    started = cpu_seconds(ref_pid)
    previous = wrk(ref_url, seconds, 32)
    bare_cpu = cpu_per_request(ref_pid, started, previous)
    out = {}
    for name, url in targets:
        started = cpu_seconds(hub_pid)
        result = wrk(url, seconds, 32)
        cpu = cpu_per_request(hub_pid, started, result)
        following = wrk(ref_url, seconds, 32)
        reference = (previous.rps + following.rps) / 2
        out[name] = Measured(result.rps / reference if reference else 0.0, result, cpu, bare_cpu)
        print(
            f"  {name}: {result.rps:,.0f} req/s vs bare {reference:,.0f} (errors "
            f"{result.errors}); hub CPU {cpu:.0f} µs/request, bare {bare_cpu:.0f}",
            flush=True,
        )
        previous = following
    return out


def read_rows(
    label: str, hub: tuple[str, int], ref: tuple[str, int], data: Seeded, seconds: float
) -> list[Row]:
    hub_url, hub_pid = hub
    targets = [
        ("hub /health", f"{hub_url}/health"),
        ("getState (1 open rental)", f"{hub_url}/api/getState.php?apikey={data.poller}"),
        ("getBalance", f"{hub_url}/api/getBalance.php?apikey={data.poller}"),
        ("getNumbersStats", f"{hub_url}/api/getNumbersStats.php?apikey={data.poller}&country=7"),
        ("getServiceList", f"{hub_url}/api/getServiceList.php?apikey={data.poller}"),
        (
            "sms-activate getBalance",
            f"{hub_url}/stubs/handler_api.php?api_key={data.poller}&action=getBalance",
        ),
    ]
    measured = alternating(ref, targets, seconds, hub_pid)
    rows = [(f"{name} ÷ bare ({label})", f"{m.ratio:.3f}") for name, m in measured.items()]
    rows += [
        (f"hub CPU per request, {name} ({label})", f"{m.cpu_us:.0f} µs (bare {m.bare_cpu_us:.0f})")
        for name, m in measured.items()
    ]
    state = measured["getState (1 open rental)"].result
    rows.append((f"getState p99 at c32 ({label})", f"{state.p99_ms:.1f} ms"))
    return rows


def rental_rows(
    label: str, hub: str, pid: int, data: Seeded, seconds: float, database: str
) -> list[Row]:
    script = BENCH / "getnum.lua"
    sixteen = {"SIMGATE_BENCH_KEYS": ",".join(data.buyers[:16])}
    wrk(hub, 1, 16, threads=16, script=script, env=sixteen, timeout=RENTAL_TIMEOUT)  # warm-up
    before = cpu_seconds(pid)
    result = wrk(hub, seconds, 16, threads=16, script=script, env=sixteen, timeout=RENTAL_TIMEOUT)
    cpu = cpu_seconds(pid) - before
    rentals = result.counter("rentals")
    per_rental = cpu / rentals * 1000 if rentals else float("nan")
    print(f"  16 buyers: {rentals} rentals, hub CPU {cpu:.2f} s", flush=True)

    rate, note = buyers_run(label, hub, data, seconds, database)
    return [
        (f"hub CPU per rental, 16 buyers ({label})", f"{per_rental:.1f} ms"),
        (f"getNum rentals/s, 32 buyers ({label})", f"{rate:.0f} ({note})"),
    ]


def buyers_run(
    label: str, hub: str, data: Seeded, seconds: float, database: str
) -> tuple[float, str]:
    """32 buyers renting and confirming back to back: rentals/s, and what went wrong."""
    postgres = label == "PostgreSQL"
    counters = ("deadlocks", "sessions")
    before = {c: pg_counter(database, c) for c in counters} if postgres else {}
    everyone = {"SIMGATE_BENCH_KEYS": ",".join(data.buyers)}
    script = BENCH / "getnum.lua"
    result = wrk(
        hub, seconds, BUYERS, threads=BUYERS, script=script, env=everyone, timeout=RENTAL_TIMEOUT
    )
    rate = result.counter("rentals") / seconds
    busy, refused = result.counter("busy"), result.counter("refused")
    note = f"{busy} TRY_AGAIN_LATER, {refused} other refusals"
    if postgres:
        after = {c: pg_counter(database, c) for c in counters}
        note += f", {after['deadlocks'] - before['deadlocks']} deadlocks"
        note += f", {after['sessions'] - before['sessions']} new connections"
    print(f"  32 buyers for {seconds:.0f} s: {rate:.0f} rentals/s; {note}", flush=True)
    return rate, note


def polled_row(
    label: str, hub: str, data: Seeded, args: argparse.Namespace, env: dict[str, str]
) -> Row:
    """32 buyers for --duration seconds while a worker polls the stock ten times a second."""
    exe = str(Path(sys.executable).with_name("simgate"))
    with running([exe, "worker"], None, {**env, **HARD_POLL}):
        rate, note = buyers_run(label, hub, data, args.duration, args.pg_database)
    return (
        f"getNum rentals/s, 32 buyers, {args.duration} s, stock polled 10/s ({label})",
        f"{rate:.0f} ({note})",
    )


def history_rows(label: str, hub: str, data: Seeded, rows: int, seconds: float) -> list[Row]:
    """p50 of getState (the listing, cache off) at one connection: long history ÷ short."""
    short = f"{hub}/api/getState.php?apikey={data.short_history[0]}"
    long = f"{hub}/api/getState.php?apikey={data.long_history[0]}"
    wrk(short, 1, 1)
    wrk(long, 1, 1)
    first, middle, last = wrk(short, seconds, 1), wrk(long, seconds, 1), wrk(short, seconds, 1)
    base = (first.p50_ms + last.p50_ms) / 2
    print(f"  p50 {rows:,} rows {middle.p50_ms:.2f} ms vs {SHORT_HISTORY:,}: {base:.2f} ms")
    return [
        (
            f"getState cache off, {rows:,} finished ÷ {SHORT_HISTORY:,}, p50 ({label})",
            f"{middle.p50_ms / base:.2f} ({middle.p50_ms:.2f} / {base:.2f} ms)",
        )
    ]


def processes_row(url: str, env: dict[str, str], data: Seeded, seconds: float) -> Row:
    """getState through two hub processes ÷ through one, alternating (one, two, one)."""
    one_port, two_port = free_port(), free_port()
    path = f"/api/getState.php?apikey={data.poller}"
    with (
        running(hub_command(one_port), one_port, {**env, "SIMGATE_WORKERS": "1"}) as one_pid,
        running(hub_command(two_port), two_port, {**env, "SIMGATE_WORKERS": "2"}) as two_pid,
    ):
        one, two = f"http://127.0.0.1:{one_port}{path}", f"http://127.0.0.1:{two_port}{path}"
        wrk(one, 1, 32)
        wrk(two, 1, 32)
        first, both, last = (
            _with_cpu(one, one_pid, seconds),
            _with_cpu(two, two_pid, seconds),
            _with_cpu(one, one_pid, seconds),
        )
    ratio = both.rps / ((first.rps + last.rps) / 2)
    print(f"  2 processes {both.rps:,.0f} req/s vs 1: {(first.rps + last.rps) / 2:,.0f}")
    # On a machine with few cores the load generator's own share bounds the ratio: the CPU
    # figures show whether two processes cost more per request than one (they should not).
    for name, run in (("1 process", first), ("2 processes", both), ("1 process", last)):
        print(
            f"  {name}: hub CPU {run.hub_us:.0f} µs/request (all its processes), "
            f"wrk {run.wrk_us:.0f} µs/request, cores busy {run.cores:.2f}"
        )
    one_us = (first.hub_us + last.hub_us) / 2
    return (
        "2 hub processes ÷ 1 on getState (PostgreSQL)",
        f"{ratio:.2f} (hub CPU per request {both.hub_us:.0f} µs with 2, {one_us:.0f} µs with 1)",
    )


@dataclass
class CpuRun:
    rps: float
    hub_us: float  # CPU of the hub's processes per request
    wrk_us: float  # CPU of wrk per request
    cores: float  # hub and wrk CPU seconds per second of the run


def _tree_cpu(pid: int) -> float:
    """CPU seconds of `pid` and its children (the processes `serve --workers N` forks)."""
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return cpu_seconds(pid) + sum(cpu_seconds(int(child)) for child in children)


def _with_cpu(url: str, pid: int, seconds: float) -> CpuRun:
    hub_before = _tree_cpu(pid)
    wrk_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    run = wrk(url, seconds, 32)
    wrk_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    hub = _tree_cpu(pid) - hub_before
    load = (wrk_after.ru_utime + wrk_after.ru_stime) - (wrk_before.ru_utime + wrk_before.ru_stime)
    requests = max(1.0, run.rps * seconds)
    return CpuRun(run.rps, hub / requests * 1e6, load / requests * 1e6, (hub + load) / seconds)


def delivery_row(label: str, url: str, messages: int) -> Row:
    """The SMS queue → loopback SMSC ÷ a bare smpp34 client (bench/delivery_submit_rate.py)."""
    import delivery_submit_rate  # a bench script beside this one

    # SQLite: a file of its own (empty url), not the one the other groups seeded.
    own_url = "" if label == "SQLite" else url
    result = asyncio.run(delivery_submit_rate.measure(messages, DELIVERY_WINDOW, own_url))
    print(
        f"  queue {result.ours:,.0f} submit_sm/s vs bare {result.bare_before:,.0f} / "
        f"{result.bare_after:,.0f}; {result.cpu_ms:.2f} ms CPU per message",
        flush=True,
    )
    return (
        f"delivery queue → SMSC ÷ bare smpp34 client, {messages} SMS ({label})",
        f"{result.ratio:.3f} ({result.cpu_ms:.2f} ms CPU per message)",
    )


def measure(label: str, url: str, args: argparse.Namespace, data_dir: str) -> list[Row]:
    print(f"[{label}]", flush=True)
    if args.only == {"delivery"}:
        return [delivery_row(label, url, args.messages)]
    env = {"SIMGATE_DATABASE_URL": url, "SIMGATE_DATA_DIR": data_dir, "SIMGATE_WORKERS": "1"}
    settings = Settings(database_url=url, data_dir=Path(data_dir))
    ref_port, agent_port, hub_port = free_port(), free_port(), free_port()
    ref, hub = f"http://127.0.0.1:{ref_port}/", f"http://127.0.0.1:{hub_port}"
    rows: list[Row] = []
    with (
        running(uvicorn_app("bare_app:app", ref_port), ref_port, {}) as ref_pid,
        running(uvicorn_app("fast_agent:app", agent_port), agent_port, {}),
    ):
        data = asyncio.run(seed(settings, f"http://127.0.0.1:{agent_port}/"))
        if {"reads", "rentals"} & args.only:
            with running(hub_command(hub_port), hub_port, env) as pid:
                if "reads" in args.only:
                    rows += read_rows(label, (hub, pid), (ref, ref_pid), data, args.seconds)
                if "rentals" in args.only:
                    rows += rental_rows(label, hub, pid, data, args.seconds, args.pg_database)
                if "rentals" in args.only and args.duration:
                    rows.append(polled_row(label, hub, data, args, env))
        if label == "PostgreSQL" and "processes" in args.only:
            rows.append(processes_row(url, env, data, args.seconds))
        if "fanout" in args.only:
            import fanout_latency  # it builds on this module's helpers

            rows.append(fanout_latency.fanout_row(label, env, data.poller, POLLER_PHONE, args.sms))
        if "history" in args.only and args.history_rows:
            took = asyncio.run(
                seed_history(
                    url,
                    [
                        (data.short_history[1], SHORT_HISTORY),
                        (data.long_history[1], args.history_rows),
                    ],
                )
            )
            print(f"  seeded {args.history_rows:,} finished rentals in {took:.0f} s", flush=True)
            cold = {**env, "SIMGATE_STATE_CACHE_SECONDS": "0"}
            with running(hub_command(hub_port), hub_port, cold):
                rows += history_rows(label, hub, data, args.history_rows, args.seconds)
    if "delivery" in args.only:
        if label == "PostgreSQL":
            reset_postgres(args.pg_database)  # the queue's bench seeds its own account
        rows.append(delivery_row(label, url, args.messages))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--seconds", type=int, default=6, help="each wrk run (default 6)")
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--sms", type=int, default=200, help="SMS in the fanout row")
    parser.add_argument(
        "--messages", type=int, default=5000, help="SMS through the queue in the delivery row"
    )
    parser.add_argument(
        "--duration",
        type=int,
        default=0,
        help="seconds of one more rentals run, with the stock polled 10/s (0: none)",
    )
    parser.add_argument(
        "--pg-database", default=PG_DB, help=f"dropped and created again (default {PG_DB})"
    )
    parser.add_argument(
        "--history-rows", type=int, default=1_000_000, help="0 skips the history row"
    )
    parser.add_argument(
        "--only",
        nargs="+",
        choices=ROW_GROUPS,
        default=ROW_GROUPS,
        help="row groups to measure (default: all)",
    )
    args = parser.parse_args()
    args.only = set(args.only)
    if shutil.which("wrk") is None:
        sys.exit("bench/speed.py needs wrk, a load generator: apt-get install wrk")
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as tmp:
        rows += measure("SQLite", f"sqlite+aiosqlite:///{tmp}/bench.db", args, tmp)
    if not args.no_postgres:
        if reset_postgres(args.pg_database):
            with tempfile.TemporaryDirectory() as tmp:
                rows += measure("PostgreSQL", PG_URL.format(args.pg_database), args, tmp)
        else:
            print(f"PostgreSQL: cannot create {args.pg_database}; skipped", file=sys.stderr)
    print("\n| figure | measured |\n|---|---|")
    for name, value in rows:
        print(f"| {name} | {value} |")


if __name__ == "__main__":
    main()
