"""The parameters every sms-activate catalogue action shares: country, service, operator,
and prices as JSON numbers."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal

from simgate.catalog import aliases, listing
from simgate.catalog.aliases import Dialect
from simgate.catalog.listing import CountryOffers
from simgate.core.integers import INT32
from simgate.core.money import format_fixed
from simgate.dialects.common.params import BadParam
from simgate.dialects.common.registry import Call, Reply
from simgate.models import Service

DIALECT = Dialect.SMS_ACTIVATE

# What clients send for "no country in particular": nothing, an empty value, or `any`.
_NO_COUNTRY = ("", "any")


def country(call: Call, default: int | None = None) -> int | None:
    """The sms-activate country id asked for; `default` when none is; BAD_COUNTRY when the
    value is not a country id at all."""
    text = call.params.text("country")
    if text is None or text.lower() in _NO_COUNTRY:
        return default
    try:
        return call.params.integer("country", default, INT32)
    except BadParam:
        raise Reply("BAD_COUNTRY") from None


async def service(call: Call, required: bool = False) -> Service | None:
    """The service named by its sms-activate code; BAD_SERVICE when unknown (or missing and
    `required`)."""
    code = call.params.text("service")
    if not code:
        if required:
            raise Reply("BAD_SERVICE")
        return None
    found = await listing.service_in(call.ctx.db, DIALECT, code)
    if found is None:
        raise Reply("BAD_SERVICE")
    return found


def operator(call: Call) -> str | None:
    text = call.params.text("operator")
    return text.lower() if text else None


def cost(call: Call, minor: int) -> Decimal:
    """A price as the JSON number clients read: the currency's decimals, never via float."""
    return Decimal(format_fixed(minor, call.ctx.settings.currency_exponent))


@dataclass(frozen=True)
class Priced:
    """One service on sale in one country, in sms-activate's names."""

    code: str  # the service's sms-activate code
    price: int  # what a rental costs (the online price), minor units
    count: int  # free numbers
    by_supplier: Mapping[int, int]


def priced(
    listed: list[CountryOffers], wanted: Service | None = None
) -> Iterator[tuple[str, list[Priced]]]:
    """(country id as the key clients index by, its services on sale — only `wanted` when
    given) for each listed country that sells any."""
    for entry in listed:
        number = aliases.country_code(DIALECT, entry.country)
        rows = [
            Priced(
                aliases.service_names(DIALECT, o.service)[0],
                o.price.index_price,
                o.count,
                o.by_supplier,
            )
            for o in entry.offers
            if o.price is not None and (wanted is None or o.service.id == wanted.id)
        ]
        if number is not None and rows:
            yield str(number), rows
