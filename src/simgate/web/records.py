"""History of rentals, ledger entries and API keys: the account's records, paged by keyset."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from simgate.accounts import keys as api_keys
from simgate.activations import queries
from simgate.activations.states import State
from simgate.catalog import listing
from simgate.catalog.aliases import Dialect
from simgate.ledger import service as ledger
from simgate.web.pages import PageNotFound, context_of, member, page, posted

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 50
SHOWN_STATES = [
    s.value
    for s in (State.INPOOL, State.NUM_WAIT, State.NUM_ANSWER, State.OVER_OK, State.OVER_EMPTY)
]


def _day(text: str) -> dt.datetime | None:
    """A YYYY-MM-DD date as midnight UTC; ValueError for anything else."""
    return dt.datetime.strptime(text, "%Y-%m-%d") if text else None  # noqa: DTZ007 (stored times are naive UTC)


def _before(text: str | None) -> int | None:
    return int(text) if text and text.isdigit() and len(text) < 19 else None


@router.get("/history")
async def history(
    request: Request,
    service: str = "",
    state: str = "",
    since: str = "",
    until: str = "",
    before: str | None = None,
) -> Response:
    me = await member(request)
    ctx = context_of(request)
    chosen = {"service": service, "state": state, "since": since, "until": until}
    notice = None
    try:
        start, last_day = _day(since), _day(until)
        end = last_day + dt.timedelta(days=1) if last_day else None
    except (ValueError, OverflowError):
        start = end = None
        notice = "BAD_DATE"
    wanted = queries.HistoryFilter(
        service=service or None,
        states=(state,) if state in SHOWN_STATES else (),
        since=start,
        until=end,
    )
    found = await queries.history(ctx.db, me.account_id, wanted, _before(before), PAGE_SIZE)
    offers = await listing.offers_in(ctx.db, Dialect.ONLINESIM)
    services = {o.service.slug: o.service for c in offers for o in c.offers}
    next_url = None
    if found.next_before is not None:
        next_url = "/history?" + urlencode({**chosen, "before": found.next_before})
    return page(
        request,
        "history.html",
        me=me,
        page="history",
        notice=notice,
        rows=found.rows,
        services=list(services.values()),
        states=SHOWN_STATES,
        chosen=chosen,
        next_url=next_url,
    )


@router.get("/ledger")
async def ledger_page(request: Request, before: str | None = None) -> Response:
    me = await member(request)
    ctx = context_of(request)
    entries = await ledger.read_entries(ctx.db, me.account_id, _before(before), PAGE_SIZE + 1)
    next_url = None
    if len(entries) > PAGE_SIZE:
        entries = entries[:PAGE_SIZE]
        next_url = f"/ledger?before={entries[-1].id}"
    return page(request, "ledger.html", me=me, page="ledger", entries=entries, next_url=next_url)


@router.get("/keys")
async def keys_page(request: Request) -> Response:
    me = await member(request)
    ctx = context_of(request)
    keys = await api_keys.live_keys(ctx.deps, me.account_id)
    return page(request, "keys.html", me=me, page="keys", keys=keys, new_key=None)


@router.post("/keys")
async def create_key(request: Request) -> Response:
    me, _ = await posted(request)
    ctx = context_of(request)
    new_key = await api_keys.create_key(ctx.deps, me.account_id)
    keys = await api_keys.live_keys(ctx.deps, me.account_id)
    return page(request, "keys.html", me=me, page="keys", keys=keys, new_key=new_key)


@router.post("/keys/{key_id}/revoke")
async def revoke_key(request: Request, key_id: int) -> Response:
    me, _ = await posted(request)
    ctx = context_of(request)
    if not await api_keys.revoke_key(ctx.deps, me.account_id, key_id):
        raise PageNotFound
    return RedirectResponse("/keys", 303)
