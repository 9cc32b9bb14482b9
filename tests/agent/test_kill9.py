"""kill -9 of `simgate agent serve` with SMS in the outbox.

What the agent promises the hub: every SMS is pushed, under one smsId, until the hub answers
SUCCESS (or a final refusal). An SMS whose SUCCESS the agent has recorded is never pushed
again; one whose answer the kill cut off is pushed again after the restart, exactly once more
when the hub then answers. The hub counts every push it receives, repeats included.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import subprocess
import sys
from collections import Counter
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx

from tests.agent.conftest import FakeHub

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
        # Far above any answer time here: a push repeated after a timeout would blur the counts.
        "SIMGATE_AGENT_PUSH_TIMEOUT_SECONDS": "60",
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


def _all_delivered(data_dir: Path, count: int) -> Callable[[], bool]:
    def check() -> bool:
        rows = _outbox(data_dir)
        return len(rows) == count and all(state == "delivered" for _, state, _ in rows)

    return check


async def _agent_url(data_dir: Path, eventually: Any) -> str:
    url_file = data_dir / "agent-url"
    await eventually(url_file.exists, within=20)
    return url_file.read_text().strip()


async def _rent(url: str, rentals: int) -> None:
    async with httpx.AsyncClient(timeout=5) as http:
        for _ in range(rentals):
            body = {"action": "GET_NUMBER", "key": KEY, "country": "russia",
                    "operator": "any", "service": "vk", "sum": 10}  # fmt: skip
            assert (await http.post(url, json=body)).json()["status"] == "SUCCESS"


async def _one_more_rental(url: str, data_dir: Path, eventually: Any) -> set[int]:
    """Rent once more and wait until its SMS are delivered: the outbox pass that pushed them
    would also have pushed any earlier SMS it wrongly took for due (they sort first)."""
    before = {sms_id for sms_id, _, _ in _outbox(data_dir)}
    await _rent(url, 1)
    await eventually(_all_delivered(data_dir, len(before) + SMS_PER_RENTAL), within=10)
    return {sms_id for sms_id, _, _ in _outbox(data_dir)} - before


async def _kill(proc: subprocess.Popen[bytes]) -> None:
    proc.send_signal(signal.SIGKILL)
    await asyncio.to_thread(proc.wait)
    assert proc.returncode == -signal.SIGKILL


async def _stop(proc: subprocess.Popen[bytes], log: Path) -> None:
    proc.send_signal(signal.SIGTERM)
    await asyncio.to_thread(proc.wait, 20)
    output = "" if proc.returncode == 0 else await asyncio.to_thread(log.read_text)
    assert proc.returncode == 0, output


async def test_kill9_with_pending_outbox_then_everything_is_delivered_once(
    tmp_path: Path,
    free_port: int,
    hub_factory: Callable[..., Awaitable[FakeHub]],
    eventually: Any,
) -> None:
    data_dir = tmp_path / "agent"
    data_dir.mkdir()
    log = tmp_path / "agent.log"
    hub_url = f"http://127.0.0.1:{free_port}/push_sms_webhook"
    proc = _start_agent(data_dir, hub_url, log)
    try:
        await _rent(await _agent_url(data_dir, eventually), RENTALS)

        def all_tried_and_pending() -> bool:
            rows = _outbox(data_dir)
            expected = RENTALS * SMS_PER_RENTAL
            return len(rows) == expected and all(s == "pending" and a >= 1 for _, s, a in rows)

        await eventually(all_tried_and_pending, within=10)
    finally:
        await _kill(proc)
    pending = {sms_id for sms_id, _, _ in _outbox(data_dir)}

    hub = await hub_factory(free_port)
    proc = _start_agent(data_dir, hub_url, log)
    try:
        url = await _agent_url(data_dir, eventually)
        await eventually(_all_delivered(data_dir, len(pending)), within=20)
        later = await _one_more_rental(url, data_dir, eventually)
    finally:
        await _stop(proc, log)
    # The hub was down until the kill, so each SMS reached it only after the restart: once.
    assert hub.pushes == Counter(dict.fromkeys(pending | later, 1))
    assert len(hub.stored) == RENTALS * SMS_PER_RENTAL + SMS_PER_RENTAL
    for body in hub.stored.values():
        assert type(body["smsId"]) is int and type(body["phone"]) is int


async def test_kill9_during_a_push_repeats_only_what_was_not_acknowledged(
    tmp_path: Path, hub: FakeHub, eventually: Any
) -> None:
    data_dir = tmp_path / "agent"
    data_dir.mkdir()
    log = tmp_path / "agent.log"
    proc = _start_agent(data_dir, hub.url, log)
    try:
        url = await _agent_url(data_dir, eventually)
        await _rent(url, 1)
        await eventually(_all_delivered(data_dir, SMS_PER_RENTAL), within=10)
        hub.hold()  # the next pushes arrive, but their SUCCESS will die with the agent
        await _rent(url, 1)
        await eventually(
            lambda: len(_outbox(data_dir)) == 2 * SMS_PER_RENTAL and hub.held, within=10
        )
    finally:
        await _kill(proc)
    at_kill = {sms_id: state for sms_id, state, _ in _outbox(data_dir)}
    acknowledged = {i for i, state in at_kill.items() if state == "delivered"}
    cut_off = {i for i, state in at_kill.items() if state == "pending" and hub.pushes[i]}
    never_sent = {i for i, state in at_kill.items() if state == "pending" and not hub.pushes[i]}
    assert len(acknowledged) == SMS_PER_RENTAL and cut_off  # the kill hit a push in flight
    hub.answer_held()  # to a dead connection: the agent never learns of it

    proc = _start_agent(data_dir, hub.url, log)
    try:
        url = await _agent_url(data_dir, eventually)
        await eventually(_all_delivered(data_dir, len(at_kill)), within=20)
        later = await _one_more_rental(url, data_dir, eventually)
    finally:
        await _stop(proc, log)
    once, twice = acknowledged | never_sent | later, cut_off
    expected = Counter({**dict.fromkeys(once, 1), **dict.fromkeys(twice, 2)})
    assert hub.pushes == expected
    assert set(hub.stored) == set(expected)
