"""kill -9 of `simgate agent serve` with SMS waiting in the outbox and the hub down: after a
restart every SMS reaches the hub, and the hub stores each smsId once."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx

KEY = "test-agent-key"
RENTALS = 4
SMS_PER_RENTAL = 2


def _agent_command(data_dir: Path, hub_url: str) -> list[str]:
    script = Path(sys.executable).parent / "simgate"
    return [
        str(script), "agent", "serve", "--port", "0", "--key", KEY, "--hub-url", hub_url,
        "--data-dir", str(data_dir), "--simulate", "10",
    ]  # fmt: skip


def _start_agent(data_dir: Path, hub_url: str, log: Path) -> subprocess.Popen[bytes]:
    (data_dir / "agent-url").unlink(missing_ok=True)
    env = {
        **os.environ,
        "SIMGATE_AGENT_SIM_SMS_DELAY_SECONDS": "0.05",
        "SIMGATE_AGENT_SIM_SMS_COUNT": str(SMS_PER_RENTAL),
        "SIMGATE_AGENT_TICK_SECONDS": "0.05",
        "SIMGATE_AGENT_PUSH_RETRY_SECONDS": "0.5",
        "SIMGATE_AGENT_PUSH_TIMEOUT_SECONDS": "2",
    }
    with log.open("ab") as out:
        return subprocess.Popen(_agent_command(data_dir, hub_url), env=env, stdout=out, stderr=out)


def _outbox(data_dir: Path) -> list[tuple[int, str, int]]:
    conn = sqlite3.connect(f"file:{data_dir / 'agent.db'}?mode=ro", uri=True)
    try:
        return conn.execute("SELECT id, state, attempts FROM sms ORDER BY id").fetchall()
    except sqlite3.OperationalError:
        return []
    finally:
        conn.close()


async def test_kill9_with_pending_outbox_then_everything_is_delivered_once(
    tmp_path: Path,
    free_port: int,
    hub_factory: Callable[..., Awaitable[Any]],
    eventually: Any,
) -> None:
    data_dir = tmp_path / "agent"
    data_dir.mkdir()
    log = tmp_path / "agent.log"
    hub_url = f"http://127.0.0.1:{free_port}/push_sms_webhook"
    proc = _start_agent(data_dir, hub_url, log)
    try:
        url_file = data_dir / "agent-url"
        await eventually(url_file.exists, within=20)
        url = url_file.read_text().strip()
        async with httpx.AsyncClient(timeout=5) as http:
            for _ in range(RENTALS):
                body = {"action": "GET_NUMBER", "key": KEY, "country": "russia",
                        "operator": "any", "service": "vk", "sum": 10}  # fmt: skip
                assert (await http.post(url, json=body)).json()["status"] == "SUCCESS"

        def all_tried_and_pending() -> bool:
            rows = _outbox(data_dir)
            expected = RENTALS * SMS_PER_RENTAL
            return len(rows) == expected and all(s == "pending" and a >= 1 for _, s, a in rows)

        await eventually(all_tried_and_pending, within=10)
    finally:
        proc.send_signal(signal.SIGKILL)
        await asyncio.to_thread(proc.wait)
    assert proc.returncode == -signal.SIGKILL
    pending = {sms_id for sms_id, _, _ in _outbox(data_dir)}

    hub = await hub_factory(free_port)
    proc = _start_agent(data_dir, hub_url, log)
    try:
        await eventually(lambda: set(hub.stored) == pending, within=20)
        await eventually(
            lambda: all(state == "delivered" for _, state, _ in _outbox(data_dir)), within=10
        )
    finally:
        proc.send_signal(signal.SIGTERM)
        await asyncio.to_thread(proc.wait, 20)
    assert proc.returncode == 0, log.read_text()
    assert all(count == 1 for count in hub.store_counts.values())
    assert len(hub.stored) == RENTALS * SMS_PER_RENTAL
    for body in hub.stored.values():
        assert type(body["smsId"]) is int and type(body["phone"]) is int
