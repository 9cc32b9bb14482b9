"""The sms-activate action table: every action the dialect serves, named here and nowhere else."""

from __future__ import annotations

from simgate.dialects.common.registry import MethodTable
from simgate.dialects.smsactivate import actions_account

TABLE = MethodTable(
    methods={
        "getBalance": actions_account.get_balance,
        "getBalanceAndCashBack": actions_account.get_balance_and_cashback,
    },
)
