"""Why a forwarding request was refused. The onlinesim dialect maps each code to its word."""

from __future__ import annotations

from simgate.core.errors import Conflict, DomainError, InvalidInput, NotFound


class ForwardNotFound(NotFound):
    """No such forwarding for this account (another account's id looks the same)."""

    code = "FORWARD_NOT_FOUND"


class BadForwardNumber(InvalidInput):
    code = "FORWARD_NUMBER_LENGTH"


class BadMinutes(InvalidInput):
    """A minutes threshold outside 0..50, or a negative cap."""

    code = "FORWARD_MINUTES"


class BadSort(InvalidInput):
    """forwardingList `sort` names a field outside the whitelist."""

    code = "FORWARD_SORT"


class ForwardDeferred(InvalidInput):
    """Forwarding is only offered on online reception."""

    code = "FORWARD_DEFERRED"


class ForwardUnsupported(DomainError):
    """The agent holding the SIM cannot (or would not) set the forwarding."""

    code = "FORWARD_UNSUPPORTED"


class ForwardNotConfirmed(Conflict):
    """The agent did not confirm that the forwarding is in force."""

    code = "FORWARD_NOT_CONFIRMED"


class ForwardFinished(Conflict):
    """The forwarding was removed; it can no longer be changed."""

    code = "FORWARD_FINISHED"
