"""What each buyer dialect calls a canonical country or service.

The catalog keys countries by slug (`russia`) and services by slug (`VKcom`). onlinesim names a
country by its dial-code-like `code` (7; 77 for Kazakhstan) and a service by its slug or alias
(`VKcom`, `vk`); sms-activate numbers countries by its own ids (0 Russia, 22 India, 187 USA) and
names services by the short codes the agent protocol also uses (`vk`, `wa`, `ot`). A dialect
asks here, so none of them carries another's table.
"""

from __future__ import annotations

from enum import StrEnum

from simgate.models import Country, Service


class Dialect(StrEnum):
    ONLINESIM = "onlinesim"
    SMS_ACTIVATE = "sms-activate"


# sms-activate's country ids for the countries the catalog seeds (spec §8, and the id tables
# the open-source sms-activate clients carry). A country missing here is not offered there.
SMS_ACTIVATE_COUNTRY_IDS: dict[str, int] = {
    "russia": 0,
    "ukraine": 1,
    "kazakhstan": 2,
    "china": 3,
    "philippines": 4,
    "myanmar": 5,
    "indonesia": 6,
    "malaysia": 7,
    "kenya": 8,
    "tanzania": 9,
    "vietnam": 10,
    "kyrgyzstan": 11,
    "israeli": 13,
    "hongkong": 14,
    "poland": 15,
    "united_kingdom": 16,
    "nigeria": 19,
    "egypt": 21,
    "india": 22,
    "haiti": 26,
    "ivory": 27,
    "gambia": 28,
    "serbia": 29,
    "yemen": 30,
    "estonia": 34,
    "azerbaijan": 35,
    "uzbekistan": 40,
    "cameroon": 41,
    "chad": 42,
    "germany": 43,
    "lithuania": 44,
    "croatia": 45,
    "sweden": 46,
    "iraq": 47,
    "netherlands": 48,
    "latvia": 49,
    "belorussia": 51,
    "france": 78,
    "usa": 187,
}
_SLUG_BY_SMS_ACTIVATE_ID = {v: k for k, v in SMS_ACTIVATE_COUNTRY_IDS.items()}


def country_code(dialect: Dialect, country: Country) -> int | None:
    """The number `dialect` names `country` by; None when that dialect does not offer it."""
    if dialect is Dialect.ONLINESIM:
        return country.code
    return SMS_ACTIVATE_COUNTRY_IDS.get(country.slug)


def country_slug(dialect: Dialect, code: int) -> str | None:
    """The catalog slug behind a sms-activate country id (onlinesim codes are stored on the
    country itself, so only sms-activate needs this reverse table)."""
    if dialect is Dialect.ONLINESIM:
        raise ValueError("onlinesim codes are looked up on the country row")
    return _SLUG_BY_SMS_ACTIVATE_ID.get(code)


def service_names(dialect: Dialect, service: Service) -> tuple[str, ...]:
    """Every name `dialect` accepts for `service`, the one it prints first."""
    if dialect is Dialect.ONLINESIM:
        return (service.slug, service.alias)
    return (service.agent_code,)
