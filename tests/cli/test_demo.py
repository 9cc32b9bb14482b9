"""`simgate demo` as a newcomer runs it: it prints a key, a number can be rented, the code comes."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import httpx


def _wait_for_intro(process: subprocess.Popen[str]) -> tuple[str, str]:
    assert process.stdout is not None
    hub = key = None
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not (hub and key):
        line = process.stdout.readline()
        if not line:
            break
        if found := re.search(r"hub at (http://\S+)", line):
            hub = found.group(1)
        if found := re.search(r"API key: (\w+)", line):
            key = found.group(1)
    assert hub and key, "the demo did not print its hub and key"
    return hub, key


EXE = Path(sys.executable).with_name("simgate")


def _without_simgate_settings() -> dict[str, str]:
    """The environment minus SIMGATE_*: the demo and the admin commands use their defaults."""
    return {k: v for k, v in os.environ.items() if not k.startswith("SIMGATE_")}


def _start_demo(*args: str, cwd: Path | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [str(EXE), "demo", "--port", "0", "--sms-delay", "0.2", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=cwd,
        env=_without_simgate_settings(),
    )


def _run_demo_and_rent(data_dir: Path) -> None:
    """Start `simgate demo`, rent a number, read its code, stop the demo."""
    process = _start_demo("--data-dir", str(data_dir))
    try:
        hub, key = _wait_for_intro(process)
        with httpx.Client(base_url=hub, timeout=10, trust_env=False) as client:
            rented = client.get("/api/getNum.php", params={"apikey": key, "service": "vk"}).json()
            assert rented["response"] == 1, rented
            for _ in range(100):
                state = client.get(
                    "/api/getState.php",
                    params={"apikey": key, "tzid": rented["tzid"], "message_to_code": 1},
                ).json()[0]
                if state["response"] == "TZ_NUM_ANSWER":
                    break
                time.sleep(0.1)
            assert state["response"] == "TZ_NUM_ANSWER" and state["msg"].isdigit()
    finally:
        process.terminate()
        process.wait(timeout=20)


def test_demo_rents_a_number_and_the_code_arrives(tmp_path: Path) -> None:
    _run_demo_and_rent(tmp_path)


def test_demo_starts_again_on_the_same_data_dir(tmp_path: Path) -> None:
    _run_demo_and_rent(tmp_path)
    # The first run left a rental that refers to the demo agent; the second re-points it.
    _run_demo_and_rent(tmp_path)


def test_admin_commands_see_the_running_demo(tmp_path: Path) -> None:
    process = _start_demo(cwd=tmp_path)
    try:
        _wait_for_intro(process)
        shown = subprocess.run(
            [str(EXE), "account", "show", "demo"],
            check=False,
            cwd=tmp_path,
            env=_without_simgate_settings(),
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert shown.returncode == 0, shown.stderr
        assert "1000.00" in shown.stdout
    finally:
        process.terminate()
        process.wait(timeout=20)
