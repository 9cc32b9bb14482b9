"""Fixtures for third-party clients: their environments, and running a driver script
with one of them against the hub."""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path
from typing import Any

import pytest

from tests.clients.client_venv import ClientVenvError, client_python
from tests.hub.conftest import hub, make_buyer  # noqa: F401

HERE = Path(__file__).parent
DRIVERS = HERE / "drivers"
DRIVER_TIMEOUT_SECONDS = 60


def _python_for(requirements: Path) -> Path:
    try:
        return client_python(requirements)
    except ClientVenvError as exc:
        # A fail, not a skip: a run without the registry must not pass silently.
        pytest.fail(
            f"cannot build the client environment for {requirements.name}: {exc}", pytrace=False
        )


@pytest.fixture(scope="session")
def clients_python() -> Path:
    """Python of the main client environment (requirements.txt)."""
    return _python_for(HERE / "requirements.txt")


@pytest.fixture(scope="session")
def clients_pydantic1_python() -> Path:
    """Python of the environment for clients that need pydantic<2."""
    return _python_for(HERE / "requirements-pydantic1.txt")


async def run_driver(python: Path, driver: str, *args: str) -> dict[str, Any]:
    """Run drivers/<driver>.py with `python`; returns the JSON object it prints last.

    Runs as a child process so the hub, served by this test's event loop, keeps answering.
    """
    # -I: none of this process's PYTHONPATH or user site leaks into the client environment.
    # No proxy variables: every client library would honour them, even for loopback.
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    process = await asyncio.create_subprocess_exec(
        str(python),
        "-I",
        str(DRIVERS / f"{driver}.py"),
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=env,
    )
    try:
        out, err = await asyncio.wait_for(process.communicate(), DRIVER_TIMEOUT_SECONDS)
    except TimeoutError:
        process.kill()
        await process.wait()
        raise
    assert process.returncode == 0, f"{driver} exited {process.returncode}:\n{err.decode()}"
    lines = out.decode().strip().splitlines()
    assert lines, f"{driver} printed nothing:\n{err.decode()}"
    result: dict[str, Any] = json.loads(lines[-1])
    return result
