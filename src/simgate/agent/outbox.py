"""The SMS outbox: every received SMS is committed here before anything else happens to it.

Every SMS on every SIM goes out, whether or not an activation is open on the number (it may
have closed a moment ago): the hub matches SMS to activations, the agent does not guess.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass
from enum import Enum

from simgate.agent.db import ts

# A concatenated SMS whose parts never all arrive is still pushed (what did arrive) after
# this marker, rather than waiting forever.
INCOMPLETE_MARK = " […]"


@dataclass(frozen=True, slots=True)
class IncomingSms:
    """One received message, or one part of a concatenated one."""

    sim_key: str
    phone: int
    sender: str
    text: str
    # concatenation: reference, total parts, this part's number (1-based); None when single
    part: tuple[int, int, int] | None = None
    # identity of the raw PDU on the SIM, so a PDU read twice is stored once
    digest: str | None = None


@dataclass(frozen=True, slots=True)
class OutSms:
    """An SMS waiting to be pushed."""

    sms_id: int
    phone: int
    sender: str
    text: str
    attempts: int


class Outcome(Enum):
    DELIVERED = "delivered"
    REJECTED = "rejected"  # a final answer from the hub other than SUCCESS
    RETRY = "retry"


@dataclass(frozen=True, slots=True)
class PushResult:
    sms_id: int
    outcome: Outcome
    error: str = ""


def receive(conn: sqlite3.Connection, sms: IncomingSms, now: dt.datetime) -> int | None:
    """Store an SMS or a part; return the new smsId once a whole message is in the outbox."""
    if sms.digest is not None:
        cur = conn.execute(
            "INSERT OR IGNORE INTO seen_pdus (digest, seen_at) VALUES (?, ?)",
            (sms.digest, ts(now)),
        )
        if cur.rowcount == 0:
            return None
    if sms.part is None or sms.part[1] <= 1:
        return _add(conn, sms.phone, sms.sender, sms.text, now)
    return _add_part(conn, sms, now)


def _add(conn: sqlite3.Connection, phone: int, sender: str, text: str, now: dt.datetime) -> int:
    sim = conn.execute("SELECT id FROM sims WHERE phone = ?", (phone,)).fetchone()
    cur = conn.execute(
        "INSERT INTO sms (sim_id, phone, sender, text, received_at, next_attempt_at) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (sim["id"] if sim else None, phone, sender, text, ts(now), ts(now)),
    )
    assert cur.lastrowid is not None
    return cur.lastrowid


def _add_part(conn: sqlite3.Connection, sms: IncomingSms, now: dt.datetime) -> int | None:
    assert sms.part is not None
    ref, total, seq = sms.part
    key = (sms.sim_key, sms.sender, ref, total)
    conn.execute(
        "INSERT OR IGNORE INTO sms_parts (sim_key, sender, ref, total, seq, text, received_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        (*key, seq, sms.text, ts(now)),
    )
    rows = conn.execute(
        "SELECT seq, text FROM sms_parts WHERE sim_key = ? AND sender = ? AND ref = ? "
        "AND total = ? ORDER BY seq",
        key,
    ).fetchall()
    if len(rows) < total:
        return None
    return _assemble(conn, sms.sim_key, sms.phone, sms.sender, key, "", now)


def _assemble(
    conn: sqlite3.Connection,
    sim_key: str,
    phone: int,
    sender: str,
    key: tuple[str, str, int, int],
    suffix: str,
    now: dt.datetime,
) -> int:
    rows = conn.execute(
        "SELECT text FROM sms_parts WHERE sim_key = ? AND sender = ? AND ref = ? AND total = ? "
        "ORDER BY seq",
        key,
    ).fetchall()
    conn.execute(
        "DELETE FROM sms_parts WHERE sim_key = ? AND sender = ? AND ref = ? AND total = ?", key
    )
    return _add(conn, phone, sender, "".join(r["text"] for r in rows) + suffix, now)


def flush_stale_parts(
    conn: sqlite3.Connection, older_than: dt.datetime, now: dt.datetime
) -> list[int]:
    """Push what arrived of concatenated SMS whose missing parts are long overdue."""
    groups = conn.execute(
        "SELECT p.sim_key, p.sender, p.ref, p.total, s.phone FROM sms_parts p "
        "JOIN sims s ON s.sim_key = p.sim_key "
        "GROUP BY p.sim_key, p.sender, p.ref, p.total HAVING max(p.received_at) < ?",
        (ts(older_than),),
    ).fetchall()
    ids: list[int] = []
    for g in groups:
        if g["phone"] is None:
            continue
        key = (g["sim_key"], g["sender"], int(g["ref"]), int(g["total"]))
        ids.append(
            _assemble(conn, g["sim_key"], int(g["phone"]), g["sender"], key, INCOMPLETE_MARK, now)
        )
    return ids


def due(conn: sqlite3.Connection, now: dt.datetime, limit: int) -> list[OutSms]:
    """Pending SMS whose next attempt is due, oldest first."""
    rows = conn.execute(
        "SELECT id, phone, sender, text, attempts FROM sms "
        "WHERE state = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?",
        (ts(now), limit),
    ).fetchall()
    return [
        OutSms(int(r["id"]), int(r["phone"]), r["sender"], r["text"], int(r["attempts"]))
        for r in rows
    ]


def record_results(
    conn: sqlite3.Connection, results: list[PushResult], now: dt.datetime, retry_seconds: float
) -> None:
    """Mark pushed SMS delivered or rejected (final), or schedule the next attempt."""
    retry_at = ts(now + dt.timedelta(seconds=retry_seconds))
    for result in results:
        if result.outcome is Outcome.RETRY:
            conn.execute(
                "UPDATE sms SET attempts = attempts + 1, next_attempt_at = ?, last_error = ? "
                "WHERE id = ? AND state = 'pending'",
                (retry_at, result.error[:500], result.sms_id),
            )
        else:
            conn.execute(
                "UPDATE sms SET attempts = attempts + 1, state = ?, done_at = ?, last_error = ? "
                "WHERE id = ? AND state = 'pending'",
                (result.outcome.value, ts(now), result.error[:500], result.sms_id),
            )


def next_due_at(conn: sqlite3.Connection) -> str | None:
    """When the earliest pending SMS is due (a timestamp string), or None."""
    row = conn.execute(
        "SELECT min(next_attempt_at) AS at FROM sms WHERE state = 'pending'"
    ).fetchone()
    return None if row is None else row["at"]


def prune_seen(conn: sqlite3.Connection, older_than: dt.datetime) -> None:
    """Forget PDU digests long after their messages left the SIM."""
    conn.execute("DELETE FROM seen_pdus WHERE seen_at < ?", (ts(older_than),))
