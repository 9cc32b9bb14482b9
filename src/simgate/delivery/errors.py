"""Outbound SMS errors. Codes are domain words; the delivery-api dialect turns them into the
spec's numbers."""

from __future__ import annotations

from simgate.core.errors import DomainError, InvalidInput, NotFound


class DeliveryError(DomainError):
    code = "DELIVERY_ERROR"


class DeliveryDisabled(DeliveryError):
    code = "DELIVERY_DISABLED"


class MissingParameter(InvalidInput):
    """A required parameter is absent; `code` names which (MISSING_TEXT, MISSING_PHONE, …)."""

    def __init__(self, parameter: str) -> None:
        super().__init__(f"missing parameter {parameter}", code=f"MISSING_{parameter.upper()}")
        self.parameter = parameter


class BadSignature(DeliveryError):
    code = "BAD_SIGNATURE"


class UnknownLogin(DeliveryError):
    code = "UNKNOWN_LOGIN"


class BadSenderName(InvalidInput):
    code = "BAD_SENDER_NAME"


class SenderNotRegistered(DeliveryError):
    code = "SENDER_NOT_REGISTERED"


class SenderNotApproved(DeliveryError):
    code = "SENDER_NOT_APPROVED"


class ForbiddenWords(DeliveryError):
    code = "FORBIDDEN_WORDS"


class TextTooLong(DeliveryError):
    code = "TEXT_TOO_LONG"


class TooManyNumbers(InvalidInput):
    code = "TOO_MANY_NUMBERS"


class NoValidNumbers(InvalidInput):
    code = "NO_VALID_NUMBERS"


class NoStatus(NotFound):
    code = "NO_STATUS"


class EmptyResult(NotFound):
    code = "EMPTY_RESULT"


class TemplateExists(DeliveryError):
    code = "TEMPLATE_EXISTS"


class SenderNotFound(NotFound):
    code = "SENDER_NOT_FOUND"


# Per-recipient outcomes of a send (not raised: one bad number does not stop the others).
INVALID_NUMBER = "INVALID_NUMBER"
STOP_LISTED = "STOP_LISTED"
INSUFFICIENT_FUNDS = "INSUFFICIENT_FUNDS"


class MessageNotFound(NotFound):
    """No such outbound message of this account (another account's looks the same)."""

    code = "MESSAGE_NOT_FOUND"


class NotCancellable(DeliveryError):
    """The message is not waiting in the queue: sent, failed, or being handed over now."""

    code = "NOT_CANCELLABLE"


class TemplateNotFound(NotFound):
    """No such template of this account (another account's looks the same)."""

    code = "TEMPLATE_NOT_FOUND"
