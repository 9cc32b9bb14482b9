"""SIM records: what the modem pool (real or simulated) reports about each SIM."""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass

from simgate.agent.db import ts


@dataclass(frozen=True, slots=True)
class SimInfo:
    """One SIM as a driver sees it."""

    sim_key: str
    port: str
    phone: int | None
    imsi: str
    country: str
    operator: str
    signal: int | None = None


def upsert_sim(conn: sqlite3.Connection, sim: SimInfo, now: dt.datetime) -> int:
    """Record a SIM as online and return its row id; a number another SIM holds is cleared."""
    phone = sim.phone
    if phone is not None:
        # A number moves with its SIM card: the slot that reported it before no longer has it.
        conn.execute(
            "UPDATE sims SET phone = NULL, online = 0 WHERE phone = ? AND sim_key != ?",
            (phone, sim.sim_key),
        )
    conn.execute(
        """
        INSERT INTO sims (sim_key, port, phone, imsi, country, operator, online, signal,
                          updated_at, last_error)
        VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?, '')
        ON CONFLICT (sim_key) DO UPDATE SET
            port = excluded.port, phone = excluded.phone, imsi = excluded.imsi,
            country = excluded.country, operator = excluded.operator, online = 1,
            signal = excluded.signal, updated_at = excluded.updated_at, last_error = ''
        """,
        (
            sim.sim_key,
            sim.port,
            phone,
            sim.imsi,
            sim.country,
            sim.operator,
            sim.signal,
            ts(now),
        ),
    )
    row = conn.execute("SELECT id FROM sims WHERE sim_key = ?", (sim.sim_key,)).fetchone()
    return int(row["id"])


def upsert_many(conn: sqlite3.Connection, sims: list[SimInfo], now: dt.datetime) -> None:
    """Record a whole simulated pool in one transaction."""
    for sim in sims:
        upsert_sim(conn, sim, now)


def set_offline(conn: sqlite3.Connection, port: str, error: str, now: dt.datetime) -> None:
    """Mark every SIM behind a port offline (the modem stopped answering or went away)."""
    conn.execute(
        "UPDATE sims SET online = 0, last_error = ?, updated_at = ? WHERE port = ?",
        (error, ts(now), port),
    )


def set_signal(
    conn: sqlite3.Connection, sim_key: str, signal: int | None, now: dt.datetime
) -> None:
    """Refresh the signal level seen by a health check."""
    conn.execute(
        "UPDATE sims SET signal = ?, updated_at = ? WHERE sim_key = ?",
        (signal, ts(now), sim_key),
    )


def all_offline(conn: sqlite3.Connection, now: dt.datetime) -> None:
    """On start nothing is for sale until its driver has seen the SIM again."""
    conn.execute("UPDATE sims SET online = 0, updated_at = ?", (ts(now),))
