"""getState throughput against a running hub, as a ratio to a bare endpoint of the same server.

    python bench/getstate_throughput.py [--seconds 5] [--connections 16] [--no-postgres]

For each database (SQLite, then PostgreSQL unless told not to) it prepares a hub database with
two accounts (1 and 20 open activations), starts `simgate serve --no-worker` in a subprocess,
and drives it from this process over keep-alive HTTP/1.1 connections:
  1. closed-loop throughput of GET /health (bare endpoint) and of getState for both accounts;
  2. latency p50/p99 of getState at 70 % of its measured throughput (open loop);
  3. PUSH_SMS acknowledged → code visible in getState: p99 over many pushes.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import orjson

from simgate.accounts import service as accounts
from simgate.activations.forms import RentalForm
from simgate.activations.states import State
from simgate.core.clock import SystemClock
from simgate.core.db import Database
from simgate.core.settings import Settings
from simgate.hub.bootstrap import prepare_database
from simgate.models import Activation
from simgate.suppliers import service as suppliers

PG_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/simgate_bench"
AGENT_KEY = "bench-agent"
PUSH_SAMPLES = 300


class Connection:
    """A minimal keep-alive HTTP/1.1 client: the load generator must cost less than the hub."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    @classmethod
    async def open(cls, port: int) -> Connection:
        return cls(*await asyncio.open_connection("127.0.0.1", port))

    async def request(self, method: str, path: str, body: bytes = b"") -> bytes:
        head = f"{method} {path} HTTP/1.1\r\nHost: bench\r\nContent-Length: {len(body)}\r\n"
        if body:
            head += "Content-Type: application/json\r\n"
        self.writer.write(head.encode() + b"\r\n" + body)
        headers = await self.reader.readuntil(b"\r\n\r\n")
        length = 0
        for line in headers.split(b"\r\n"):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        return await self.reader.readexactly(length)

    def close(self) -> None:
        self.writer.close()


async def seed(url: str) -> dict[str, object]:
    """Two buyers with 1 and 20 open activations on a registered agent."""
    db = Database(url)
    await prepare_database(db)
    settings, now = Settings(database_url=url), SystemClock().now()
    out: dict[str, object] = {}
    async with db.transaction() as session:
        supplier = await suppliers.add(session, "bench", "http://127.0.0.1:9/", AGENT_KEY, now)
        phone = 79000000000
        for name, count in (("one", 1), ("twenty", 20), ("pusher", PUSH_SAMPLES)):
            created = await accounts.create(session, settings, name, now, balance=10**9)
            out[name] = created.api_key
            tzids = []
            for _ in range(count):
                phone += 1
                activation = Activation(
                    account_id=created.account.id,
                    service_id=1,
                    country_code=7,
                    operator_slug="any",
                    form=RentalForm.ONLINE.value,
                    state=State.NUM_WAIT.value,
                    price=1400,
                    payout=840,
                    supplier_id=supplier.id,
                    agent_activation_id=phone,
                    phone=str(phone),
                    reject="[]",
                    revise_cursor=0,
                    banned=False,
                    created_at=now,
                    number_requested_at=now,
                    number_at=now,
                    expires_at=now.replace(year=now.year + 1),
                )
                session.add(activation)
                await session.flush()
                tzids.append((activation.id, phone))
            out[f"{name}_tzids"] = tzids
    await db.dispose()
    return out


async def closed_loop(port: int, path: str, seconds: float, connections: int) -> float:
    """Requests per second with `connections` clients each sending back to back."""
    conns = [await Connection.open(port) for _ in range(connections)]
    done = 0
    deadline = time.perf_counter() + seconds

    async def client(conn: Connection) -> None:
        nonlocal done
        while time.perf_counter() < deadline:
            await conn.request("GET", path)
            done += 1

    started = time.perf_counter()
    await asyncio.gather(*(client(c) for c in conns))
    elapsed = time.perf_counter() - started
    for conn in conns:
        conn.close()
    return done / elapsed


async def open_loop_latency(
    port: int, path: str, rate: float, seconds: float, connections: int
) -> tuple[float, float]:
    """p50 and p99 latency (ms) when requests arrive at a fixed `rate` per second."""
    conns = [await Connection.open(port) for _ in range(connections)]
    latencies: list[float] = []
    interval = connections / rate
    start = time.perf_counter()

    async def client(index: int, conn: Connection) -> None:
        due = start + index * interval / connections
        while due < start + seconds:
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
            sent = time.perf_counter()
            await conn.request("GET", path)
            latencies.append((time.perf_counter() - max(sent, due)) * 1000)
            due += interval

    await asyncio.gather(*(client(i, c) for i, c in enumerate(conns)))
    for conn in conns:
        conn.close()
    latencies.sort()
    return statistics.median(latencies), latencies[int(len(latencies) * 0.99) - 1]


async def push_to_visible(port: int, key: str, tzids: list[tuple[int, int]]) -> float:
    """p99 (ms) from PUSH_SMS acknowledged to the code shown by getState."""
    conn = await Connection.open(port)
    samples = []
    for sms_id, (tzid, phone) in enumerate(tzids, start=1):
        body = orjson.dumps(
            {
                "action": "PUSH_SMS",
                "smsId": sms_id,
                "phone": phone,
                "phoneFrom": "VK",
                "text": f"VK: {10000 + sms_id}",
                "key": AGENT_KEY,
            }
        )
        reply = orjson.loads(await conn.request("POST", "/push_sms_webhook", body))
        assert reply == {"status": "SUCCESS"}, reply
        acked = time.perf_counter()
        state = orjson.loads(
            await conn.request(
                "GET", f"/api/getState.php?apikey={key}&tzid={tzid}&message_to_code=1"
            )
        )
        assert state[0]["msg"] == str(10000 + sms_id), state
        samples.append((time.perf_counter() - acked) * 1000)
    conn.close()
    samples.sort()
    return samples[int(len(samples) * 0.99) - 1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_hub(url: str, port: int, data_dir: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "SIMGATE_DATABASE_URL": url, "SIMGATE_DATA_DIR": data_dir}
    exe = Path(sys.executable).with_name("simgate")
    hub = subprocess.Popen(
        [str(exe), "serve", "--no-worker", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
            return hub
        except OSError:
            time.sleep(0.05)
    hub.kill()
    raise RuntimeError("hub did not start")


async def measure(label: str, url: str, args: argparse.Namespace) -> None:
    data = await seed(url)
    port = free_port()
    with tempfile.TemporaryDirectory() as data_dir:
        hub = start_hub(url, port, data_dir)
        try:
            secs, conns = args.seconds, args.connections
            await closed_loop(port, "/health", 1.0, conns)  # warm up
            bare = await closed_loop(port, "/health", secs, conns)
            print(f"[{label}] bare endpoint /health: {bare:,.0f} req/s")
            for name in ("one", "twenty"):
                path = f"/api/getState.php?apikey={data[name]}"
                await closed_loop(port, path, 1.0, conns)
                rps = await closed_loop(port, path, secs, conns)
                p50, p99 = await open_loop_latency(port, path, 0.7 * rps, secs, conns)
                print(
                    f"[{label}] getState, {name:>6} open: {rps:,.0f} req/s, "
                    f"ratio {rps / bare:.2f}; at 70 %: p50 {p50:.1f} ms, p99 {p99:.1f} ms"
                )
            p99 = await push_to_visible(port, str(data["pusher"]), data["pusher_tzids"])  # type: ignore[arg-type]
            print(
                f"[{label}] PUSH_SMS acknowledged -> code in getState: p99 {p99:.1f} ms "
                f"over {PUSH_SAMPLES} pushes"
            )
        finally:
            hub.terminate()
            hub.wait(10)


def reset_postgres() -> bool:
    psql = ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "test", "-qc"]
    try:
        subprocess.run([*psql, "DROP DATABASE IF EXISTS simgate_bench"], check=True)
        subprocess.run([*psql, "CREATE DATABASE simgate_bench"], check=True)
    except (OSError, subprocess.CalledProcessError):
        return False
    return True


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        await measure("sqlite", f"sqlite+aiosqlite:///{tmp}/bench.db", args)
    if not args.no_postgres and reset_postgres():
        await measure("postgresql", PG_URL, args)


if __name__ == "__main__":
    asyncio.run(main())
