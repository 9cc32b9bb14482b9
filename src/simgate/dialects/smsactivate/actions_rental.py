"""Renting a number: getNumber (a text line) and getNumberV2 (a JSON object)."""

from __future__ import annotations

from typing import Any

from simgate.activations import flows
from simgate.dialects.common.registry import Call
from simgate.dialects.smsactivate import inputs, render
from simgate.models import Activation


async def _rent(call: Call) -> tuple[Activation, int]:
    order = await inputs.number_order(call)
    ctx = call.ctx
    activation = await flows.rent_number(
        ctx.db, ctx.agents, ctx.settings, ctx.clock, call.account, order.request
    )
    return activation, order.country_id


async def get_number(call: Call) -> str:
    """`ACCESS_NUMBER:<id>:<phone>`, the phone in digits with its country code (one client
    int()s both parts)."""
    activation, _ = await _rent(call)
    return f"ACCESS_NUMBER:{activation.id}:{activation.phone}"


async def get_number_v2(call: Call) -> Any:
    activation, country_id = await _rent(call)
    settings = call.ctx.settings
    return render.number_v2(activation, country_id, settings.currency_exponent, settings.currency)
