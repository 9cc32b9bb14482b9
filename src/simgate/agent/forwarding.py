"""simgate's forwarding extension of the agent protocol, as the reference agent serves it.

The hub forwards the voice calls of a number it rented to the buyer's own phone. Only the
agent holding the SIM can do that, so four actions extend the SMSHUB agent protocol (same
URL, POST JSON, `key`, HTTP 200 with a JSON status). `activationId` is the id the agent gave
in GET_NUMBER; it names the forwarding for as long as it exists, also after the activation
itself is finished. Numbers are JSON integers, digits with the country code.

FORWARD_SET {activationId, forwardNumber, cleanCall: 0|1}
    Forward the SIM's calls to forwardNumber (again, to a new number, replaces the old one).
    → {"status":"SUCCESS"} once the SIM's network accepted it.
    Errors: NO_ACTIVATION (unknown id), NOT_SUPPORTED (this SIM cannot forward: its driver
    has no forwarding, or its modem is offline), FORWARD_FAILED: <reason> (network refused).
FORWARD_STATUS {activationId}
    → {"status":"SUCCESS","active":bool,"forwardNumber":int|null,"minutes":int|null,
       "balance":"12.50"|null}. `active` is what the network reports now (a modem asks with
    AT+CCFC …,2), not what was asked for. `minutes` / `balance`: the SIM's minute and money
    balance when the agent can read them (null when it cannot).
    Errors: NO_ACTIVATION, NOT_SUPPORTED, FORWARD_FAILED: <reason>.
FORWARD_TOP_UP {activationId, paymentId, minutes}
    The hub paid for `minutes` more minutes. Idempotent by (activationId, paymentId): a retry
    answers SUCCESS and credits nothing more. → {"status":"SUCCESS","minutes":int|null} (the
    balance afterwards, when known). An ERROR reply means nothing was credited, so the hub
    refunds the buyer. Errors: NO_ACTIVATION, NOT_ACTIVE (no forwarding in force).
FORWARD_CANCEL {activationId}
    Stop forwarding. Idempotent: SUCCESS also when nothing is forwarded any more.
    Errors: NO_ACTIVATION, FORWARD_FAILED: <reason>.

An agent that does not implement these answers ERROR (ours: BAD_ACTION); the hub then
answers the buyer NO_NUMBER_FOR_FORWARD and refunds the rental.

What a top-up means here: a modem cannot pay its own operator. The agent records every
paid top-up in its table `forward_top_ups` (and the events journal) — the hub's money for
minutes goes to the SIM owner, who keeps the SIM's account funded. The simulated pool keeps a
fake minute balance that the top-up raises and tests lower (`SimulatedLine.use`).
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import weakref
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol

from simgate.agent import protocol
from simgate.agent.db import ts
from simgate.agent.events import record_event
from simgate.agent.protocol import ProtocolError
from simgate.agent.store import AgentStore

ACTIONS = ("FORWARD_SET", "FORWARD_STATUS", "FORWARD_TOP_UP", "FORWARD_CANCEL")


@dataclass(frozen=True)
class LineState:
    """What the SIM's network and operator say about its forwarding."""

    active: bool
    forward_number: int | None
    minutes: int | None = None
    balance: Decimal | None = None


class LineError(Exception):
    """The SIM's modem or network refused or did not answer."""


class Line(Protocol):
    """Forwarding on the SIMs behind one port (a modem, or the whole simulated pool)."""

    async def set_forward(self, phone: int, number: int, clean_call: bool) -> None: ...
    async def cancel_forward(self, phone: int) -> None: ...
    async def read(self, phone: int) -> LineState: ...
    async def credit(self, phone: int, minutes: int) -> int | None: ...


# Drivers attach their line when their SIM comes up, per agent (its store), per port.
_LINES: weakref.WeakKeyDictionary[AgentStore, dict[str, Line]] = weakref.WeakKeyDictionary()


def attach_line(store: AgentStore, port: str, line: Line) -> None:
    """A driver's SIM(s) on `port` can forward from now on."""
    _LINES.setdefault(store, {})[port] = line


def detach_line(store: AgentStore, port: str, line: Line) -> None:
    """The port went away (modem closed): forwarding requests answer NOT_SUPPORTED."""
    lines = _LINES.get(store, {})
    if lines.get(port) is line:
        del lines[port]


class SimulatedLine:
    """The simulated pool's forwarding: the network accepts everything; a fake minute balance."""

    def __init__(self) -> None:
        self.forwards: dict[int, int] = {}  # phone -> forward number
        self.minutes: dict[int, int] = {}  # phone -> minute balance

    async def set_forward(self, phone: int, number: int, clean_call: bool) -> None:
        self.forwards[phone] = number

    async def cancel_forward(self, phone: int) -> None:
        self.forwards.pop(phone, None)

    async def read(self, phone: int) -> LineState:
        number = self.forwards.get(phone)
        return LineState(number is not None, number, self.minutes.get(phone, 0))

    async def credit(self, phone: int, minutes: int) -> int | None:
        self.minutes[phone] = self.minutes.get(phone, 0) + minutes
        return self.minutes[phone]

    def use(self, phone: int, minutes: int) -> None:
        """Forwarded calls took `minutes` (tests and demos call this)."""
        self.minutes[phone] = max(0, self.minutes.get(phone, 0) - minutes)


@dataclass(frozen=True)
class Target:
    activation_id: int
    phone: int
    port: str


class ForwardingDesk:
    """Answers the FORWARD_* actions for one agent."""

    def __init__(self, store: AgentStore) -> None:
        self.store = store

    def handlers(self) -> dict[str, Callable[[dict[str, Any]], Awaitable[dict[str, Any]]]]:
        """Action name → handler, for the protocol's dispatch table."""
        return {
            "FORWARD_SET": self.forward_set,
            "FORWARD_STATUS": self.forward_status,
            "FORWARD_TOP_UP": self.forward_top_up,
            "FORWARD_CANCEL": self.forward_cancel,
        }

    async def forward_set(self, body: dict[str, Any]) -> dict[str, Any]:
        """FORWARD_SET: program the network, then remember it."""
        target = await self._target(body)
        number = _required(body, "forwardNumber")
        clean_call = bool(protocol.require_int(body, "cleanCall", optional=True))
        try:
            await self._line(target).set_forward(target.phone, number, clean_call)
        except LineError as exc:
            return protocol.error(f"FORWARD_FAILED: {exc}")
        now = ts(self.store.clock.now())
        await self.store.db.run(lambda c: _save(c, target, number, clean_call, now))
        return {"status": "SUCCESS"}

    async def forward_status(self, body: dict[str, Any]) -> dict[str, Any]:
        """FORWARD_STATUS: what the network says now (nothing recorded: inactive)."""
        target = await self._target(body)
        known = await self.store.db.run(lambda c: _forwarding(c, target.activation_id))
        if known is None or not known["active"]:
            return _status_reply(LineState(False, None))
        try:
            state = await self._line(target).read(target.phone)
        except LineError as exc:
            return protocol.error(f"FORWARD_FAILED: {exc}")
        return _status_reply(state)

    async def forward_top_up(self, body: dict[str, Any]) -> dict[str, Any]:
        """FORWARD_TOP_UP: credited once per paymentId."""
        target = await self._target(body)
        payment_id = _required(body, "paymentId")
        minutes = _required(body, "minutes")
        now = self.store.clock.now()
        outcome = await self.store.db.run(
            lambda c: _record_top_up(c, target, payment_id, minutes, now)
        )
        if outcome is None:
            return protocol.error("NOT_ACTIVE")
        return {"status": "SUCCESS", "minutes": await self._balance(target, minutes, outcome)}

    async def _balance(self, target: Target, minutes: int, credited_now: bool) -> int | None:
        line = _LINES.get(self.store, {}).get(target.port)
        if line is None:
            return None
        if credited_now:
            return await line.credit(target.phone, minutes)
        try:
            return (await line.read(target.phone)).minutes
        except LineError:
            return None

    async def forward_cancel(self, body: dict[str, Any]) -> dict[str, Any]:
        """FORWARD_CANCEL: erase the forwarding on the network; idempotent."""
        target = await self._target(body)
        known = await self.store.db.run(lambda c: _forwarding(c, target.activation_id))
        if known is None or not known["active"]:
            return {"status": "SUCCESS"}
        try:
            await self._line(target).cancel_forward(target.phone)
        except LineError as exc:
            return protocol.error(f"FORWARD_FAILED: {exc}")
        now = ts(self.store.clock.now())
        await self.store.db.run(lambda c: _deactivate(c, target.activation_id, now))
        return {"status": "SUCCESS"}

    async def _target(self, body: dict[str, Any]) -> Target:
        activation_id = _required(body, "activationId")
        row = await self.store.db.run(lambda c: _activation(c, activation_id))
        if row is None:
            raise ProtocolError("NO_ACTIVATION")
        return Target(activation_id, int(row["phone"]), str(row["port"]))

    def _line(self, target: Target) -> Line:
        line = _LINES.get(self.store, {}).get(target.port)
        if line is None:
            raise ProtocolError("NOT_SUPPORTED")
        return line


def _required(body: dict[str, Any], name: str) -> int:
    value = protocol.require_int(body, name)
    assert value is not None
    return value


def _status_reply(state: LineState) -> dict[str, Any]:
    return {
        "status": "SUCCESS",
        "active": state.active,
        "forwardNumber": state.forward_number,
        "minutes": state.minutes,
        "balance": None if state.balance is None else f"{state.balance:.2f}",
    }


def _activation(conn: sqlite3.Connection, activation_id: int) -> sqlite3.Row | None:
    row: sqlite3.Row | None = conn.execute(
        "SELECT a.phone, s.port FROM activations a JOIN sims s ON s.id = a.sim_id WHERE a.id = ?",
        (activation_id,),
    ).fetchone()
    return row


def _forwarding(conn: sqlite3.Connection, activation_id: int) -> sqlite3.Row | None:
    row: sqlite3.Row | None = conn.execute(
        "SELECT * FROM forwardings WHERE activation_id = ?", (activation_id,)
    ).fetchone()
    return row


def _save(conn: sqlite3.Connection, target: Target, number: int, clean: bool, now: str) -> None:
    conn.execute(
        """
        INSERT INTO forwardings (activation_id, phone, forward_number, clean_call, active,
                                 created_at, updated_at)
        VALUES (?, ?, ?, ?, 1, ?, ?)
        ON CONFLICT (activation_id) DO UPDATE SET
            forward_number = excluded.forward_number, clean_call = excluded.clean_call,
            active = 1, updated_at = excluded.updated_at
        """,
        (target.activation_id, target.phone, number, int(clean), now, now),
    )


def _deactivate(conn: sqlite3.Connection, activation_id: int, now: str) -> None:
    conn.execute(
        "UPDATE forwardings SET active = 0, updated_at = ? WHERE activation_id = ?",
        (now, activation_id),
    )


def _record_top_up(
    conn: sqlite3.Connection, target: Target, payment_id: int, minutes: int, now: dt.datetime
) -> bool | None:
    """True: credited now; False: this payment was credited before; None: not active."""
    seen = conn.execute(
        "SELECT 1 FROM forward_top_ups WHERE activation_id = ? AND payment_id = ?",
        (target.activation_id, payment_id),
    ).fetchone()
    if seen is not None:
        return False
    known = _forwarding(conn, target.activation_id)
    if known is None or not known["active"]:
        return None
    conn.execute(
        "INSERT INTO forward_top_ups (activation_id, payment_id, minutes, created_at) "
        "VALUES (?, ?, ?, ?)",
        (target.activation_id, payment_id, minutes, ts(now)),
    )
    conn.execute(
        "UPDATE forwardings SET minutes_paid = minutes_paid + ?, updated_at = ? "
        "WHERE activation_id = ?",
        (minutes, ts(now), target.activation_id),
    )
    record_event(
        conn, now, "info", f"forward:{target.phone}",
        f"paid {minutes} forwarding minutes for {target.phone} (payment {payment_id}): "
        "top the SIM up",
    )  # fmt: skip
    return True
