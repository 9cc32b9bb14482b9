"""The sms-activate action table: every action the dialect serves, named here and nowhere else."""

from __future__ import annotations

from simgate.dialects.common.registry import MethodTable
from simgate.dialects.smsactivate import actions_account, actions_rental, actions_status

TABLE = MethodTable(
    methods={
        "getBalance": actions_account.get_balance,
        "getBalanceAndCashBack": actions_account.get_balance_and_cashback,
        "getNumber": actions_rental.get_number,
        "getNumberV2": actions_rental.get_number_v2,
        "getStatus": actions_status.get_status,
        "getStatusV2": actions_status.get_status_v2,
        "getFullSms": actions_status.get_full_sms,
        "getActiveActivations": actions_status.get_active_activations,
        "setStatus": actions_status.set_status,
        "finishActivation": actions_status.finish_activation,
        "cancelActivation": actions_status.cancel_activation,
    },
)
