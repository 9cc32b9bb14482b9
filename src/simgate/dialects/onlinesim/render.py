"""Activations as onlinesim prints them (getState, getOperations)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from simgate.activations.service import ActivationView
from simgate.core.money import format_amount
from simgate.models import InboundSms

FORM_NUMBERS = {"1": "index", "2": "repeat", "3": "deferr"}


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
        "response": activation.state,
        "service": view.service.alias if not activation.sender_filter else activation.sender_filter,
        "form": activation.form,
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
