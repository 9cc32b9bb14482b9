"""getBalance and getProfile."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from simgate.core.money import format_amount, format_fixed
from simgate.dialects.common.registry import Call
from simgate.dialects.onlinesim.render import ok
from simgate.ledger import service as ledger


async def get_balance(call: Call) -> Any:
    exponent = call.ctx.settings.currency_exponent
    balance = await ledger.read_balance(call.ctx.db, call.account.id)
    call.reuse.allow()  # the same until a commit changes the account's money
    reply = ok(
        balance=format_fixed(balance.available, exponent),
        zbalance=Decimal(format_amount(balance.held, exponent)),
    )
    if call.params.flag("income"):
        reply["income"] = 0  # simgate has no referral income
    return reply


async def get_profile(call: Call) -> Any:
    account = call.account
    exponent = call.ctx.settings.currency_exponent
    balance = await ledger.read_balance(call.ctx.db, account.id)
    return ok(
        profile={
            "id": account.id,
            "name": account.name,
            "username": account.name,
            "email": account.email or "",
            "locale": "ru",
            "balance": format_fixed(balance.available, exponent),
            "zbalance": format_fixed(balance.held, exponent),
            "api_access": account.api_access,
            "payment": {
                "total": format_fixed(balance.deposited, exponent),
                "spent": format_fixed(balance.captured, exponent),
                "income": 0,
            },
        }
    )
