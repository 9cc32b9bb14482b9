"""The sms-activate action table: every action the dialect serves, named here and nowhere else."""

from __future__ import annotations

from simgate.dialects.common.registry import MethodTable
from simgate.dialects.smsactivate import (
    actions_account,
    actions_catalog,
    actions_prices,
    actions_rental,
    actions_status,
)

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
        "getPrices": actions_prices.get_prices,
        "getPricesExtended": actions_prices.get_prices_extended,
        "getPricesV2": actions_prices.get_prices_v2,
        "getPricesV3": actions_prices.get_prices_v3,
        "getTopCountriesByService": actions_prices.get_top_countries_by_service,
        "getTopCountriesByServiceRank": actions_prices.get_top_countries_by_service,
        "getNumbersStatus": actions_catalog.get_numbers_status,
        "getCountries": actions_catalog.get_countries,
        "getServicesList": actions_catalog.get_services_list,
        "getOperators": actions_catalog.get_operators,
    },
)
