"""Bullet "bodies": a 300 MiB request body is refused on every route while it streams in,
and the serving process's peak memory barely moves.

Memory is measured on real processes (`simgate serve`, `simgate agent serve`) through
VmHWM in /proc/PID/status: it is the resident peak of everything the process holds
(uvicorn's buffers, Starlette's form spooling, the bytes objects), which tracemalloc would
only partly see, and a test process would blur with its own allocations.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

HUGE = 300 << 20
CHUNK = b"x" * (1 << 20)
MIB = 1 << 20

# (path, content type, how the dialect refuses: status code and JSON body)
HUB_ROUTES: list[tuple[str, str, int, Any]] = [
    ("/api/getNum.php", "application/json", 200, {"response": "ERROR_PARAMS"}),
    ("/api/getState.php", "application/x-www-form-urlencoded", 200, {"response": "ERROR_PARAMS"}),
    ("/api/register.php", "multipart/form-data; boundary=b", 200, {"response": "ERROR_PARAMS"}),
    ("/api/login.php", "application/json", 200, {"response": "ERROR_PARAMS"}),
    ("/demo/api/getNum.php", "application/json", 200, {"response": "ERROR_PARAMS"}),
    ("/delivery-api/get/send.php", "application/json", 413, {"error": "body too large"}),
    ("/delivery-api/get/balance.php", "application/x-www-form-urlencoded", 413, None),
    ("/push_sms_webhook", "application/json", 200, {"status": "ERROR", "error": "body too large"}),
    ("/agent/api/sms", "application/json", 200, {"status": "ERROR", "error": "body too large"}),
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _peak_rss(pid: int) -> int:
    """VmHWM: the highest resident set size the process has had, in bytes."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmHWM")


def _huge_body() -> Iterator[bytes]:
    for _ in range(HUGE // len(CHUNK)):
        yield CHUNK


def _serve(args: list[str], env: dict[str, str], url: str) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(
        [str(Path(sys.executable).parent / "simgate"), *args],
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(proc.stderr.read().decode() if proc.stderr else "exited")
        try:
            httpx.get(url, timeout=1, trust_env=False)
            return proc
        except httpx.TransportError:
            time.sleep(0.1)  # start-up: polling for the port, not waiting on an outcome
    proc.kill()
    raise AssertionError("server did not start")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def _send_all(client: httpx.Client, url: str, routes: list[tuple[str, str, int, Any]]) -> list[str]:
    """Each route twice (chunked, then with Content-Length); the mismatches found."""
    wrong = []
    for path, content_type, status, body in routes:
        for declared in (False, True):
            headers = {"content-type": content_type}
            if declared:
                headers["content-length"] = str(HUGE)
            response = client.post(url + path, content=_huge_body(), headers=headers)
            if response.status_code != status or (body is not None and response.json() != body):
                wrong.append(f"{path} declared={declared}: {response.status_code} {response.text}")
    return wrong


def _warm_up(client: httpx.Client, url: str, routes: list[tuple[str, str, int, Any]]) -> None:
    """Small requests first, so imports and caches are in the baseline, not in the growth."""
    for path, content_type, _status, _body in routes:
        client.post(url + path, content=b"{}", headers={"content-type": content_type})


def test_hub_refuses_huge_bodies_on_every_route_in_bounded_memory(
    database_url: str, tmp_path: Path
) -> None:
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = {"SIMGATE_DATA_DIR": str(tmp_path), "SIMGATE_ARGON2_MEMORY_KIB": "1024"}
    # One process: the peak RSS measured is that of the process that reads the bodies.
    args = ["serve", "--no-worker", "--workers", "1", "--port", str(port)]
    args += ["--database-url", database_url]
    proc = _serve(args, env, url + "/health")
    try:
        with httpx.Client(timeout=120, trust_env=False) as client:
            _warm_up(client, url, HUB_ROUTES)
            before = _peak_rss(proc.pid)
            wrong = _send_all(client, url, HUB_ROUTES)
            after = _peak_rss(proc.pid)
    finally:
        _stop(proc)
    print(f"peak RSS {before / MIB:.1f} -> {after / MIB:.1f} MiB")  # shown with pytest -s
    assert wrong == []
    assert after - before < 64 * MIB, f"peak grew {(after - before) / MIB:.1f} MiB"


AGENT_ROUTES = [("/", "application/json", 200, None)]


def test_agent_refuses_huge_bodies_in_bounded_memory(tmp_path: Path) -> None:
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    args = ["agent", "serve", "--port", str(port), "--key", "k", "--data-dir", str(tmp_path)]
    proc = _serve(args, {}, url + "/")
    try:
        with httpx.Client(timeout=120, trust_env=False) as client:
            _warm_up(client, url, AGENT_ROUTES)
            before = _peak_rss(proc.pid)
            wrong = _send_all(client, url, AGENT_ROUTES)
            reply = client.post(url + "/", content=_huge_body()).json()
            after = _peak_rss(proc.pid)
    finally:
        _stop(proc)
    print(f"peak RSS {before / MIB:.1f} -> {after / MIB:.1f} MiB")  # shown with pytest -s
    assert wrong == []
    assert reply == {"status": "ERROR", "error": "BAD_REQUEST: body too large"}
    assert after - before < 64 * MIB, f"peak grew {(after - before) / MIB:.1f} MiB"


async def _once(body: bytes) -> AsyncIterator[bytes]:
    yield body


@pytest.mark.parametrize("declared", [False, True])
async def test_body_just_under_the_limit_is_read(hub: Any, declared: bool) -> None:
    """The limit refuses what is past it, not what is at it."""
    body = b'{"apikey": "' + b"k" * ((1 << 20) - 20) + b'"}'
    assert len(body) <= 1 << 20
    headers = {"content-type": "application/json"}
    content: Any = body if declared else _once(body)
    response = await hub.client.post(
        f"{hub.url}/api/getBalance.php", content=content, headers=headers
    )
    assert response.json() == {"response": "ERROR_WRONG_KEY"}
