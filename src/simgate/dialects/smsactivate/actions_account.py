"""getBalance and getBalanceAndCashBack."""

from __future__ import annotations

from simgate.core.money import format_fixed
from simgate.dialects.common.registry import Call
from simgate.ledger import service as ledger


async def get_balance(call: Call) -> str:
    """`ACCESS_BALANCE:100.00`: always with the currency's decimals (one client reads a
    balance without a decimal point as 0.0)."""
    balance = await ledger.read_balance(call.ctx.db, call.account.id)
    call.reuse.allow()  # the same until a commit changes the account's money
    return f"ACCESS_BALANCE:{format_fixed(balance.available, call.ctx.settings.currency_exponent)}"


# simgate pays no cashback, so the balance with cashback is the balance.
get_balance_and_cashback = get_balance
