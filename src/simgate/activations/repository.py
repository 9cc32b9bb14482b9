"""Queries on activations and their SMS. State changes are compare-and-set UPDATEs."""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any

from sqlalchemy import (
    BigInteger,
    Select,
    Update,
    bindparam,
    func,
    insert,
    or_,
    select,
    union,
    union_all,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from simgate.activations.forms import RentalForm
from simgate.activations.states import OPEN_STATES, State
from simgate.core.claims import Lease
from simgate.models import Activation, InboundSms, Service
from simgate.models.base import table_of

# A pool activation's number request in flight: one requester at a time.
REQUEST_LEASE = Lease(Activation.requesting_until)


# The statements every rental sends are built once, with bind parameters: building one anew
# each time (coercing every column and value, then computing its cache key) costs several
# times what executing it does.
_ACTIVATIONS = table_of(Activation)
_INSERT = insert(_ACTIVATIONS).returning(_ACTIVATIONS.c.id)
_CAS = (_ACTIVATIONS.c.id == bindparam("a_id"), _ACTIVATIONS.c.state == bindparam("a_expected"))


def _assigned(columns: frozenset[str]) -> dict[str, Any]:
    """`state` and `columns`, each set from its bind parameter (`_params` names them)."""
    return {name: bindparam(f"v_{name}") for name in sorted({"state", *columns})}


@functools.cache
def _set_state(columns: frozenset[str]) -> Update:
    """The compare-and-set UPDATE writing `state` and `columns` (one per set of columns)."""
    return update(_ACTIVATIONS).where(*_CAS).values(_assigned(columns))


@functools.cache
def _set_state_returning(columns: frozenset[str]) -> Update:
    """`_set_state` handing back the changed row as an Activation (in the session)."""
    return (
        update(Activation)
        .where(*_CAS)
        .values(_assigned(columns))
        .returning(Activation)
        .execution_options(populate_existing=True, synchronize_session=False)
    )


def _params(
    activation_id: int, expected: State, new: State, values: dict[str, Any]
) -> dict[str, Any]:
    params = {f"v_{name}": value for name, value in values.items()}
    params.update(v_state=new.value, a_id=activation_id, a_expected=expected.value)
    return params


async def create(session: AsyncSession, values: dict[str, Any]) -> int:
    """A new activation's id; no Activation object joins the session."""
    return int((await session.execute(_INSERT, values)).scalar_one())


async def set_state(
    session: AsyncSession, activation_id: int, expected: State, new: State, **values: Any
) -> bool:
    """Move one activation from `expected` to `new`; False when someone else moved it first.

    Sent as plain SQL: an Activation the session holds is not updated by it (the caller that
    holds one, lifecycle.apply, sets what it wrote)."""
    stmt = _set_state(frozenset(values))
    result = await session.execute(stmt, _params(activation_id, expected, new, values))
    return bool(getattr(result, "rowcount", 0))


async def set_state_returning(
    session: AsyncSession, activation_id: int, expected: State, new: State, **values: Any
) -> Activation | None:
    """`set_state` that hands back the changed row: one statement where a locking read and
    an UPDATE would be two. None when the activation was not in `expected`."""
    stmt = _set_state_returning(frozenset(values))
    params = _params(activation_id, expected, new, values)
    return (await session.execute(stmt, params)).scalar_one_or_none()


async def set_fields(session: AsyncSession, activation_id: int, **values: Any) -> None:
    await session.execute(update(Activation).where(Activation.id == activation_id).values(**values))


async def get(session: AsyncSession, activation_id: int) -> Activation | None:
    return await session.get(Activation, activation_id, populate_existing=True)


async def lock(session: AsyncSession, activation_id: int) -> Activation | None:
    """The activation, its row locked until commit: whatever closes or feeds a rental reads it
    this way, so PUSH_SMS, confirm and expiry take turns and each sees what the other did."""
    return await session.get(
        Activation, activation_id, populate_existing=True, with_for_update=True
    )


_OWNED = select(Activation).where(
    Activation.id == bindparam("a_id"), Activation.account_id == bindparam("a_account")
)
_OWNED_LOCKED = _OWNED.with_for_update().execution_options(populate_existing=True)


async def get_owned(
    session: AsyncSession, account_id: int, tzid: int, *, for_update: bool = False
) -> Activation | None:
    stmt = _OWNED_LOCKED if for_update else _OWNED
    params = {"a_id": tzid, "a_account": account_id}
    return (await session.execute(stmt, params)).scalar_one_or_none()


def _created_since(account_id: Any, since: Any) -> Select[Any]:
    return select(func.count()).where(
        Activation.account_id == account_id, Activation.created_at >= since
    )


async def count_created_since(session: AsyncSession, account_id: int, since: dt.datetime) -> int:
    return int((await session.execute(_created_since(account_id, since))).scalar_one())


def _limit_counts() -> Select[Any]:
    """(open, number requests in flight, created since) of one account in one round trip:
    three scalar subqueries, each a range of its own index (account+state, account+created)."""
    account = bindparam("l_account", type_=BigInteger)
    open_count = select(func.count()).where(
        Activation.account_id == account, Activation.state.in_([s.value for s in OPEN_STATES])
    )
    in_flight = select(func.count()).where(
        Activation.account_id == account,
        Activation.state == State.INPOOL.value,
        Activation.form != RentalForm.DEFERRED.value,
        Activation.requesting_until > bindparam("l_now", type_=Activation.requesting_until.type),
    )
    since = bindparam("l_since", type_=Activation.created_at.type)
    return select(
        open_count.scalar_subquery(),
        in_flight.scalar_subquery(),
        _created_since(account, since).scalar_subquery(),
    )


_LIMIT_COUNTS = _limit_counts()


async def limit_counts(
    session: AsyncSession, account_id: int, now: dt.datetime, since: dt.datetime
) -> tuple[int, int, int]:
    """(open, number requests in flight, created since `since`), in one round trip."""
    params = {"l_account": account_id, "l_now": now, "l_since": since}
    row = (await session.execute(_LIMIT_COUNTS, params)).one()
    return int(row[0]), int(row[1]), int(row[2])


async def pool_duplicate(
    session: AsyncSession, account_id: int, service_id: int, country_code: int, form: str
) -> bool:
    stmt = select(Activation.id).where(
        Activation.account_id == account_id,
        Activation.service_id == service_id,
        Activation.country_code == country_code,
        Activation.form == form,
        Activation.state == State.INPOOL.value,
    )
    return (await session.execute(stmt.limit(1))).first() is not None


_USED_PHONES = (
    select(_ACTIVATIONS.c.phone)
    .where(
        _ACTIVATIONS.c.account_id == bindparam("u_account"),
        _ACTIVATIONS.c.service_id == bindparam("u_service"),
        _ACTIVATIONS.c.created_at >= bindparam("u_since"),
        _ACTIVATIONS.c.phone.is_not(None),
    )
    .order_by(_ACTIVATIONS.c.created_at.desc())
    .limit(bindparam("u_limit"))
)


async def used_phones(
    session: AsyncSession, account_id: int, service_id: int, *, since: dt.datetime, limit: int
) -> list[str]:
    """The numbers of this account's newest `limit` rentals for this service since `since`,
    newest first (a number rented twice is there twice): however long the window's history,
    ix_activations_account_service_created reads `limit` rows from its end."""
    params = {"u_account": account_id, "u_service": service_id, "u_since": since, "u_limit": limit}
    return [str(p) for p in (await session.execute(_USED_PHONES, params)).scalars()]


# The buyer's rentals of one number, through ix_activations_supplier_phone. The window is
# applied to what comes back, and the account is compared as "account_id + 0": SQLite plans
# without statistics and would otherwise read the buyer's whole window through the index that
# starts with the account, or the agent's whole window through (supplier, created_at).
_RENTED_AT = select(_ACTIVATIONS.c.created_at).where(
    _ACTIVATIONS.c.supplier_id == bindparam("b_supplier"),
    _ACTIVATIONS.c.phone == bindparam("b_phone"),
    _ACTIVATIONS.c.account_id + 0 == bindparam("b_account"),
    _ACTIVATIONS.c.service_id == bindparam("b_service"),
)


async def used_before(
    session: AsyncSession,
    account_id: int,
    service_id: int,
    supplier_id: int,
    phone: str,
    *,
    since: dt.datetime,
) -> bool:
    """Whether this account rented this agent's number for this service since `since`."""
    params = {
        "b_supplier": supplier_id,
        "b_phone": phone,
        "b_account": account_id,
        "b_service": service_id,
    }
    rented = (await session.execute(_RENTED_AT, params)).scalars()
    return any(created_at >= since for created_at in rented)


async def lock_open_on_phone(
    session: AsyncSession, supplier_id: int, phone: str
) -> Activation | None:
    """The open activation on this number, its row locked. A rental being closed meanwhile is
    waited for and then skipped (PostgreSQL re-checks the state on the row it waited for)."""
    stmt = (
        select(Activation)
        .where(
            Activation.supplier_id == supplier_id,
            Activation.phone == phone,
            Activation.state.in_((State.NUM_WAIT.value, State.NUM_ANSWER.value)),
        )
        .order_by(Activation.id.desc())
        .limit(1)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return (await session.execute(stmt)).scalars().first()


async def messages(session: AsyncSession, activation_ids: list[int]) -> list[InboundSms]:
    if not activation_ids:
        return []
    stmt = (
        select(InboundSms)
        .where(InboundSms.activation_id.in_(activation_ids))
        .order_by(InboundSms.activation_id, InboundSms.seq)
    )
    return list((await session.execute(stmt)).scalars())


_LAST_SEQ = select(func.max(InboundSms.seq)).where(
    InboundSms.activation_id == bindparam("s_activation")
)


async def last_seq(session: AsyncSession, activation_id: int) -> int:
    result = await session.execute(_LAST_SEQ, {"s_activation": activation_id})
    return int(result.scalar_one() or 0)


_UNMATCHED = (
    select(InboundSms)
    .where(
        InboundSms.supplier_id == bindparam("s_supplier"),
        InboundSms.phone == bindparam("s_phone"),
        InboundSms.activation_id.is_(None),
        InboundSms.received_at >= bindparam("s_since"),
    )
    .order_by(InboundSms.id)
)


async def unmatched_since(
    session: AsyncSession, supplier_id: int, phone: str, since: dt.datetime
) -> list[InboundSms]:
    params = {"s_supplier": supplier_id, "s_phone": phone, "s_since": since}
    return list((await session.execute(_UNMATCHED, params)).scalars())


async def mark_shown(session: AsyncSession, sms_ids: list[int]) -> None:
    if sms_ids:
        await session.execute(
            update(InboundSms).where(InboundSms.id.in_(sms_ids)).values(shown=True)
        )


async def expired_ids(session: AsyncSession, now: dt.datetime, limit: int) -> list[int]:
    """Open activations past their life, and online requests whose caller vanished.

    Two index ranges joined by UNION, each answered from its index alone (state+expires_at;
    state+requesting_until+form): written as one OR, SQLite visits every matching row of
    the table to re-check the whole condition, on every worker tick."""
    past_life = select(Activation.id).where(
        Activation.state.in_([s.value for s in OPEN_STATES]), Activation.expires_at <= now
    )
    caller_gone = select(Activation.id).where(
        Activation.state == State.INPOOL.value,
        Activation.requesting_until < now,
        Activation.form != RentalForm.DEFERRED.value,
    )
    due = union(past_life, caller_gone).subquery()
    stmt = select(due.c.id).order_by(due.c.id).limit(limit)
    return [int(i) for i in (await session.execute(stmt)).scalars()]


async def deferred_due(session: AsyncSession, now: dt.datetime, limit: int) -> list[int]:
    stmt = (
        select(Activation.id)
        .where(
            Activation.state == State.INPOOL.value,
            Activation.form == RentalForm.DEFERRED.value,
            Activation.expires_at > now,
            REQUEST_LEASE.free(now),
        )
        .order_by(Activation.id)
        .limit(limit)
    )
    return [int(i) for i in (await session.execute(stmt)).scalars()]


async def claim_request(
    session: AsyncSession, activation_id: int, now: dt.datetime, until: dt.datetime
) -> bool:
    """Mark a pool activation as having a number request in flight (one requester at a time)."""
    return await REQUEST_LEASE.take_one(
        session,
        activation_id,
        now,
        until,
        Activation.state == State.INPOOL.value,
        number_requested_at=now,
    )


async def listing(
    session: AsyncSession,
    account_id: int,
    *,
    tzid: int | None,
    forms: list[str] | None,
    finished_since: dt.datetime,
    descending: bool,
) -> list[tuple[Activation, Service]]:
    """Activations for getState/getOperations: open ones and those closed recently."""
    mine = Activation.account_id == account_id
    stmt = (
        select(Activation, Service)
        .join(Service, Service.id == Activation.service_id)
        .where(Activation.state != State.FAILED.value)
    )
    if tzid is not None:
        stmt = stmt.where(mine, Activation.id == tzid)
    else:
        # Each half of "open, or finished recently" is its own range of
        # ix_activations_account_finished, and the rows are then fetched by id. Written as
        # one OR, or with the account repeated outside, SQLite reads the account's whole
        # history instead.
        recent = union_all(
            select(Activation.id).where(mine, Activation.finished_at.is_(None)),
            select(Activation.id).where(mine, Activation.finished_at >= finished_since),
        )
        stmt = stmt.where(Activation.id.in_(recent.scalar_subquery()))
    if forms:
        stmt = stmt.where(Activation.form.in_(forms))
    stmt = stmt.order_by(Activation.id.desc() if descending else Activation.id)
    return list(await session.execute(stmt))


async def sold_numbers(
    session: AsyncSession, account_id: int
) -> list[tuple[int, str, int, int, dt.datetime]]:
    """(service_id, phone, supplier_id, country, last use) of every number this account bought."""
    stmt = (
        select(
            Activation.service_id,
            Activation.phone,
            Activation.supplier_id,
            Activation.country_code,
            func.max(Activation.created_at),
        )
        .where(
            Activation.account_id == account_id,
            Activation.state == State.OVER_OK.value,
            Activation.phone.is_not(None),
            Activation.supplier_id.is_not(None),
        )
        .group_by(
            Activation.service_id, Activation.phone, Activation.supplier_id, Activation.country_code
        )
    )
    rows = await session.execute(stmt)
    return [(int(s), str(p), int(sup or 0), int(c), t) for s, p, sup, c, t in rows]


def _after(account_id: int, before_id: int, *, by_time: bool) -> list[Any]:
    """The keyset condition of the page after rental `before_id`."""
    if not by_time:
        return [Activation.id < before_id]
    # The anchor's own time; another account's id has none, and the page is empty.
    anchor = (
        select(Activation.created_at)
        .where(Activation.id == before_id, Activation.account_id == account_id)
        .scalar_subquery()
    )
    return [
        Activation.created_at <= anchor,  # the index range; the next line breaks ties
        or_(Activation.created_at < anchor, Activation.id < before_id),
    ]


async def history_page(
    session: AsyncSession,
    account_id: int,
    *,
    before_id: int | None,
    limit: int,
    service_id: int | None = None,
    states: list[str] | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
) -> list[tuple[Activation, Service]]:
    """One page of the account's rentals, newest first, after the rental `before_id` (keyset
    paging, so page 10,000 costs what page 1 does).

    Without dates, pages follow id (ix_activations_account_id_desc; with a service or state,
    the indexes on those serve a filter that matches little). With dates, pages follow
    (created_at, id): the account's index on created_at (or on service and created_at) holds
    the window as one range, even far back. Ordered by id there, PostgreSQL walks from the
    newest rental and skips the ones outside the window: nearly the whole history.
    """
    stmt = (
        select(Activation, Service)
        .join(Service, Service.id == Activation.service_id)
        .where(Activation.account_id == account_id, Activation.state != State.FAILED.value)
    )
    by_time = since is not None or until is not None
    if before_id is not None:
        stmt = stmt.where(*_after(account_id, before_id, by_time=by_time))
    if service_id is not None:
        stmt = stmt.where(Activation.service_id == service_id)
    if states:
        stmt = stmt.where(Activation.state.in_(states))
    if since is not None:
        stmt = stmt.where(Activation.created_at >= since)
    if until is not None:
        stmt = stmt.where(Activation.created_at < until)
    if by_time:
        stmt = stmt.order_by(Activation.created_at.desc(), Activation.id.desc())
    else:
        stmt = stmt.order_by(Activation.account_id.desc(), Activation.id.desc())
    stmt = stmt.limit(limit)
    return [(a, s) for a, s in await session.execute(stmt)]
