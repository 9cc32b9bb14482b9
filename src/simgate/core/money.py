"""Money is an int of minor units; Decimal only at the edges (CLI, wire formats)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from simgate.core.errors import InvalidInput

# ISO 4217 numeric code -> minor-unit exponent on the agent protocol (RUB 2, USD 4).
AGENT_CURRENCY_EXPONENT = {643: 2, 840: 4, 978: 2}


# The largest amount anyone may enter, in minor units: 10^15 (ten trillion at exponent 2) leaves
# a 64-bit balance room for thousands of such deposits before it could overflow.
MAX_AMOUNT = 10**15


class InvalidAmount(InvalidInput, ValueError):
    code = "INVALID_AMOUNT"


def parse_amount(text: str | int | Decimal, exponent: int = 2) -> int:
    """'12.50' -> 1250 for exponent 2; rejects negative amounts, amounts beyond MAX_AMOUNT and
    more precision than the currency has."""
    shown = repr(str(text)[:30])
    try:
        value = Decimal(str(text).strip().replace(",", "."))
    except InvalidOperation as exc:
        raise InvalidAmount(f"not an amount: {shown}") from exc
    if not value.is_finite():
        raise InvalidAmount(f"not an amount: {shown}")
    if value < 0:
        raise InvalidAmount(f"{shown} is negative")
    # Compared before scaling: '1e999999' scaled past the decimal context's largest exponent
    # raises Overflow, and an int() of it would build a million-digit integer.
    if value > Decimal(MAX_AMOUNT).scaleb(-exponent):
        raise InvalidAmount(f"{shown} is more than {format_amount(MAX_AMOUNT, exponent)}")
    scaled = value.scaleb(exponent)
    if scaled != scaled.to_integral_value():
        raise InvalidAmount(f"{shown} has more than {exponent} decimal places")
    return int(scaled)


def format_amount(minor: int, exponent: int = 2) -> str:
    """1250 -> '12.5', 1200 -> '12', 5 -> '0.05'."""
    value = Decimal(minor).scaleb(-exponent)
    text = f"{value:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def format_fixed(minor: int, exponent: int = 2) -> str:
    """1250 -> '12.50' (all decimals kept)."""
    return f"{Decimal(minor).scaleb(-exponent):.{exponent}f}"


def convert_exponent(minor: int, from_exp: int, to_exp: int) -> Decimal:
    """An amount in one currency's minor units expressed with another exponent, as Decimal."""
    return (Decimal(minor).scaleb(-from_exp)).quantize(
        Decimal(1).scaleb(-to_exp), rounding=ROUND_HALF_UP
    )
