"""A virtualenv of third-party client libraries, built once per requirements file.

The clients pin old requests/aiohttp/pydantic, so they live apart from simgate's own
environment. A built environment is kept under `.clients-venv/` and reused while its
requirements file (and the Python that built it) stay the same.
"""

from __future__ import annotations

import fcntl
import hashlib
import shutil
import subprocess
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
CACHE_DIR = REPO_ROOT / ".clients-venv"
READY_MARK = "simgate-ready"
INSTALL_TIMEOUT_SECONDS = 600


class ClientVenvError(RuntimeError):
    """The environment could not be built (no registry, a pin that no longer resolves...)."""


def _key(requirements: Path) -> str:
    digest = hashlib.sha256(requirements.read_bytes())
    digest.update(sys.version.encode())
    return f"{requirements.stem}-{digest.hexdigest()[:16]}"


def _run(args: list[str]) -> None:
    try:
        done = subprocess.run(
            args, capture_output=True, text=True, timeout=INSTALL_TIMEOUT_SECONDS, check=False
        )
    except subprocess.TimeoutExpired as exc:
        raise ClientVenvError(f"{' '.join(args)} took over {exc.timeout} s") from exc
    if done.returncode != 0:
        raise ClientVenvError(f"{' '.join(args)} exited {done.returncode}:\n{done.stderr[-4000:]}")


def _drop_stale(requirements: Path) -> None:
    """Remove the environments of earlier versions of this requirements file."""
    for old in CACHE_DIR.iterdir():
        if old.is_dir() and old.name.rsplit("-", 1)[0] == requirements.stem:
            shutil.rmtree(old, ignore_errors=True)


def _build(target: Path, requirements: Path) -> None:
    _drop_stale(requirements)
    _run([sys.executable, "-m", "venv", str(target)])
    python = str(target / "bin" / "python")
    pip = [python, "-m", "pip", "--disable-pip-version-check", "--no-input"]
    # Every dependency is pinned in the file, so --no-deps installs exactly the lock and
    # `pip check` proves the lock is complete and consistent.
    _run([*pip, "install", "-q", "--no-deps", "-r", str(requirements)])
    _run([*pip, "check"])
    (target / READY_MARK).write_text(requirements.read_text())


def client_python(requirements: Path) -> Path:
    """The interpreter of the environment for `requirements`, built if not built yet."""
    CACHE_DIR.mkdir(exist_ok=True)
    target = CACHE_DIR / _key(requirements)
    # A lock, because two test runs of one checkout may start together; a half-built
    # environment has no mark and is rebuilt from scratch.
    with (CACHE_DIR / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (target / READY_MARK).exists():
            _build(target, requirements)
    return target / "bin" / "python"


def build_all() -> None:
    """Build every client environment; CI runs this before the tests, outside their timeout."""
    for requirements in sorted(Path(__file__).parent.glob("requirements*.txt")):
        started = time.monotonic()
        python = client_python(requirements)
        print(f"{requirements.name}: {python} ({time.monotonic() - started:.0f} s)")


if __name__ == "__main__":
    build_all()
