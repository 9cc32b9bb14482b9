"""The sms-activate action table: every action the dialect serves, named here and nowhere else."""

from __future__ import annotations

from simgate.dialects.common.registry import MethodTable
from simgate.dialects.smsactivate import actions_account, actions_catalog, actions_prices

TABLE = MethodTable(
    methods={
        "getBalance": actions_account.get_balance,
        "getBalanceAndCashBack": actions_account.get_balance_and_cashback,
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
