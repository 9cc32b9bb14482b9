"""A short journal of notable events (errors, expiries) for `simgate agent status`."""

from __future__ import annotations

import datetime as dt
import sqlite3

from simgate.agent.db import ts

KEEP_EVENTS = 500


def record_event(
    conn: sqlite3.Connection, now: dt.datetime, level: str, source: str, message: str
) -> None:
    """Append one event and keep only the most recent ones."""
    cur = conn.execute(
        "INSERT INTO events (at, level, source, message) VALUES (?, ?, ?, ?)",
        (ts(now), level, source, message[:500]),
    )
    if cur.lastrowid is not None and cur.lastrowid % 100 == 0:
        conn.execute("DELETE FROM events WHERE id <= ?", (cur.lastrowid - KEEP_EVENTS,))
