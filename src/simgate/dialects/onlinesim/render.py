"""Activations as onlinesim prints them (getState, getOperations)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from simgate.activations.forms import RentalForm
from simgate.activations.service import ActivationView
from simgate.activations.states import State
from simgate.core.money import format_amount
from simgate.models import InboundSms

FORM_NUMBERS = {"1": "index", "2": "repeat", "3": "deferr"}
# The domain's rental forms and activation states in onlinesim's words, and back.
FORM_WORDS: dict[str, str] = {
    RentalForm.ONLINE: "index",
    RentalForm.REPEAT: "repeat",
    RentalForm.DEFERRED: "deferr",
}
FORMS_BY_WORD = {word: RentalForm(form) for form, word in FORM_WORDS.items()}
STATE_WORDS: dict[str, str] = {
    State.INPOOL: "TZ_INPOOL",
    State.NUM_WAIT: "TZ_NUM_WAIT",
    State.NUM_ANSWER: "TZ_NUM_ANSWER",
    State.OVER_OK: "TZ_OVER_OK",
    State.OVER_EMPTY: "TZ_OVER_EMPTY",
    State.FAILED: "TZ_OVER_EMPTY",  # never listed; a failed request got no number
}


def ok(**fields: Any) -> dict[str, Any]:
    """A successful answer: onlinesim's `response: 1` and the method's fields."""
    return {"response": 1, **fields}


def operation(
    view: ActivationView,
    exponent: int,
    *,
    message_to_code: bool,
    msg_list: bool,
    clean: bool,
    forward: tuple[str, str] | None = None,
) -> tuple[dict[str, Any], list[int]]:
    """One getState item without its `time` (added per request), and the ids of the
    messages it shows (for clean=1).

    `forward`: (forward_status, forward_number digits) when the rental has a forwarding.
    """
    activation = view.activation
    item: dict[str, Any] = {
        "tzid": activation.id,
        "response": STATE_WORDS[activation.state],
        "service": view.service.alias if not activation.sender_filter else activation.sender_filter,
        "form": FORM_WORDS[activation.form],
        "country": activation.country_code,
        "sum": _number(activation.price, exponent),
    }
    if activation.phone:
        item["number"] = f"+{activation.phone}"
    if forward is not None:
        item.update(forward_status=forward[0], forward_number=national_number(forward[1]))
    messages = view.messages if msg_list else view.current_messages()
    if clean:
        messages = [m for m in messages if not m.shown]
    if not messages:
        item["msg"] = False
        return item, []
    if msg_list:
        item["msg"] = [_listed(m, item["service"], message_to_code) for m in messages]
    else:
        item["msg"] = _text(messages[-1], message_to_code)
    return item, [m.id for m in messages]


def national_number(digits: str) -> int:
    """Forwarding numbers as the spec writes them ("without +7"): Russian ones lose the 7."""
    return int(digits[1:] if len(digits) == 11 and digits.startswith("7") else digits)


def _text(sms: InboundSms, message_to_code: bool) -> str:
    return (sms.code or sms.text) if message_to_code else sms.text


def _listed(sms: InboundSms, service: str, message_to_code: bool) -> dict[str, Any]:
    return {
        "service": service,
        "msg": _text(sms, message_to_code),
        "receive_date": sms.received_at.strftime("%Y-%m-%d %H:%M:%S"),
    }


def _number(minor: int, exponent: int) -> Decimal:
    return Decimal(format_amount(minor, exponent))
