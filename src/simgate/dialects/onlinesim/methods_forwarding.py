"""Call forwarding: getNum's forward_* parameters, setForwardStatusEnable, forwardingList,
forwardingSave, forwardingRemove, getForwardPaymentsList."""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

import orjson

from simgate.activations.forms import RentalForm
from simgate.core.integers import INT32, UINT64, NotAnInteger, OutOfRange, read_int
from simgate.core.money import format_amount
from simgate.core.settings import Settings
from simgate.dialects.common.params import BadParam
from simgate.dialects.common.registry import Call, Reply
from simgate.dialects.onlinesim.render import national_number, ok
from simgate.forwarding import flows, queries, service
from simgate.forwarding.errors import ForwardDeferred
from simgate.forwarding.service import PAGE_SIZE, Changes, ForwardRequest
from simgate.models import Activation
from simgate.models.forwarding import Forwarding, ForwardPayment

DATE_FORMAT = "%Y-%m-%d %H:%M:%S"
MAX_PAGE = 10**9


def forward_request(call: Call, form: RentalForm) -> ForwardRequest | None:
    """getNum's forward_number / forward_minutes / clean_call, checked before renting."""
    text = call.params.text("forward_number")
    if not text:
        return None
    if form != RentalForm.ONLINE:
        raise ForwardDeferred("forwarding is for online reception only")
    return ForwardRequest(
        number=service.normalise_number(text),
        min_minutes=service.check_threshold(call.params.integer("forward_minutes", 0, INT32) or 0),
        clean_call=call.params.flag("clean_call"),
    )


async def attach(call: Call, activation: Activation, request: ForwardRequest) -> None:
    """After renting: the agent sets the forwarding, or the rental is refunded."""
    await flows.attach(call.ctx.forwarding, activation, request)


def _id(call: Call, name: str = "id") -> int:
    text = call.params.text(name)
    if not text:
        raise Reply("ERROR_NO_TZID" if name == "tzid" else "ERROR_PARAMS")
    try:
        value = read_int(text, UINT64)
    except OutOfRange:  # a number, but beyond the column: there is no such id
        value = 0
    except NotAnInteger:
        raise BadParam(name) from None
    if value == 0:
        raise Reply("NO_CONFIRM_FORWARD" if name == "tzid" else "ERROR_WRONG_ID")
    return value


async def set_forward_status_enable(call: Call) -> Any:
    tzid = _id(call, "tzid")
    await flows.confirm(call.ctx.forwarding, call.account.id, tzid)
    return ok(tzid=tzid)


async def forwarding_list(call: Call) -> Any:
    settings = call.ctx.settings
    if call.params.text("id"):
        found = await queries.one(call.ctx.db, call.account.id, _id(call))
        return ok(forwarding=item(found, settings))
    page = call.params.integer("page", 1) or 1
    if not 1 <= page <= MAX_PAGE:
        raise Reply("ERROR_PARAMS")
    sort_text = call.params.text("sort")
    total, rows = await queries.page(call.ctx.db, call.account.id, page, _order(sort_text))
    return ok(forwardingList=_paged(settings, total, page, rows, sort_text))


def _order(text: str | None) -> list[tuple[str, bool]]:
    """sort={"number":"DESC","forward_number":"ASC"}: field names are checked by the service."""
    if not text:
        return []
    try:
        parsed = orjson.loads(text)
    except orjson.JSONDecodeError:
        raise BadParam("sort") from None
    if not isinstance(parsed, dict):
        raise BadParam("sort")
    order = []
    for name, direction in parsed.items():
        word = str(direction).upper()
        if word not in ("ASC", "DESC"):
            raise BadParam("sort")
        order.append((str(name), word == "DESC"))
    return order


def _paged(
    settings: Settings, total: int, page: int, rows: list[Forwarding], sort: str | None
) -> dict[str, Any]:
    last_page = max(1, math.ceil(total / PAGE_SIZE))
    first = (page - 1) * PAGE_SIZE + 1

    def url(number: int) -> str:
        query = {"page": number, **({"sort": sort} if sort else {})}
        return f"{settings.public_url.rstrip('/')}/api/forwardingList.php?{urlencode(query)}"

    return {
        "total": total,
        "per_page": PAGE_SIZE,
        "current_page": page,
        "last_page": last_page,
        "next_page_url": url(page + 1) if page < last_page else None,
        "prev_page_url": url(page - 1) if page > 1 else None,
        "from": first if rows else None,
        "to": first + len(rows) - 1 if rows else None,
        "data": [item(row, settings) for row in rows],
    }


def item(forwarding: Forwarding, settings: Settings) -> dict[str, Any]:
    """One forwarding as forwardingList shows it (plus the thresholds forwardingSave sets)."""
    balance_at = forwarding.balance_at
    return {
        "id": forwarding.id,
        "id_user": forwarding.account_id,
        "minutes": forwarding.minutes,
        "status": service.spec_status(forwarding),
        "id_number": forwarding.activation_id,
        "number": national_number(forwarding.phone),
        "forward_number": national_number(forwarding.forward_number),
        "created_at": forwarding.created_at.strftime(DATE_FORMAT),
        "updated_at": forwarding.updated_at.strftime(DATE_FORMAT),
        "extension": forwarding.auto_extend,
        "data": {
            "balance": forwarding.balance,
            "time_update_balance": balance_at.strftime(DATE_FORMAT) if balance_at else None,
            "region": forwarding.region,
        },
        "forward_status": service.status_word(forwarding),
        "auto_minutes": forwarding.min_minutes,
        "max_minutes": forwarding.max_minutes,
    }


async def forwarding_save(call: Call) -> Any:
    params = call.params
    forwarding_id = _id(call)
    number_text = params.text("forward_number")
    number = service.normalise_number(number_text) if number_text else None
    changes = Changes(
        min_minutes=params.integer("minutes", bounds=INT32),
        auto_extend=None if params.raw("auto") is None else params.flag("auto"),
        max_minutes=params.integer("max_minutes", bounds=INT32),
    )
    service.check_changes(changes)
    await flows.save(call.ctx.forwarding, call.account.id, forwarding_id, number, changes)
    return ok()


async def forwarding_remove(call: Call) -> Any:
    await flows.remove(call.ctx.forwarding, call.account.id, _id(call))
    return ok()


async def get_forward_payments_list(call: Call) -> Any:
    forwarding, payments = await queries.payments(call.ctx.db, call.account.id, _id(call))
    exponent = call.ctx.settings.currency_exponent
    return ok(forwardPaymentsList=[_payment(forwarding, p, exponent) for p in payments])


def _payment(forwarding: Forwarding, payment: ForwardPayment, exponent: int) -> dict[str, Any]:
    return {
        "id": payment.id,
        "forward_id": forwarding.id,
        "number": national_number(forwarding.phone),
        "sum": Decimal(format_amount(payment.amount, exponent)),
        "minutes": payment.minutes,
        "status": payment.status,
        "created_at": payment.created_at.strftime(DATE_FORMAT),
    }
