"""Operator actions on prices, the stop-list and account limits, for the console and the CLI.
As in `actions`: each runs the domain's own service and records its audit event first, in
the same transaction; a request key recorded before means the form was already applied
(nothing changes, False); an action the domain refuses leaves no event."""

from __future__ import annotations

from simgate.accounts import service as accounts
from simgate.audit import service as audit
from simgate.audit.service import Actor
from simgate.catalog import service as catalog
from simgate.core.deps import Deps
from simgate.delivery import admin as delivery_admin
from simgate.delivery.service import normalize_phone


async def set_price(
    deps: Deps,
    actor: Actor,
    country_code: int,
    service: str,
    *,
    index: int,
    repeat: int | None = None,
    deferr: int | None = None,
    payout: int | None = None,
) -> bool:
    """Create or change the price of a service in a country (None: the derived default)."""
    asked = {"index": index, "repeat": repeat, "deferr": deferr, "payout": payout}
    details = {k: v for k, v in asked.items() if v is not None}
    async with deps.db.transaction() as session:
        subject = f"{country_code} {service}"
        if not await audit.record(
            session, actor, "price.set", subject, deps.clock.now(), **details
        ):
            return False
        await catalog.set_price(
            session, country_code, service, index=index, repeat=repeat, deferr=deferr, payout=payout
        )
    return True


class _NothingRemoved(Exception):
    pass


def _shown_phone(raw: str) -> str:
    # The subject is the number as the stop-list keeps it; one the domain will refuse is
    # never recorded, so its raw form is as good as any.
    return normalize_phone(raw) or raw.strip()


async def stop_list_add(deps: Deps, actor: Actor, phone: str, reason: str) -> bool:
    """Forbid sending SMS to a number (NoValidNumbers for something that is not one)."""
    now = deps.clock.now()
    async with deps.db.transaction() as session:
        subject = _shown_phone(phone)
        if not await audit.record(session, actor, "stoplist.add", subject, now, reason=reason):
            return False
        await delivery_admin.stop_list_add(session, phone, reason, now)
    return True


async def stop_list_remove(deps: Deps, actor: Actor, phone: str) -> bool:
    """Allow a number again; False also when it was not listed (nothing to record)."""
    now = deps.clock.now()
    try:
        async with deps.db.transaction() as session:
            if not await audit.record(session, actor, "stoplist.remove", _shown_phone(phone), now):
                return False
            if not await delivery_admin.stop_list_remove(session, phone):
                raise _NothingRemoved  # rolls the event back: it must not claim a removal
    except _NothingRemoved:
        return False
    return True


async def set_limits(
    deps: Deps,
    actor: Actor,
    name: str,
    *,
    max_open: int | None = None,
    per_minute: int | None = None,
    parallel: int | None = None,
    blocked: bool | None = None,
    api_access: bool | None = None,
) -> bool:
    """Change an account's limits (open rentals, getNum per minute and in flight) and flags;
    None leaves a value as it is; nothing asked records nothing."""
    asked = {
        "max_open": max_open,
        "per_minute": per_minute,
        "parallel": parallel,
        "blocked": blocked,
        "api_access": api_access,
    }
    changed = {k: v for k, v in asked.items() if v is not None}
    async with deps.db.transaction() as session:
        account = await accounts.get(session, name)
        if not changed or not await audit.record(
            session, actor, "account.limits", name, deps.clock.now(), **changed
        ):
            return False
        accounts.set_limits(
            account,
            max_concurrent=max_open,
            max_getnum_per_minute=per_minute,
            max_parallel_getnum=parallel,
            blocked=blocked,
            api_access=api_access,
        )
        await session.flush()
    return True
