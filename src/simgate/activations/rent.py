"""Renting a number: validate and hold (one transaction), ask agents (no transaction open),
then record the outcome (a second transaction). `flows.py` runs the three steps."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from simgate.activations import repository as repo
from simgate.activations.errors import (
    BadReject,
    DeferredClosed,
    DuplicateRequest,
    NoNumber,
    NoService,
    NoSuppliers,
    PriceAboveLimit,
    TooManyOpen,
    TooManyRequests,
    UnknownCountry,
    UnknownOperator,
)
from simgate.activations.forms import RentalForm
from simgate.activations.states import State
from simgate.catalog import listing
from simgate.catalog import repository as catalog
from simgate.core.db import Database, lock_key, mark_account_changed
from simgate.core.money import AGENT_CURRENCY_EXPONENT, convert_exponent
from simgate.core.settings import Settings
from simgate.ledger import service as ledger
from simgate.models import Account, Activation, Country, Price, Service
from simgate.suppliers import repository as suppliers_repo
from simgate.suppliers import service as suppliers
from simgate.suppliers.client import Endpoint

MAX_AGENTS_TRIED = 3
# A reject entry is a phone prefix with its country code: E.164 numbers have at most 15 digits.
# Anything else would only reach the agents as a request they must refuse.
MAX_REJECT_DIGITS = 15
MAX_REJECT_ENTRIES = 100
# A buyer's used numbers sent to the agents as exceptionPhoneSet: the newest this many. A buyer
# renting thousands a day for one service would otherwise send them all with every getNum (and
# pay the reading and encoding); an older one an agent hands out anyway is caught after it
# answers (`RepeatGuard`).
MAX_USED_NUMBERS_SENT = 100


@dataclass(frozen=True)
class RentRequest:
    service: str
    country_code: int = 7
    operator: str = "any"
    form: RentalForm = RentalForm.ONLINE
    reject: tuple[str, ...] = ()
    region: int | None = None
    extension: int | None = None
    number: str | None = None  # repeat: the very number wanted
    max_price: int | None = None  # minor units; a dearer rental is refused


@dataclass(frozen=True)
class Candidate:
    supplier_id: int
    endpoint: Endpoint
    operator: str  # the stock row's operator: sent to the agent and decremented after
    amount: Decimal
    currency: int
    # Its health when the plan was made: a good answer from an agent already known healthy
    # (no faults, a recent last_ok_at) need not write its row again.
    failures: int = 0
    last_ok_at: dt.datetime | None = None


@dataclass(frozen=True)
class RepeatGuard:
    """The buyer used more numbers for this service in the repeat window than were sent to
    the agents: a number an agent hands out must be checked against those rentals."""

    account_id: int
    service_id: int
    since: dt.datetime


@dataclass
class Plan:
    """Everything the agent calls need, so no transaction stays open during them."""

    activation_id: int
    country_slug: str
    service_code: str
    exception_phones: list[str]
    wanted_number: str | None
    candidates: list[Candidate] = field(default_factory=list)
    repeat_guard: RepeatGuard | None = None


@dataclass
class Candidates:
    """The agents to ask, and whether agents with stock were skipped for backing off."""

    usable: list[Candidate]
    resting: bool


@dataclass(frozen=True)
class Resolved:
    service: Service
    sender_filter: str | None
    country: Country
    operator: str
    price: Price


def check_reject(reject: tuple[str, ...]) -> None:
    """Each entry digits only, 1..MAX_REJECT_DIGITS of them; at most MAX_REJECT_ENTRIES."""
    if len(reject) > MAX_REJECT_ENTRIES:
        raise BadReject(f"at most {MAX_REJECT_ENTRIES} reject prefixes")
    for prefix in reject:
        if not (prefix.isascii() and prefix.isdigit() and len(prefix) <= MAX_REJECT_DIGITS):
            raise BadReject(f"reject entry {prefix[:20]!r} is not a phone prefix")


async def resolve(db: Database, request: RentRequest) -> Resolved:
    """Service (or sender name, as the spec allows), country, operator and price, from the
    catalog kept in memory (catalog.listing): the same answer a read in the rental's own
    transaction would give, as every catalog commit drops it."""
    name = request.service.strip()
    if not name:
        raise NoService("service is required")
    operator = request.operator.strip().lower() or "any"
    terms = await listing.rental_terms(db, name, request.country_code, operator)
    country = terms.country
    if country is None:
        raise UnknownCountry(f"no country {request.country_code}")
    if not terms.operator_listed:
        raise UnknownOperator(f"no operator {operator!r} in {country.slug}")
    if terms.price is None:
        raise NoNumber(f"{terms.service.slug} is not sold in {country.slug}")
    return Resolved(terms.service, terms.sender_filter, country, operator, terms.price)


async def check_limits(
    session: AsyncSession,
    settings: Settings,
    account: Account,
    request: RentRequest,
    now: dt.datetime,
) -> None:
    """Concurrency and rate limits; the account lock makes check-then-insert atomic."""
    await lock_key(session, f"account:{account.id}")
    minute_ago = now - dt.timedelta(seconds=60)
    open_count, in_flight, last_minute = await repo.limit_counts(
        session, account.id, now, minute_ago
    )
    if open_count >= account.max_concurrent:
        raise TooManyOpen("too many open activations")
    if request.form != RentalForm.DEFERRED and in_flight >= account.max_parallel_getnum:
        raise TooManyRequests("too many number requests in flight")
    if last_minute >= account.max_getnum_per_minute:
        raise TooManyRequests("too many number requests this minute")
    if request.form == RentalForm.DEFERRED and not deferred_open(settings.deferred_hours, now):
        raise DeferredClosed("deferred reception is closed at this hour")


def deferred_open(hours: str, now: dt.datetime) -> bool:
    """'8-23' means from 08:00 to 22:59 UTC; '22-6' wraps midnight."""
    start_text, _, end_text = hours.partition("-")
    start, end = int(start_text), int(end_text or 24)
    if start <= end:
        return start <= now.hour < end
    return now.hour >= start or now.hour < end


def price_for(price: Price, form: RentalForm) -> int:
    return {
        RentalForm.ONLINE: price.index_price,
        RentalForm.REPEAT: price.repeat_price,
    }.get(form, price.deferr_price)


async def begin(
    session: AsyncSession,
    settings: Settings,
    account: Account,
    request: RentRequest,
    found: Resolved,
    now: dt.datetime,
    *,
    repeat_supplier_id: int | None = None,
) -> Plan:
    """Check the limits, hold the price and record the activation, pending (`found`: what
    `resolve` made of the request)."""
    await check_limits(session, settings, account, request, now)
    # Identical online requests are normal (several numbers at once); an identical deferred
    # one would only wait in the pool beside its twin.
    if request.form == RentalForm.DEFERRED and await repo.pool_duplicate(
        session, account.id, found.service.id, found.country.code, request.form
    ):
        raise DuplicateRequest("the same request is already waiting")
    amount = price_for(found.price, request.form)
    if request.max_price is not None and amount > request.max_price:
        raise PriceAboveLimit(f"the price {amount} is above {request.max_price}")
    # The hold comes before the stock check, so a buyer without the money hears that rather
    # than "no numbers" (the order sms-activate clients expect); a refusal below rolls it back.
    hold_id = await ledger.hold(session, account.id, amount, now, reference="activation")
    deferred = request.form == RentalForm.DEFERRED
    candidates = await candidates_for(
        session, settings, found, found.operator, now, repeat_supplier_id
    )
    # Asked only when no agent has stock, so a served request does not pay for it.
    if not candidates.usable and await suppliers_repo.enabled_count(session) == 0:
        raise NoSuppliers("no agent is connected")
    if not deferred and not candidates.usable:
        if candidates.resting:
            # The stock is there but its agents are down: waiting on them would only time out.
            raise NoSuppliers("every agent with stock is backing off")
        raise NoNumber("no agent has a number for this request")
    lifetime = (
        settings.deferred_lifetime_seconds if deferred else settings.activation_lifetime_seconds
    )
    in_flight = now + dt.timedelta(seconds=settings.getnum_inflight_seconds)
    created = {
        "account_id": account.id,
        "service_id": found.service.id,
        "sender_filter": found.sender_filter,
        "country_code": found.country.code,
        "operator_slug": found.operator,
        "form": request.form.value,
        "state": State.INPOOL.value,
        "price": amount,
        "payout": found.price.payout,
        "hold_id": hold_id,
        "reject": json.dumps(list(request.reject)),
        "wanted_number": request.number,
        "region": request.region,
        "extension": request.extension,
        "revise_cursor": 0,
        "banned": False,
        "created_at": now,
        "requesting_until": None if deferred else in_flight,
        "number_requested_at": None if deferred else now,
        "expires_at": now + dt.timedelta(seconds=lifetime),
    }
    activation_id = await repo.create(session, created)
    mark_account_changed(session, account.id)
    # A repeat asks for one number: nothing to exclude.
    exceptions, guard = (
        ([], None)
        if request.number
        else await _exclusions(session, settings, account.id, found.service.id, now, request.reject)
    )
    return Plan(
        activation_id=activation_id,
        country_slug=found.country.slug,
        service_code=found.service.agent_code,
        exception_phones=exceptions,
        wanted_number=request.number,
        candidates=candidates.usable,
        repeat_guard=guard,
    )


async def _exclusions(
    session: AsyncSession,
    settings: Settings,
    account_id: int,
    service_id: int,
    created_at: dt.datetime,
    reject: Sequence[str],
) -> tuple[list[str], RepeatGuard | None]:
    """The prefixes the agents must not hand out: the buyer's reject list and the numbers it
    used for this service within the repeat window (older ones it could not repeat anyway),
    the newest MAX_USED_NUMBERS_SENT of them; with a guard when it used more."""
    since = created_at - dt.timedelta(days=settings.repeat_window_days)
    used = await repo.used_phones(
        session, account_id, service_id, since=since, limit=MAX_USED_NUMBERS_SENT + 1
    )
    guard = None
    if len(used) > MAX_USED_NUMBERS_SENT:
        used = used[:MAX_USED_NUMBERS_SENT]
        guard = RepeatGuard(account_id, service_id, since)
    return sorted({*(p for p in reject if p), *used}), guard


async def candidates_for(
    session: AsyncSession,
    settings: Settings,
    found: Resolved,
    operator: str,
    now: dt.datetime,
    only_supplier_id: int | None = None,
) -> Candidates:
    """Which agents to ask, best first (priority, then stock), at most MAX_AGENTS_TRIED;
    agents backing off after faults of their own are skipped."""
    rows = await suppliers_repo.stock_candidates(
        session,
        found.country.slug,
        found.service.agent_code,
        operator,
        supplier_id=only_supplier_id,
    )
    candidates: list[Candidate] = []
    resting = False
    seen: set[int] = set()
    for supplier, stock_operator, _count in rows:
        if supplier.id in seen or (only_supplier_id and supplier.id != only_supplier_id):
            continue
        seen.add(supplier.id)
        if suppliers.is_resting(supplier, now):
            resting = True
            continue
        exponent = AGENT_CURRENCY_EXPONENT.get(supplier.currency, 2)
        timeout = min(supplier.timeout_seconds, settings.agent_timeout_seconds)
        candidates.append(
            Candidate(
                supplier_id=supplier.id,
                endpoint=Endpoint(supplier.url, supplier.key, timeout),
                operator=stock_operator,
                amount=convert_exponent(found.price.payout, settings.currency_exponent, exponent),
                currency=supplier.currency,
                failures=supplier.consecutive_failures,
                last_ok_at=supplier.last_ok_at,
            )
        )
        if len(candidates) >= MAX_AGENTS_TRIED:
            break
    return Candidates(candidates, resting)


async def plan_deferred(
    session: AsyncSession, settings: Settings, activation_id: int, now: dt.datetime
) -> Plan:
    """The agent calls for a deferred activation the worker has just claimed."""
    activation = await session.get(Activation, activation_id)
    assert activation is not None
    service = await session.get(Service, activation.service_id)
    country = await catalog.country_by_code(session, activation.country_code)
    price = await catalog.price(session, activation.country_code, activation.service_id)
    exceptions, guard = (
        ([], None)
        if activation.wanted_number
        else await _exclusions(
            session,
            settings,
            activation.account_id,
            activation.service_id,
            activation.created_at,
            json.loads(activation.reject),
        )
    )
    plan = Plan(
        activation_id=activation.id,
        country_slug=country.slug if country else "",
        service_code=service.agent_code if service else "",
        exception_phones=exceptions,
        wanted_number=activation.wanted_number,
        repeat_guard=guard,
    )
    if service is None or country is None or price is None:
        return plan  # the catalog changed under it: no candidates, it waits and expires
    found = Resolved(service, activation.sender_filter, country, activation.operator_slug, price)
    chosen = await candidates_for(session, settings, found, activation.operator_slug, now)
    plan.candidates = chosen.usable
    return plan
