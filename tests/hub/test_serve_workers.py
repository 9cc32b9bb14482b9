"""`simgate serve --workers 2`: two processes answer on one port, and SIGTERM stops them all."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import httpx
from prometheus_client.parser import text_string_to_metric_families

EXE = str(Path(sys.executable).with_name("simgate"))
ROUNDS = 50  # of 32 connections at once; the kernel gives each process some long before


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def children_of(pid: int) -> set[int]:
    return {int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()}


async def answering_pids(url: str, expected: set[int]) -> set[int]:
    """Process ids that answered /health, over rounds of 32 fresh connections at once, until
    every expected process has answered (or ROUNDS ran out)."""
    seen: set[int] = set()

    async def one() -> None:
        async with httpx.AsyncClient(trust_env=False, timeout=30) as client:
            reply = await client.get(f"{url}/health")
            assert reply.json() == {"status": "ok"}
            seen.add(int(reply.headers["x-simgate-pid"]))

    for _ in range(ROUNDS):
        await asyncio.gather(*(one() for _ in range(32)))
        if seen >= expected:
            break
    return seen


def requests_counted(text: str, method: str) -> float:
    total = 0.0
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == "simgate_requests_total" and sample.labels["method"] == method:
                total += sample.value
    return total


async def metrics_sum_every_process(url: str, expected: set[int]) -> None:
    """Requests answered by both processes; then a scrape, whichever process answers it,
    counts them all (prometheus-client's multi-process mode)."""
    answered_by: set[int] = set()
    sent = 0

    async def one() -> None:
        async with httpx.AsyncClient(trust_env=False, timeout=30) as client:
            reply = await client.get(f"{url}/api/getBalance.php", params={"apikey": "nokey"})
            answered_by.add(int(reply.headers["x-simgate-pid"]))

    for _ in range(ROUNDS):
        await asyncio.gather(*(one() for _ in range(32)))
        sent += 32
        if answered_by >= expected:
            break
    assert answered_by == expected
    scraped_by: set[int] = set()
    for _ in range(ROUNDS):
        async with httpx.AsyncClient(trust_env=False, timeout=30) as client:
            scrape = await client.get(f"{url}/metrics")
        assert requests_counted(scrape.text, "getBalance") == sent
        scraped_by.add(int(scrape.headers["x-simgate-pid"]))
        if scraped_by >= expected:
            break


def test_two_processes_share_the_port_and_stop_on_sigterm(database_url: str, tmp_path):
    port = free_port()
    args = ["serve", "--no-worker", "--workers", "2", "--port", str(port)]
    proc = subprocess.Popen(
        [EXE, *args, "--database-url", database_url],
        env={**os.environ, "SIMGATE_DATA_DIR": str(tmp_path)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.strip() == f"simgate hub listening on http://127.0.0.1:{port} (2 processes)"
        hub_processes = children_of(proc.pid)
        assert len(hub_processes) == 2
        seen = asyncio.run(answering_pids(f"http://127.0.0.1:{port}", hub_processes))
        assert seen == hub_processes
        asyncio.run(metrics_sum_every_process(f"http://127.0.0.1:{port}", hub_processes))
    finally:
        proc.send_signal(signal.SIGTERM)
        _out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert "Traceback" not in err, err
    assert not any(Path(f"/proc/{pid}").exists() for pid in hub_processes)
