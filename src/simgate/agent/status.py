"""`simgate agent status`: a read-only look into the agent's SQLite file, as Rich tables."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from simgate.agent.stock import current_stock


@dataclass
class StatusReport:
    """Everything the status command shows."""

    url: str
    sims: list[dict[str, Any]]
    stock: dict[str, dict[str, dict[str, int]]]
    open_activations: list[dict[str, Any]]
    outbox: dict[str, int]
    failing: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)


def read_status(data_dir: Path, services: list[str], max_cancels: int = 4) -> StatusReport:
    """Read the agent's state without writing to its file (safe while the agent runs)."""
    path = data_dir / "agent.db"
    if not path.exists():
        raise FileNotFoundError(f"no agent database at {path}")
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    try:
        return _report(conn, data_dir, services, max_cancels)
    finally:
        conn.close()


def _rows(conn: sqlite3.Connection, sql: str) -> list[dict[str, Any]]:
    return [dict(row) for row in conn.execute(sql).fetchall()]


def _report(
    conn: sqlite3.Connection, data_dir: Path, services: list[str], max_cancels: int
) -> StatusReport:
    url_file = data_dir / "agent-url"
    outbox = {
        r["state"]: r["n"]
        for r in _rows(conn, "SELECT state, count(*) AS n FROM sms GROUP BY state")
    }
    outbox["parts waiting"] = int(conn.execute("SELECT count(*) FROM sms_parts").fetchone()[0])
    return StatusReport(
        url=url_file.read_text().strip() if url_file.exists() else "",
        sims=_rows(
            conn,
            "SELECT port, sim_key, phone, country, operator, online, signal, last_error, "
            "(SELECT count(*) FROM activations a WHERE a.sim_id = s.id AND a.open = 1) AS busy "
            "FROM sims s ORDER BY port, sim_key LIMIT 200",
        ),
        stock=current_stock(conn, services, max_cancels),
        open_activations=_rows(
            conn,
            "SELECT id, phone, service, sum, currency, created_at, expires_at FROM activations "
            "WHERE open = 1 ORDER BY id LIMIT 100",
        ),
        outbox=outbox,
        failing=_rows(
            conn,
            "SELECT id, phone, sender, attempts, next_attempt_at, last_error, state FROM sms "
            "WHERE last_error != '' ORDER BY id DESC LIMIT 10",
        ),
        events=_rows(
            conn, "SELECT at, level, source, message FROM events ORDER BY id DESC LIMIT 10"
        ),
    )


def render(report: StatusReport, console: Console) -> None:
    """Print the report as tables."""
    console.print(f"[bold]agent[/bold] {report.url or '(not running or never started)'}")
    sims = Table(
        "port", "SIM", "phone", "country", "operator", "state", "signal", "last error", title="SIMs"
    )
    for s in report.sims:
        state = "busy" if s["busy"] else ("online" if s["online"] else "offline")
        sims.add_row(
            s["port"], s["sim_key"], str(s["phone"] or "?"), s["country"], s["operator"], state,
            "" if s["signal"] is None else str(s["signal"]), s["last_error"],
        )  # fmt: skip
    console.print(sims)
    stock = Table("country", "operator", "stock per service", title="Stock (GET_SERVICES)")
    for country, operators in sorted(report.stock.items()):
        for operator, counts in sorted(operators.items()):
            stock.add_row(country, operator, " ".join(f"{k}:{v}" for k, v in counts.items()))
    console.print(stock)
    acts = Table(
        "activationId", "phone", "service", "sum", "opened", "expires", title="Open activations"
    )
    for a in report.open_activations:
        acts.add_row(str(a["id"]), str(a["phone"]), a["service"], f"{a['sum']} ({a['currency']})",
                     a["created_at"][:19], a["expires_at"][:19])  # fmt: skip
    console.print(acts)
    outbox = Table("state", "count", title="SMS outbox")
    for state, count in sorted(report.outbox.items()):
        outbox.add_row(state, str(count))
    console.print(outbox)
    _render_errors(report, console)


def _render_errors(report: StatusReport, console: Console) -> None:
    failing = Table("smsId", "phone", "from", "attempts", "state", "next try", "last error",
                    title="Last push errors")  # fmt: skip
    for f in report.failing:
        failing.add_row(str(f["id"]), str(f["phone"]), f["sender"], str(f["attempts"]), f["state"],
                        f["next_attempt_at"][:19], f["last_error"])  # fmt: skip
    console.print(failing)
    events = Table("at", "level", "source", "message", title="Last events")
    for e in report.events:
        events.add_row(e["at"][:19], e["level"], e["source"], e["message"])
    console.print(events)
