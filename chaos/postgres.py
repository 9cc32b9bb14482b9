"""A private PostgreSQL instance for one run: its own data folder, port and socket folder.

The harness restarts its database on purpose; doing that to a shared server would break
everyone else's work, so every run owns a throw-away cluster made with initdb.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
from pathlib import Path
from typing import Any


def _bin_dir() -> Path:
    # Debian keeps the server tools per version, off PATH; elsewhere they are on PATH.
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[4]))
    if versions:
        return Path(versions[-1])
    found = shutil.which("initdb")
    if found is None:
        raise RuntimeError("PostgreSQL server binaries (initdb, pg_ctl) were not found")
    return Path(found).parent


def _server_user() -> dict[str, Any]:
    """PostgreSQL refuses to run as root: under root the cluster belongs to `postgres`."""
    if os.geteuid() != 0:
        return {}
    entry = pwd.getpwnam("postgres")
    return {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": []}


class PrivatePostgres:
    """initdb, start, restart (fast or immediate) and remove one cluster on 127.0.0.1."""

    def __init__(self, root: Path, port: int) -> None:
        self.bin = _bin_dir()
        self.data = root / "pgdata"
        self.sockets = root / "pgsock"
        self.log = root / "postgres.log"
        self.port = port

    @property
    def url(self) -> str:
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/simgate"

    def _run(self, *args: str, check: bool = True) -> None:
        subprocess.run(  # noqa: S603 - PostgreSQL's own tools, arguments from this run
            args, check=check, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            cwd="/", **_server_user(),
        )  # fmt: skip

    def _options(self) -> str:
        return (
            f"-p {self.port} -k {self.sockets} -c listen_addresses=127.0.0.1 "
            "-c max_connections=200 -c fsync=on"
        )

    def create(self) -> None:
        self.sockets.mkdir(parents=True, exist_ok=True)
        owner = _server_user()
        if owner:
            for path in (self.sockets.parent, self.sockets):
                os.chown(path, owner["user"], owner["group"])
        self._run(
            str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres",
            "--auth=trust", "--no-instructions", "-E", "UTF8",
        )  # fmt: skip
        self.start()
        self._run(
            str(self.bin / "createdb"), "-h", "127.0.0.1", "-p", str(self.port),
            "-U", "postgres", "simgate",
        )  # fmt: skip

    def start(self) -> None:
        self._run(
            str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.log),
            "-o", self._options(), "-w", "-t", "60", "start",
        )  # fmt: skip

    def restart(self, mode: str = "fast") -> None:
        """Restart in `mode` (fast: sessions are cut; immediate: no shutdown checkpoint)."""
        self._run(
            str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.log),
            "-o", self._options(), "-m", mode, "-w", "-t", "60", "restart",
        )  # fmt: skip

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self._run(
                str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop",
                check=False,
            )  # fmt: skip
