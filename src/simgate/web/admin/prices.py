"""Prices in the console: a table per country and service, filtered and paged, each row an
editable form (online, repeat, deferred price and the agent's payout)."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response

from simgate.core.errors import DomainError
from simgate.core.money import InvalidAmount
from simgate.operators import catalog_actions, price_table
from simgate.web.admin.guard import amount_field, back, console_page, int_field, operator_form
from simgate.web.admin.guard import operator as operator_of
from simgate.web.pages import context_of, text_field

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 50
MAX_OFFSET = 10**7  # far past any catalog; keeps a typed offset a small number
PRICE_FIELDS = ("index", "repeat", "deferr", "payout")


def _typed(text: str) -> str:
    # As text_field does for forms: a NUL (which PostgreSQL cannot hold) is no value.
    return "" if "\x00" in text else text.strip()[:64]


def _filters(country: str, service: str, offset: int = 0) -> dict[str, str]:
    chosen = {"country": _typed(country), "service": _typed(service)}
    if offset:
        chosen["offset"] = str(offset)
    return chosen


def _url(chosen: dict[str, str]) -> str:
    query = urlencode({k: v for k, v in chosen.items() if v})
    return f"/admin/prices?{query}" if query else "/admin/prices"


def _offset(text: str | None) -> int:
    # isascii: "²" is a digit to isdigit() but not to int().
    if not text or not text.isascii() or not text.isdigit() or len(text) > 8:
        return 0
    return min(int(text), MAX_OFFSET)


async def _show(
    request: Request,
    chosen: dict[str, str],
    error: DomainError | None = None,
    typed: dict[str, str] | None = None,
) -> Response:
    me = await operator_of(request)
    ctx = context_of(request)
    offset = _offset(chosen.get("offset"))
    try:
        table = await price_table.price_table(
            ctx.db, chosen["country"] or None, chosen["service"] or None, offset, PAGE_SIZE
        )
    except DomainError as exc:  # a filter naming what the catalog lacks
        chosen, error = _filters("", ""), exc
        table = await price_table.price_table(ctx.db, None, None, 0, PAGE_SIZE)
    next_url = None
    if table.next_offset is not None:
        next_url = _url({**chosen, "offset": str(table.next_offset)})
    return console_page(
        request,
        "prices.html",
        me,
        400 if error else 200,
        section="prices",
        table=table,
        chosen=chosen,
        here_url=_url(chosen),
        next_url=next_url,
        exponent=ctx.settings.currency_exponent,
        error=error,
        typed=typed or {},
    )


@router.get("/admin/prices")
async def prices_page(
    request: Request, country: str = "", service: str = "", offset: str = ""
) -> Response:
    return await _show(request, _filters(country, service, _offset(offset)))


def _amount(request: Request, form: FormData, name: str) -> int:
    try:
        return amount_field(request, form, name)
    except InvalidAmount as exc:
        raise InvalidAmount(f"{name}: {exc}") from None  # which of the row's four it was


def _optional_amount(request: Request, form: FormData, name: str) -> int | None:
    """Empty: the catalog derives it from the online price."""
    return _amount(request, form, name) if text_field(form, name) else None


@router.post("/admin/prices")
async def set_price(request: Request) -> Response:
    """One row of the table: the page it came from (its filters) is shown again."""
    _, actor, form = await operator_form(request)
    chosen = _filters(
        text_field(form, "f_country"),
        text_field(form, "f_service"),
        _offset(text_field(form, "f_offset")),
    )
    country = text_field(form, "country")
    service = text_field(form, "service")
    try:
        applied = await catalog_actions.set_price(
            context_of(request).deps,
            actor,
            int_field(form, "country") or 0,
            service,
            index=_amount(request, form, "index"),
            repeat=_optional_amount(request, form, "repeat"),
            deferr=_optional_amount(request, form, "deferr"),
            payout=_optional_amount(request, form, "payout"),
        )
    except DomainError as exc:
        # The refused row comes back as typed, to be corrected.
        typed = {f: text_field(form, f) for f in PRICE_FIELDS}
        typed["row"] = f"{country} {service}"
        return await _show(request, chosen, exc, typed)
    return back(_url(chosen), applied)
