"""Renting and reading numbers: getNum, getNumRepeat, getState, getOperations,
setOperationOk, setOperationRevise."""

from __future__ import annotations

import datetime as dt
from typing import Any

import orjson

from simgate.activations import flows
from simgate.activations import queries as rentals
from simgate.activations import service as activations
from simgate.activations.errors import ActivationNotFound
from simgate.activations.forms import RentalForm
from simgate.activations.rent import RentRequest
from simgate.activations.service import ActivationView
from simgate.catalog import listing
from simgate.core import jsonutil
from simgate.core.integers import INT32, UINT64, NotAnInteger, read_int
from simgate.dialects.common.params import BadParam, Params
from simgate.dialects.common.registry import Call, Reply
from simgate.dialects.onlinesim import methods_forwarding as forwarding
from simgate.dialects.onlinesim.render import FORM_NUMBERS, FORMS_BY_WORD, ok, operation
from simgate.forwarding import queries as forwarding_queries

ONLINE_FORMS = {None: RentalForm.ONLINE, 1: RentalForm.ONLINE, 3: RentalForm.DEFERRED}


async def _operator(call: Call) -> str:
    """`operator` by name, or `simoperator` by MCC-MNC (25001 → mts)."""
    simoperator = call.params.text("simoperator")
    if simoperator:
        found = await listing.operator_by_mccmnc(call.ctx.db, simoperator)
        if found is None:
            raise Reply("ERROR_PARAMS")
        return found.slug
    return (call.params.text("operator") or "any").lower()


def _country(call: Call) -> int:
    try:
        return call.params.integer("country", 7, INT32) or 7
    except BadParam:
        raise Reply("NO_COUNTRY") from None


async def get_num(call: Call) -> Any:
    params = call.params
    service = params.text("service")
    if not service:
        raise Reply("ERROR_NO_SERVICE")
    form = ONLINE_FORMS.get(params.integer("form"))
    if form is None:
        raise Reply("ERROR_PARAMS")
    forward = forwarding.forward_request(call, form)
    request = RentRequest(
        service=service,
        country_code=_country(call),
        operator=await _operator(call),
        form=form,
        reject=tuple(params.text_list("reject")),
        region=params.integer("region", bounds=INT32),
        extension=params.switch("extension"),
    )
    ctx = call.ctx
    activation = await flows.rent_number(
        ctx.db, ctx.agents, ctx.settings, ctx.clock, call.account, request
    )
    if forward is not None:
        await forwarding.attach(call, activation, forward)
    reply = ok(tzid=activation.id)
    if params.flag("number") and activation.phone:
        reply.update(number=f"+{activation.phone}", country=activation.country_code)
    return reply


async def get_num_repeat(call: Call) -> Any:
    service_name = call.params.text("service")
    if not service_name:
        raise Reply("ERROR_NO_SERVICE")
    number = (call.params.text("number") or "").lstrip("+")
    if not number:
        raise Reply("ERROR_NO_NUMBER")
    if not (number.isascii() and number.isdigit()):
        raise Reply("ERROR_PARAMS")
    ctx = call.ctx
    service, supplier_id, country = await rentals.repeat_source(
        ctx.db,
        call.account.id,
        service_name,
        number,
        ctx.clock.now(),
        ctx.settings.repeat_window_days,
    )
    request = RentRequest(
        service=service.slug, country_code=country, form=RentalForm.REPEAT, number=number
    )
    activation = await flows.rent_number(
        ctx.db,
        ctx.agents,
        ctx.settings,
        ctx.clock,
        call.account,
        request,
        repeat_supplier_id=supplier_id,
    )
    return ok(tzid=activation.id)


def read_tzid(params: Params, *, required: bool) -> int | None:
    """tzid: absent (ERROR_NO_TZID when required) or a 64-bit id (else ERROR_WRONG_TZID).
    The sandbox reads it the same way."""
    text = params.text("tzid")
    if not text:
        if required:
            raise Reply("ERROR_NO_TZID")
        return None
    try:
        return read_int(text, UINT64)
    except NotAnInteger:
        raise Reply("ERROR_WRONG_TZID") from None


async def _states(call: Call, *, tzid: int | None, forms: list[str] | None) -> list[Any]:
    """getState/getOperations items. Without clean=1 the rendered items come from the state
    cache (see activations.state_cache); only `time` is computed per request."""
    descending = (call.params.text("orderby") or "asc").lower() == "desc"
    now = call.ctx.clock.now()
    if call.params.flag("clean"):
        entries = await _render(call, tzid, forms, descending, clean=True)
    else:
        entries = await _cached_render(call, tzid, forms, descending)
        # The same request is answered alike until a commit changes the account, or a
        # `time` below counts down (a clean read is never repeated: it shows a message once).
        call.reuse.allow(until=activations.next_tick((limit for _b, limit in entries), now))
    return [_timed(body, limit, now) for body, limit in entries]


# Each item as JSON without its closing brace, and the limit its `time` counts down to.
Rendered = list[tuple[bytes, dt.datetime | None]]


async def _cached_render(
    call: Call, tzid: int | None, forms: list[str] | None, descending: bool
) -> Rendered:
    flags = (call.params.flag("message_to_code"), call.params.flag("msg_list"))
    key = ("rendered", tzid, tuple(forms or ()), descending, *flags)
    return await call.ctx.state_cache.fetch(
        call.account.id, key, lambda: _render(call, tzid, forms, descending, clean=False)
    )


def _timed(body: bytes, limit: dt.datetime | None, now: dt.datetime) -> orjson.Fragment:
    """The item with its seconds left as of `now`, as ready JSON."""
    return orjson.Fragment(b'%s,"time":%d}' % (body, activations.seconds_left(limit, now)))


async def _render(
    call: Call, tzid: int | None, forms: list[str] | None, descending: bool, *, clean: bool
) -> Rendered:
    """Rendered items with the expiry `time` is computed from (None for closed ones)."""
    params, ctx = call.params, call.ctx

    def render(
        view: ActivationView, forward: tuple[str, str] | None
    ) -> tuple[dict[str, Any], list[int]]:
        return operation(
            view,
            ctx.settings.currency_exponent,
            message_to_code=params.flag("message_to_code"),
            msg_list=params.flag("msg_list"),
            clean=clean,
            forward=forward,
        )

    rendered = await forwarding_queries.rental_states(
        ctx.db,
        ctx.clock,
        call.account.id,
        render,
        tzid=tzid,
        forms=forms,
        descending=descending,
        recent_seconds=ctx.settings.activation_lifetime_seconds,
        clean=clean,
    )
    return [(jsonutil.dumps(item)[:-1], view.time_limit()) for item, view in rendered]


def _forms(call: Call) -> list[str] | None:
    raw = call.params.text("form") or call.params.text("type")
    if not raw:
        return None
    words = [FORM_NUMBERS.get(part.strip(), part.strip()) for part in raw.split(",")]
    if any(w not in FORMS_BY_WORD and w != "forward" for w in words):
        raise Reply("ERROR_PARAMS")
    # `forward` is a valid filter that no rental form matches.
    return [FORMS_BY_WORD[w].value if w in FORMS_BY_WORD else w for w in words]


async def get_state(call: Call) -> Any:
    tzid = read_tzid(call.params, required=False)
    items = await _states(call, tzid=tzid, forms=None if tzid else _forms(call))
    if not items:
        raise Reply("ERROR_NO_OPERATIONS")
    return items


async def get_operations(call: Call) -> Any:
    return await _states(call, tzid=None, forms=None)


async def set_operation_ok(call: Call) -> Any:
    tzid = read_tzid(call.params, required=True)
    assert tzid is not None
    ctx = call.ctx
    await flows.confirm(ctx.db, ctx.clock, call.account.id, tzid, ban=call.params.flag("ban"))
    return ok(tzid=tzid)


async def set_operation_revise(call: Call) -> Any:
    tzid = read_tzid(call.params, required=True)
    assert tzid is not None
    try:
        await flows.revise(call.ctx.db, call.ctx.clock, call.account.id, tzid)
    except ActivationNotFound:
        raise Reply("ERROR_WRONG_TZID") from None
    return ok(tzid=tzid)
