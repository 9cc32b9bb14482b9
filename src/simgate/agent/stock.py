"""Stock and activations: what can be sold now, handing a SIM out, and closing activations.

Rules for one phone number and one service (`phone_services`):
- FINISH status 3 (sold) or 1 (do not offer again): never offered for that service again.
  A sold number is still handed out to a GET_NUMBER that names it (a repeat rental).
- FINISH status 4 (cancelled): offered again, until it has been cancelled `max_cancels` times.
- FINISH status 5 (returned): no effect on stock.
- An activation the hub forgets is closed by the agent when its lifetime ends (closed_by =
  'lifetime', status stays NULL). For stock it counts as one cancellation, never as a sale:
  the hub gave no sign the number worked, and counting it stops a number that a hub keeps
  abandoning from being offered forever. A FINISH that arrives later for it replaces that
  cancellation with the hub's own status.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum

from simgate.agent.db import ts

# A SIM whose calls are forwarded for a hub stays out of stock until FORWARD_CANCEL, also
# after its activation closed: it still belongs to the buyer who set the forwarding.
_FREE_SIM = """
    s.online = 1 AND s.phone IS NOT NULL
    AND NOT EXISTS (SELECT 1 FROM activations a WHERE a.sim_id = s.id AND a.open = 1)
    AND NOT EXISTS (SELECT 1 FROM forwardings f WHERE f.phone = s.phone AND f.active = 1)
"""
_BLOCKED = "(p.sold > 0 OR p.refused > 0 OR p.cancels >= ?)"
_NOT_BLOCKED_FOR_SERVICE = f"""
    NOT EXISTS (SELECT 1 FROM phone_services p WHERE p.phone = s.phone
                AND p.service = ? AND {_BLOCKED})
"""  # noqa: S608 - built from constants only
# A GET_NUMBER naming one SIM is a repeat rental: the hub asks so only for the buyer who bought
# that number for the service, so a sale does not block it. Refusal (status 1) still does, and
# a number never sold follows the plain stock's rule.
_NOT_BLOCKED_FOR_REPEAT = """
    NOT EXISTS (SELECT 1 FROM phone_services p WHERE p.phone = s.phone AND p.service = ?
                AND (p.refused > 0 OR (p.sold = 0 AND p.cancels >= ?)))
"""

Stock = dict[str, dict[str, dict[str, int]]]


@dataclass(frozen=True, slots=True)
class NumberRequest:
    """A validated GET_NUMBER."""

    country: str
    operator: str
    service: str
    sum: Decimal
    currency: int
    exceptions: tuple[str, ...] = ()
    number: int | None = None


@dataclass(frozen=True, slots=True)
class Allocation:
    """A SIM handed out: the activation and its number."""

    activation_id: int
    phone: int
    sim_id: int
    service: str


@dataclass(frozen=True, slots=True)
class Expired:
    """An activation closed because its lifetime ended."""

    activation_id: int
    phone: int
    service: str


class FinishResult(Enum):
    FINISHED = "finished"
    ALREADY_FINISHED = "already_finished"
    NOT_FOUND = "not_found"


def current_stock(conn: sqlite3.Connection, services: list[str], max_cancels: int) -> Stock:
    """Numbers that can be handed out now, per country, operator and service."""
    stock: Stock = {}
    free = conn.execute(
        f"SELECT country, operator, count(*) AS n FROM sims s WHERE {_FREE_SIM} "  # noqa: S608
        "GROUP BY country, operator"
    ).fetchall()
    for row in free:
        ops = stock.setdefault(row["country"], {})
        ops[row["operator"]] = dict.fromkeys(services, int(row["n"]))
    blocked = conn.execute(
        f"""
        SELECT s.country, s.operator, p.service, count(*) AS n
        FROM sims s JOIN phone_services p ON p.phone = s.phone
        WHERE {_FREE_SIM} AND {_BLOCKED}
        GROUP BY s.country, s.operator, p.service
        """,  # noqa: S608
        (max_cancels,),
    ).fetchall()
    for row in blocked:
        counts = stock[row["country"]][row["operator"]]
        if row["service"] in counts:
            counts[row["service"]] -= int(row["n"])
    return stock


def allocate(
    conn: sqlite3.Connection,
    request: NumberRequest,
    now: dt.datetime,
    lifetime_seconds: int,
    max_cancels: int,
) -> Allocation | None:
    """Pick the least recently used free SIM that fits and open an activation on it."""
    where = [_FREE_SIM, "s.country = ?"]
    params: list[object] = [request.country]
    if request.operator != "any":
        where.append("s.operator = ?")
        params.append(request.operator)
    if request.number is not None:
        where += ["s.phone = ?", _NOT_BLOCKED_FOR_REPEAT]
        params.append(request.number)
    else:
        where.append(_NOT_BLOCKED_FOR_SERVICE)
    params += [request.service, max_cancels]
    for prefix in request.exceptions:
        # Prefixes are validated as digits, so LIKE needs no escaping.
        where.append("CAST(s.phone AS TEXT) NOT LIKE ?")
        params.append(prefix + "%")
    row = conn.execute(
        f"SELECT s.id, s.phone FROM sims s WHERE {' AND '.join(where)} "  # noqa: S608
        "ORDER BY s.last_allocated_at, s.id LIMIT 1",
        params,
    ).fetchone()
    if row is None:
        return None
    return _open_activation(conn, request, int(row["id"]), int(row["phone"]), now, lifetime_seconds)


def _open_activation(
    conn: sqlite3.Connection,
    request: NumberRequest,
    sim_id: int,
    phone: int,
    now: dt.datetime,
    lifetime_seconds: int,
) -> Allocation:
    sim = conn.execute("SELECT country, operator FROM sims WHERE id = ?", (sim_id,)).fetchone()
    cur = conn.execute(
        """
        INSERT INTO activations (sim_id, phone, service, country, operator, sum, currency,
                                 created_at, expires_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
        """,
        (
            sim_id,
            phone,
            request.service,
            sim["country"],
            sim["operator"],
            str(request.sum),
            request.currency,
            ts(now),
            ts(now + dt.timedelta(seconds=lifetime_seconds)),
        ),
    )
    conn.execute("UPDATE sims SET last_allocated_at = ? WHERE id = ?", (ts(now), sim_id))
    assert cur.lastrowid is not None
    return Allocation(cur.lastrowid, phone, sim_id, request.service)


def finish(
    conn: sqlite3.Connection, activation_id: int, status: int, now: dt.datetime
) -> FinishResult:
    """Close an activation with the hub's status; a repeat changes nothing."""
    row = conn.execute(
        "SELECT phone, service, open, status, closed_by FROM activations WHERE id = ?",
        (activation_id,),
    ).fetchone()
    if row is None:
        return FinishResult.NOT_FOUND
    phone, service = int(row["phone"]), str(row["service"])
    if row["open"]:
        conn.execute(
            "UPDATE activations SET open = 0, status = ?, closed_by = 'hub', closed_at = ? "
            "WHERE id = ?",
            (status, ts(now), activation_id),
        )
        _apply_status(conn, phone, service, status)
        return FinishResult.FINISHED
    if row["closed_by"] == "lifetime" and row["status"] is None:
        conn.execute("UPDATE activations SET status = ? WHERE id = ?", (status, activation_id))
        _count_cancel(conn, phone, service, -1)
        _apply_status(conn, phone, service, status)
    return FinishResult.ALREADY_FINISHED


def expire(conn: sqlite3.Connection, now: dt.datetime) -> list[Expired]:
    """Close every open activation whose lifetime has ended; each counts as one cancel."""
    rows = conn.execute(
        "SELECT id, phone, service FROM activations WHERE open = 1 AND expires_at <= ?",
        (ts(now),),
    ).fetchall()
    expired = [Expired(int(r["id"]), int(r["phone"]), str(r["service"])) for r in rows]
    for item in expired:
        conn.execute(
            "UPDATE activations SET open = 0, closed_by = 'lifetime', closed_at = ? WHERE id = ?",
            (ts(now), item.activation_id),
        )
        _count_cancel(conn, item.phone, item.service, 1)
    return expired


def _apply_status(conn: sqlite3.Connection, phone: int, service: str, status: int) -> None:
    if status == 3:
        _set_flag(conn, phone, service, "sold")
    elif status == 1:
        _set_flag(conn, phone, service, "refused")
    elif status == 4:
        _count_cancel(conn, phone, service, 1)


def _set_flag(conn: sqlite3.Connection, phone: int, service: str, column: str) -> None:
    assert column in {"sold", "refused"}
    conn.execute(
        f"INSERT INTO phone_services (phone, service, {column}) VALUES (?, ?, 1) "  # noqa: S608
        f"ON CONFLICT (phone, service) DO UPDATE SET {column} = 1",
        (phone, service),
    )


def _count_cancel(conn: sqlite3.Connection, phone: int, service: str, delta: int) -> None:
    conn.execute(
        "INSERT INTO phone_services (phone, service, cancels) VALUES (?, ?, max(?, 0)) "
        "ON CONFLICT (phone, service) DO UPDATE SET cancels = max(cancels + ?, 0)",
        (phone, service, delta, delta),
    )
