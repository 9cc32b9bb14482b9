"""Client for simgate's forwarding extension of the agent protocol (hub → agent).

Same transport, key and error tree as `client.py`; these actions are simgate's own, so an
agent that does not know them answers `{"status":"ERROR","error":"BAD_ACTION"}` (or any other
ERROR) and the caller treats that as "forwarding not supported".

    FORWARD_SET     {activationId, forwardNumber, cleanCall}      → {"status":"SUCCESS"}
    FORWARD_STATUS  {activationId}                                → {"status":"SUCCESS",
                     "active":bool, "forwardNumber":int|null, "minutes":int|null,
                     "balance":"12.50"|null}
    FORWARD_TOP_UP  {activationId, paymentId, minutes}            → {"status":"SUCCESS",
                     "minutes":int|null}   (idempotent by paymentId)
    FORWARD_CANCEL  {activationId}                                → {"status":"SUCCESS"}

`src/simgate/agent/forwarding.py` documents the semantics the reference agent implements.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from simgate.suppliers.client import (
    AgentBadReply,
    AgentClient,
    Endpoint,
    _int,
    _require_success,
)


@dataclass(frozen=True)
class ForwardState:
    active: bool
    forward_number: str | None
    minutes: int | None  # None: the agent cannot tell the SIM's minute balance
    balance: Decimal | None  # money on the SIM, when the operator reports it


class ForwardingClient(AgentClient):
    """AgentClient plus the FORWARD_* actions."""

    async def forward_set(
        self, endpoint: Endpoint, activation_id: int, forward_number: str, clean_call: bool
    ) -> None:
        """Ask the agent to forward the SIM's calls; raises unless it answered SUCCESS."""
        body = {
            "action": "FORWARD_SET",
            "activationId": activation_id,
            "forwardNumber": int(forward_number),
            "cleanCall": int(clean_call),
        }
        _require_success(await self._call(endpoint, body))

    async def forward_status(self, endpoint: Endpoint, activation_id: int) -> ForwardState:
        """Whether the forwarding is in force on the SIM, and its minute balance."""
        reply = await self._call(
            endpoint, {"action": "FORWARD_STATUS", "activationId": activation_id}
        )
        _require_success(reply)
        active = reply.get("active")
        if not isinstance(active, bool):
            raise AgentBadReply("FORWARD_STATUS without a boolean `active`")
        number = reply.get("forwardNumber")
        return ForwardState(
            active=active,
            forward_number=None if number is None else str(_int(number)),
            minutes=_optional_int(reply.get("minutes")),
            balance=_optional_decimal(reply.get("balance")),
        )

    async def forward_top_up(
        self, endpoint: Endpoint, activation_id: int, payment_id: int, minutes: int
    ) -> int | None:
        """Credit `minutes` once per `payment_id`; the SIM's minute balance afterwards."""
        body = {
            "action": "FORWARD_TOP_UP",
            "activationId": activation_id,
            "paymentId": payment_id,
            "minutes": minutes,
        }
        reply = await self._call(endpoint, body)
        _require_success(reply)
        return _optional_int(reply.get("minutes"))

    async def forward_cancel(self, endpoint: Endpoint, activation_id: int) -> None:
        """Stop forwarding the SIM's calls (idempotent on the agent)."""
        body = {"action": "FORWARD_CANCEL", "activationId": activation_id}
        _require_success(await self._call(endpoint, body))


def _optional_int(value: Any) -> int | None:
    return None if value is None else _int(value)


def _optional_decimal(value: Any) -> Decimal | None:
    if value is None:
        return None
    try:
        amount = Decimal(str(value))
    except InvalidOperation as exc:
        raise AgentBadReply(f"not an amount: {value!r}") from exc
    if not amount.is_finite():
        raise AgentBadReply(f"not an amount: {value!r}")
    return amount
