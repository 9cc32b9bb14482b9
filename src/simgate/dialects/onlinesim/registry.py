"""The onlinesim method table: every method the dialect serves, named here and nowhere else."""

from __future__ import annotations

from simgate.dialects.common.registry import MethodTable
from simgate.dialects.onlinesim import (
    methods_account,
    methods_auth,
    methods_catalog,
    methods_forwarding,
    methods_rental,
)

TABLE = MethodTable(
    methods={
        "getBalance": methods_account.get_balance,
        "getProfile": methods_account.get_profile,
        "getServiceList": methods_catalog.get_service_list,
        "getNumbersStats": methods_catalog.get_numbers_stats,
        "getPrice": methods_catalog.get_price,
        "getService": methods_catalog.get_service,
        "getServiceNumber": methods_catalog.get_service_number,
        "getNum": methods_rental.get_num,
        "getNumRepeat": methods_rental.get_num_repeat,
        "getState": methods_rental.get_state,
        "getOperations": methods_rental.get_operations,
        "setOperationOk": methods_rental.set_operation_ok,
        "setOperationRevise": methods_rental.set_operation_revise,
        "setForwardStatusEnable": methods_forwarding.set_forward_status_enable,
        "forwardingList": methods_forwarding.forwarding_list,
        "forwardingSave": methods_forwarding.forwarding_save,
        "forwardingRemove": methods_forwarding.forwarding_remove,
        "getForwardPaymentsList": methods_forwarding.get_forward_payments_list,
    },
    public={
        "register": methods_auth.register,
        "login": methods_auth.login,
        "resendConfirmation": methods_auth.resend_confirmation,
    },
)
METHODS = TABLE.methods
PUBLIC_METHODS = TABLE.public
