"""Rentals as sms-activate clients read them: status lines, getNumberV2 and getStatusV2
objects, getActiveActivations rows.

The field types follow what the real clients accept (see the protocol notes): phone numbers
and country ids as strings, times as `YYYY-MM-DD HH:MM:SS`, codes as strings that never hold
a `:` (clients split status lines on it).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from simgate.activations.service import ActivationView
from simgate.activations.states import State
from simgate.core.money import format_fixed
from simgate.models import Activation, InboundSms

TIME_FORMAT = "%Y-%m-%d %H:%M:%S"


def when(moment: dt.datetime | None) -> str | None:
    return moment.strftime(TIME_FORMAT) if moment is not None else None


def code_of(sms: InboundSms) -> str:
    """The code the hub found in the SMS, or its text when it found none; one line, no `:`."""
    shown = sms.code or sms.text
    return " ".join(shown.replace(":", " ").split())


def answered(view: ActivationView) -> list[InboundSms]:
    """Messages up to the last setStatus 3 (the codes the buyer has already been given)."""
    cursor = view.activation.revise_cursor
    return [m for m in view.messages if (m.seq or 0) <= cursor]


def shown(view: ActivationView) -> list[InboundSms]:
    """The messages the buyer is looking at: those since the last setStatus 3 while the rental
    is open; every one once it is sold, since a closed rental waits for no further code (a
    WAIT_RETRY there would keep a client polling a finished activation until it gives up)."""
    if view.activation.state == State.OVER_OK:
        return view.messages
    return view.current_messages()


def status_line(view: ActivationView) -> str:
    """getStatus: WAIT_CODE, WAIT_RETRY:<last code> after setStatus 3, OK:<code>, CANCEL."""
    state = view.activation.state
    if state in (State.OVER_EMPTY, State.FAILED):
        return "STATUS_CANCEL"
    current = shown(view)
    if current:
        return f"STATUS_OK:{code_of(current[-1])}"
    earlier = answered(view)
    if earlier:
        return f"STATUS_WAIT_RETRY:{code_of(earlier[-1])}"
    return "STATUS_WAIT_CODE"


def status_v2(view: ActivationView) -> dict[str, Any]:
    """getStatusV2: `sms` is null until an SMS comes, and again after setStatus 3 until the
    next one (a client waiting for "the" SMS would otherwise get the old code back)."""
    current = shown(view)
    sms = None
    if current:
        last = current[-1]
        sms = {"dateTime": when(last.received_at), "code": code_of(last), "text": last.text}
    return {"verificationType": 0, "sms": sms, "call": None}


def money(minor: int, exponent: int) -> Decimal:
    return Decimal(format_fixed(minor, exponent))


def number_v2(
    activation: Activation, country_id: int, exponent: int, currency: int
) -> dict[str, Any]:
    """getNumberV2's object."""
    return {
        "activationId": activation.id,
        "phoneNumber": activation.phone or "",
        "activationCost": money(activation.price, exponent),
        "currency": currency,
        "countryCode": str(country_id),
        "canGetAnotherSms": True,
        "activationTime": when(activation.number_at or activation.created_at),
        "activationEndTime": when(activation.expires_at),
        "activationOperator": activation.operator_slug,
    }


def active_row(
    view: ActivationView, country_id: int, country_name: str, exponent: int, currency: int
) -> dict[str, Any]:
    """One getActiveActivations row (status and canGetAnotherSms as strings: one client
    validates them so)."""
    activation = view.activation
    current = view.current_messages()
    last = current[-1] if current else None
    return {
        "activationId": str(activation.id),
        "serviceCode": view.service.agent_code,
        "phoneNumber": activation.phone or "",
        "activationCost": money(activation.price, exponent),
        "activationStatus": active_status(view),
        "smsCode": code_of(last) if last else None,
        "smsText": last.text if last else None,
        "activationTime": when(activation.number_at or activation.created_at),
        "discount": "0.00",
        "repeated": "0",
        "countryCode": str(country_id),
        "countryName": country_name,
        "canGetAnotherSms": "1",
        "currency": currency,
    }


def active_status(view: ActivationView) -> str:
    """The status an open rental is in, in setStatus numbers: 1 waiting for the first SMS,
    2 an SMS is there, 3 waiting for another one after setStatus 3."""
    if view.current_messages():
        return "2"
    return "3" if answered(view) else "1"
