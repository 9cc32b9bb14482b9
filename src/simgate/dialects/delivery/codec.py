"""Replies of the delivery-api, in the shapes of the spec: money and counts as strings,
errors as `{"error": "<code>"}` with the spec's numbers (a send reports per number)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from simgate.core.errors import DomainError
from simgate.core.money import format_amount
from simgate.delivery import errors
from simgate.delivery.service import Recipient
from simgate.models.delivery import DeliverySender, DeliveryTemplate

ERROR_CODES = {
    "DELIVERY_DISABLED": "000",
    "MISSING_SIGNATURE": "1",
    "MISSING_LOGIN": "2",
    "MISSING_TEXT": "3",
    "MISSING_PHONE": "4",
    "MISSING_SENDER": "5",
    "BAD_SIGNATURE": "6",
    "UNKNOWN_LOGIN": "7",
    "BAD_SENDER_NAME": "8",
    "SENDER_NOT_REGISTERED": "9",
    "SENDER_NOT_APPROVED": "10",
    "FORBIDDEN_WORDS": "11",
    "TEXT_TOO_LONG": "12",
    errors.INSUFFICIENT_FUNDS: "12",
    errors.STOP_LISTED: "13",
    "TOO_MANY_NUMBERS": "14",
    errors.INVALID_NUMBER: "16",
    "MISSING_STATE": "17",
    "NO_STATUS": "18",
    "EMPTY_RESULT": "19",
    "MISSING_NAME": "21",
    "TEMPLATE_EXISTS": "22",
    "MISSING_TIMESTAMP": "24",
    "NO_VALID_NUMBERS": "27",
}
STORAGE_ERROR = "25"
SEND_ERROR = "12"

# Queue states in the spec's words: `deliver` / `not_deliver` are the spec's; a message not
# yet accepted by the SMSC `wait`s, one accepted and awaiting its receipt has been `send`.
STATUS_WORDS = {
    "queued": "wait",
    "submitted": "send",
    "delivered": "deliver",
    "undelivered": "not_deliver",
    "failed": "not_deliver",
}
# The spec writes RUR (the pre-1998 code onlinesim still uses) rather than ISO's RUB.
CURRENCY_NAMES = {643: "RUR", 840: "USD", 978: "EUR"}


def error(code: str) -> dict[str, str]:
    return {"error": code}


def domain_error(exc: DomainError) -> dict[str, str]:
    return error(ERROR_CODES.get(exc.code, SEND_ERROR))


def send_reply(recipients: Sequence[Recipient], exponent: int) -> dict[str, Any]:
    reply: dict[str, Any] = {}
    for item in recipients:
        if item.error is not None:
            reply[item.phone] = error(ERROR_CODES.get(item.error, SEND_ERROR))
        else:
            reply[item.phone] = {
                "error": "0",
                "id_sms": item.public_id,
                "cost": format_amount(item.cost, exponent),
                "count_sms": str(item.parts),
            }
    return reply


def balance_reply(available: int, exponent: int, currency: int) -> dict[str, str]:
    return {
        "money": format_amount(available, exponent),
        "currency": CURRENCY_NAMES.get(currency, str(currency)),
    }


def status_reply(states: Mapping[str, str]) -> dict[str, str]:
    return {public_id: STATUS_WORDS.get(state, "wait") for public_id, state in states.items()}


def templates_reply(templates: Sequence[DeliveryTemplate]) -> dict[str, dict[str, str]]:
    # The spec prints each value as an unescaped JSON text inside quotes, which no parser
    # accepts; the nested object is the reading a client can actually use.
    return {
        t.name: {"template": t.text, "up_time": t.updated_at.strftime("%Y-%m-%d %H:%M:%S")}
        for t in templates
    }


def senders_reply(senders: Sequence[DeliverySender]) -> dict[str, str]:
    return {s.name: s.state for s in senders}
