"""Following and closing a rental: getStatus, getStatusV2, getFullSms, getActiveActivations,
setStatus (and HeroSMS's finishActivation / cancelActivation).

setStatus, by value:
- 1 (number ready): changes nothing; ACCESS_READY for an open rental.
- 3 (another code): the next SMS is shown as the new code; repeating it, or asking before the
  first SMS, changes nothing and answers ACCESS_RETRY_GET again.
- 6 (finished): sold when an SMS came (ACCESS_ACTIVATION). Without one there is nothing to
  sell: the rental is closed and refunded in full, and the reply says so (ACCESS_CANCEL).
- 8 or -1 (cancel): refunded in full while no SMS came (ACCESS_CANCEL). Once an SMS came the
  rental is paid for, as on sms-activate, which refuses to cancel after a code: BAD_STATUS,
  the rental stays open to be finished (or to close as sold when its time runs out).
"""

from __future__ import annotations

from typing import Any

from simgate.activations import flows
from simgate.activations import queries as rentals
from simgate.activations.errors import CannotComplete, CodeReceived
from simgate.activations.service import ActivationView
from simgate.activations.states import OPEN_STATES, State
from simgate.catalog import listing
from simgate.catalog.aliases import Dialect
from simgate.core.integers import INT32, UINT32, NotAnInteger, read_int
from simgate.dialects.common.registry import Call, Reply
from simgate.dialects.smsactivate import inputs, render

READY, RETRY, FINISH, CANCEL, CANCEL_ALT = 1, 3, 6, 8, -1


async def _followed(call: Call) -> ActivationView:
    """The rental a client polls. What it shows (state, messages, the last setStatus 3)
    changes only by commits to the account, never with time: the same request may be
    answered again until one comes (dialects/common/answer_memo.py)."""
    view = await rentals.rental(
        call.ctx.db, call.account.id, inputs.activation_id(call), call.ctx.clock.now()
    )
    call.reuse.allow()
    return view


async def get_status(call: Call) -> str:
    return render.status_line(await _followed(call))


async def get_status_v2(call: Call) -> Any:
    return render.status_v2(await _followed(call))


async def get_full_sms(call: Call) -> str:
    """`FULL_SMS:<text>` of the latest SMS, or the status line while there is none."""
    view = await _followed(call)
    current = render.shown(view)
    if current and view.activation.state not in (State.OVER_EMPTY, State.FAILED):
        return f"FULL_SMS:{current[-1].text}"
    return render.status_line(view)


async def get_active_activations(call: Call) -> Any:
    """Open rentals, oldest first; `start` and `limit` page through them."""
    ctx = call.ctx
    views = await rentals.open_rentals(ctx.db, call.account.id, ctx.clock.now())
    start = _count(call, "start") or 0
    limit = _count(call, "limit")
    views = views[start : None if limit is None else start + limit]
    countries = await listing.country_ids(ctx.db, Dialect.SMS_ACTIVATE)
    rows = []
    for view in views:
        country_id, country = countries.get(view.activation.country_code, (None, None))
        rows.append(
            render.active_row(
                view,
                country_id if country_id is not None else inputs.RUSSIA,
                country.name if country is not None else "",
                ctx.settings.currency_exponent,
                ctx.settings.currency,
            )
        )
    # Both keys: one client reads `activeActivations`, another `data`.
    return {"status": "success", "activeActivations": rows, "data": rows}


def _count(call: Call, name: str) -> int | None:
    text = call.params.text(name)
    if not text:
        return None
    try:
        return read_int(text, UINT32)
    except NotAnInteger:
        raise Reply("BAD_DATA") from None


async def set_status(call: Call) -> str:
    status = _status(call)
    tzid = inputs.activation_id(call)
    return await _apply(call, tzid, status)


def _status(call: Call) -> int:
    try:
        status = read_int(call.params.text("status") or "", INT32)
    except NotAnInteger:
        raise Reply("BAD_STATUS") from None
    if status not in (READY, RETRY, FINISH, CANCEL, CANCEL_ALT):
        raise Reply("BAD_STATUS")
    return status


async def _apply(call: Call, tzid: int, status: int) -> str:
    ctx, account_id = call.ctx, call.account.id
    if status == FINISH:
        closed = await flows.confirm(ctx.db, ctx.clock, account_id, tzid)
        return "ACCESS_ACTIVATION" if closed.state == State.OVER_OK else "ACCESS_CANCEL"
    if status in (CANCEL, CANCEL_ALT):
        try:
            await flows.cancel(ctx.db, ctx.clock, account_id, tzid)
        except CodeReceived:
            raise Reply("BAD_STATUS") from None
        return "ACCESS_CANCEL"
    view = await rentals.rental(ctx.db, account_id, tzid, ctx.clock.now())
    if view.activation.state not in OPEN_STATES:
        raise Reply("BAD_STATUS")
    if status == READY:
        return "ACCESS_READY"
    if view.activation.state == State.NUM_ANSWER:
        try:
            await flows.revise(ctx.db, ctx.clock, account_id, tzid)
        except CannotComplete:
            # Changed since the read: revised by a twin call (fine), or closed meanwhile.
            view = await rentals.rental(ctx.db, account_id, tzid, ctx.clock.now())
            if view.activation.state not in OPEN_STATES:
                raise Reply("BAD_STATUS") from None
    return "ACCESS_RETRY_GET"


async def finish_activation(call: Call) -> str:
    return await _apply(call, inputs.activation_id(call), FINISH)


async def cancel_activation(call: Call) -> str:
    return await _apply(call, inputs.activation_id(call), CANCEL)
