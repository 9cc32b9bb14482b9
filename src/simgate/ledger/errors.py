from __future__ import annotations

from simgate.core.errors import Conflict, DomainError


class InsufficientFunds(DomainError):
    code = "INSUFFICIENT_FUNDS"


class HoldAlreadyEnded(Conflict):
    code = "HOLD_ALREADY_ENDED"
