"""The buyer's dashboard: balance, the rent form, open rentals live, and what a buyer does to
a rental. Every rental is looked up by (account, id): another account's is a 404."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response, StreamingResponse

from simgate.accounts import service as accounts
from simgate.activations import flows, queries
from simgate.activations.errors import ActivationNotFound
from simgate.activations.forms import RentalForm
from simgate.activations.rent import RentRequest
from simgate.catalog import listing
from simgate.catalog.aliases import Dialect
from simgate.core.errors import DomainError
from simgate.ledger import service as ledger
from simgate.web.live import AccountSignals
from simgate.web.pages import (
    SECURITY_HEADERS,
    PageNotFound,
    context_of,
    is_htmx,
    member,
    member_or_none,
    page,
    posted,
    render_text,
    text_field,
)

router = APIRouter(include_in_schema=False)

# A stream re-reads at least this often: it is how changes committed by another process (a
# worker, another replica) reach the page, and it keeps proxies from closing an idle stream.
REFRESH_SECONDS = 15.0


@router.get("/")
async def dashboard(request: Request, notice: str | None = None) -> Response:
    me = await member(request)
    ctx = context_of(request)
    balance = await ledger.read_balance(ctx.db, me.account_id)
    offers = await listing.offers_in(ctx.db, Dialect.ONLINESIM)
    services = {o.service.slug: o.service for c in offers for o in c.offers if o.price is not None}
    rentals = await queries.open_rentals(ctx.db, me.account_id, ctx.clock.now())
    return page(
        request,
        "dashboard.html",
        me=me,
        page="dashboard",
        notice=notice if notice in ("rented", "deferred_queued") else None,
        balance=balance,
        services=list(services.values()),
        countries=[c.country for c in offers],
        rentals=rentals,
    )


@router.post("/rent")
async def rent(request: Request) -> Response:
    me, form = await posted(request)
    ctx = context_of(request)
    country = text_field(form, "country")
    # Deferred reception (onlinesim getNum form=3): the request waits in the pool until an
    # agent has a number; the page offers it when an online request finds none.
    deferred = text_field(form, "form") == RentalForm.DEFERRED.value
    wanted = RentRequest(
        service=text_field(form, "service"),
        country_code=int(country) if country.isdigit() and len(country) < 6 else -1,
        operator=text_field(form, "operator").lower() or "any",
        form=RentalForm.DEFERRED if deferred else RentalForm.ONLINE,
    )
    try:
        account = await accounts.read_account(ctx.db, me.account_id)
        await flows.rent_number(ctx.db, ctx.agents, ctx.settings, ctx.clock, account, wanted)
    except DomainError as exc:
        offer = wanted if exc.code == "NO_NUMBER" and not deferred else None
        return _outcome(request, exc.code, "error", me=me, offer=offer)
    return _outcome(request, "deferred_queued" if deferred else "rented", "notice")


def _outcome(request: Request, message: str, tone: str, **values: object) -> Response:
    if is_htmx(request):
        text = render_text(request, "_notice.html", message=message, tone=tone, **values)
        return Response(text, media_type="text/html", headers=SECURITY_HEADERS)
    if tone == "notice":
        return RedirectResponse(f"/?notice={message}", 303)
    return page(request, "message.html", 400, message=message, tone=tone, **values)


async def _act(request: Request, tzid: int, action: str) -> Response:
    me, _ = await posted(request)
    ctx = context_of(request)
    try:
        if action == "revise":
            await flows.revise(ctx.db, ctx.clock, me.account_id, tzid)
        elif action == "cancel":
            # The no-SMS check is taken under the rental's row lock (CodeReceived otherwise),
            # so an SMS committed meanwhile cannot turn a cancel into a purchase.
            await flows.cancel(ctx.db, ctx.clock, me.account_id, tzid)
        else:
            await flows.confirm(ctx.db, ctx.clock, me.account_id, tzid)
    except ActivationNotFound as exc:
        raise PageNotFound from exc
    except DomainError as exc:
        return _outcome(request, exc.code, "error")
    if not is_htmx(request):
        return RedirectResponse("/", 303)
    return await _rental_fragment(request, me.account_id, tzid)


@router.post("/rentals/{tzid}/revise")
async def revise(request: Request, tzid: int) -> Response:
    return await _act(request, tzid, "revise")


@router.post("/rentals/{tzid}/finish")
async def finish(request: Request, tzid: int) -> Response:
    return await _act(request, tzid, "finish")


@router.post("/rentals/{tzid}/cancel")
async def cancel(request: Request, tzid: int) -> Response:
    return await _act(request, tzid, "cancel")


@router.get("/rentals/{tzid}")
async def rental(request: Request, tzid: int) -> Response:
    me = await member(request)
    return await _rental_fragment(request, me.account_id, tzid, me=me)


async def _rental_fragment(
    request: Request, account_id: int, tzid: int, me: object = None
) -> Response:
    ctx = context_of(request)
    try:
        view = await queries.rental(ctx.db, account_id, tzid, ctx.clock.now())
    except ActivationNotFound as exc:
        raise PageNotFound from exc
    me = me or await member(request)
    text = render_text(request, "_rental.html", view=view, me=me)
    return Response(text, media_type="text/html", headers=SECURITY_HEADERS)


def _event(name: str, html: str) -> str:
    """One Server-Sent Event; each line of the HTML is a data line. Every kind of line break
    splits (an SMS may hold a bare CR, which would otherwise end a data line early)."""
    return f"event: {name}\n" + "".join(f"data: {line}\n" for line in html.splitlines()) + "\n"


@router.get("/events")
async def events(request: Request) -> Response:
    """Server-Sent Events: the open-rentals list, sent again after each change."""
    me = await member(request)
    signals: AccountSignals = request.app.state.web_signals
    ctx = context_of(request)

    async def stream() -> AsyncIterator[str]:
        with signals.subscribe(me.account_id) as changed:
            while True:
                changed.clear()  # before the read: a commit during it wakes the next wait
                if await member_or_none(request) is None:
                    return  # logged out (or blocked) meanwhile: the page stops being fed
                rentals = await queries.open_rentals(ctx.db, me.account_id, ctx.clock.now())
                balance = await ledger.read_balance(ctx.db, me.account_id)
                yield _event(
                    "rentals", render_text(request, "_rentals.html", rentals=rentals, me=me)
                )
                yield _event("balance-card", render_text(request, "_balance.html", balance=balance))
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(changed.wait(), REFRESH_SECONDS)

    headers = {**SECURITY_HEADERS, "X-Accel-Buffering": "no"}
    return StreamingResponse(stream(), media_type="text/event-stream", headers=headers)
