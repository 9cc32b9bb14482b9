"""A port or an agent folder that is already taken: one line and exit 1, from the real
`simgate` executable as an operator starts it."""

from __future__ import annotations

import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

EXE = str(Path(sys.executable).with_name("simgate"))


@pytest.fixture
def busy_port() -> Iterator[int]:
    """A port some other program is listening on."""
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        yield int(holder.getsockname()[1])


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([EXE, *args], check=False, capture_output=True, text=True, timeout=120)


def assert_one_line(done: subprocess.CompletedProcess[str], expected: str) -> None:
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr, done.stderr
    errors = [line for line in done.stderr.splitlines() if line.startswith("error: ")]
    assert errors == [expected], done.stderr


def test_serve_on_a_busy_port(busy_port: int, tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}"
    done = run("serve", "--host", "127.0.0.1", "--port", str(busy_port), "--database-url", url)
    assert_one_line(done, f"error: cannot listen on 127.0.0.1:{busy_port}: Address already in use")


def test_demo_on_a_busy_port(busy_port: int, tmp_path: Path) -> None:
    done = run("demo", "--port", str(busy_port), "--data-dir", str(tmp_path))
    assert_one_line(done, f"error: cannot listen on 127.0.0.1:{busy_port}: Address already in use")


def test_agent_on_a_busy_port(busy_port: int, tmp_path: Path) -> None:
    done = run(
        "agent", "serve", "--port", str(busy_port), "--key", "k", "--simulate", "1",
        "--data-dir", str(tmp_path),
    )  # fmt: skip
    assert_one_line(done, f"error: cannot listen on 127.0.0.1:{busy_port}: Address already in use")


def test_agent_on_a_folder_another_agent_holds(tmp_path: Path) -> None:
    args = ["agent", "serve", "--port", "0", "--key", "k", "--simulate", "1"]
    first = subprocess.Popen(
        [EXE, *args, "--data-dir", str(tmp_path)], stderr=subprocess.PIPE, text=True
    )
    try:
        assert first.stderr is not None
        # It holds the folder from the moment it says it listens.
        assert any("listening on" in line for line in first.stderr), "the first agent died"
        done = run(*args, "--data-dir", str(tmp_path))
    finally:
        first.terminate()
        first.wait(timeout=20)
    assert_one_line(done, f"error: another agent is running on {tmp_path}")
