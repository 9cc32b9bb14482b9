"""Why an activation request was refused. Dialects map each code to their own words."""

from __future__ import annotations

from simgate.core.errors import Conflict, DomainError, InvalidInput, NotFound, Unavailable


class NoService(InvalidInput):
    code = "NO_SERVICE"


class UnknownCountry(InvalidInput):
    code = "UNKNOWN_COUNTRY"


class UnknownOperator(InvalidInput):
    code = "UNKNOWN_OPERATOR"


class BadReject(InvalidInput):
    """The list of number prefixes to avoid is not a short list of digit prefixes."""

    code = "BAD_REJECT"


class TooManyOpen(DomainError):
    code = "TOO_MANY_OPEN"


class TooManyRequests(DomainError):
    code = "TOO_MANY_REQUESTS"


class DuplicateRequest(Conflict):
    code = "DUPLICATE_REQUEST"


class DeferredClosed(DomainError):
    code = "DEFERRED_CLOSED"


class PriceAboveLimit(DomainError):
    """The rental costs more than the most the buyer said they would pay."""

    code = "PRICE_ABOVE_LIMIT"


class CodeReceived(Conflict):
    """A rental that already received an SMS is paid for: it can be finished, not cancelled."""

    code = "CODE_RECEIVED"


class NoNumber(DomainError):
    code = "NO_NUMBER"


class NoSuppliers(Unavailable):
    """No agent is connected, or every one that could serve the request is down."""

    code = "NO_SUPPLIERS"


class ActivationNotFound(NotFound):
    code = "ACTIVATION_NOT_FOUND"


class CannotComplete(Conflict):
    code = "CANNOT_COMPLETE"


class NoRepeatServices(NotFound):
    code = "NO_REPEAT_SERVICES"


class NoRepeatNumbers(NotFound):
    code = "NO_REPEAT_NUMBERS"


class RepeatMismatch(InvalidInput):
    code = "REPEAT_MISMATCH"


class RepeatExpired(DomainError):
    code = "REPEAT_EXPIRED"
