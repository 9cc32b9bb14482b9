"""sms-activate's request parameters in the domain's terms: which rental is meant, and what
a getNumber asks for."""

from __future__ import annotations

from dataclasses import dataclass

from simgate.activations.rent import RentRequest
from simgate.catalog import listing
from simgate.catalog.aliases import Dialect
from simgate.core.integers import INT32, UINT64, NotAnInteger, read_int
from simgate.core.money import InvalidAmount, parse_amount
from simgate.dialects.common.registry import Call, Reply

RUSSIA = 0  # sms-activate's country when a client sends none
# Words clients send for "no particular country/operator" (G sends country=any).
ANY = ("", "any")


def activation_id(call: Call) -> int:
    """`id`: NO_ACTIVATION when absent, WRONG_ACTIVATION_ID when it is not an integer."""
    text = call.params.text("id")
    if not text:
        raise Reply("NO_ACTIVATION")
    try:
        return read_int(text, UINT64)
    except NotAnInteger:
        raise Reply("WRONG_ACTIVATION_ID") from None


@dataclass(frozen=True)
class NumberOrder:
    request: RentRequest
    country_id: int  # sms-activate's id of the country rented in


async def number_order(call: Call) -> NumberOrder:
    """getNumber/getNumberV2's parameters; refusals in the order the clients expect:
    BAD_SERVICE, BAD_COUNTRY, WRONG_MAX_PRICE, then the domain's own checks."""
    db, params = call.ctx.db, call.params
    service = await listing.service_in(db, Dialect.SMS_ACTIVATE, params.text("service") or "")
    if service is None:
        raise Reply("BAD_SERVICE")
    country_id = _country_id(params.text("country") or "")
    country = await listing.country_in(db, Dialect.SMS_ACTIVATE, country_id)
    operator = (params.text("operator") or "").lower()
    request = RentRequest(
        service=service.slug,
        country_code=country.code,
        operator="any" if operator in ANY else operator,
        reject=tuple(params.text_list("phoneException")),
        max_price=_max_price(call),
    )
    return NumberOrder(request, country_id)


def _country_id(text: str) -> int:
    if text.lower() in ANY:
        return RUSSIA
    try:
        return read_int(text, INT32)
    except NotAnInteger:
        raise Reply("BAD_COUNTRY") from None


def _max_price(call: Call) -> int | None:
    """`maxPrice` in the hub's currency, read exactly (never through float)."""
    text = call.params.text("maxPrice")
    if not text:
        return None
    try:
        return parse_amount(text, call.ctx.settings.currency_exponent)
    except InvalidAmount:
        raise Reply("WRONG_MAX_PRICE") from None
