"""Operator actions for the console and the CLI. Each runs the domain's own service (no
second copy of a rule) and records an audit event in the same transaction, first: an action
whose request key was recorded before changes nothing and answers False (a form sent twice
credits once); an action that fails leaves no event."""

from __future__ import annotations

from simgate.accounts import service as accounts
from simgate.audit import service as audit
from simgate.audit.service import Actor
from simgate.core import validate
from simgate.core.deps import Deps
from simgate.delivery import admin as delivery_admin
from simgate.ledger import service as ledger
from simgate.suppliers import service as suppliers

SENDER_ACTIONS = {"completed": "sender.approve", "rejected": "sender.reject"}


async def credit(deps: Deps, actor: Actor, name: str, amount: int, reason: str) -> bool:
    """Add money to an account (a deposit entry carrying the reason)."""
    validate.text(reason, "reason", max_length=ledger.REFERENCE_MAX_LENGTH)
    now = deps.clock.now()
    async with deps.db.transaction() as session:
        account = await accounts.get(session, name)
        details = {"amount": amount, "reason": reason}
        if not await audit.record(session, actor, "account.credit", name, now, **details):
            return False
        await ledger.deposit(session, account.id, amount, now, reference=reason)
    return True


async def debit(deps: Deps, actor: Actor, name: str, amount: int, reason: str) -> bool:
    """Take money from an account's available balance (InsufficientFunds, and no change,
    when it cannot cover the amount)."""
    now = deps.clock.now()
    async with deps.db.transaction() as session:
        account = await accounts.get(session, name)
        details = {"amount": amount, "reason": reason}
        if not await audit.record(session, actor, "account.debit", name, now, **details):
            return False
        await ledger.debit(session, account.id, amount, now, reason)
    return True


async def set_flags(
    deps: Deps,
    actor: Actor,
    name: str,
    *,
    blocked: bool | None = None,
    api_access: bool | None = None,
    operator: bool | None = None,
) -> bool:
    """Block or unblock an account, allow or refuse its API, make it an operator or not;
    None leaves a flag as it is."""
    asked = {"blocked": blocked, "api_access": api_access, "operator": operator}
    changed = {k: v for k, v in asked.items() if v is not None}
    async with deps.db.transaction() as session:
        account = await accounts.get(session, name)
        if not changed or not await audit.record(
            session, actor, "account.set", name, deps.clock.now(), **changed
        ):
            return False
        accounts.set_limits(account, blocked=blocked, api_access=api_access)
        if operator is not None:
            accounts.set_operator(account, operator)
        await session.flush()
    return True


async def add_supplier(
    deps: Deps,
    actor: Actor,
    name: str,
    url: str,
    key: str,
    *,
    priority: int = 0,
    timeout_seconds: float = 3.0,
    currency: int = suppliers.DEFAULT_CURRENCY,
) -> bool:
    """Register an agent (its key is not written to the audit list)."""
    now = deps.clock.now()
    details = {"url": url, "priority": priority, "timeout_seconds": timeout_seconds}
    if currency != suppliers.DEFAULT_CURRENCY:
        details["currency"] = currency
    async with deps.db.transaction() as session:
        if not await audit.record(session, actor, "supplier.add", name, now, **details):
            return False
        await suppliers.add(
            session,
            name,
            url,
            key,
            now,
            priority=priority,
            timeout_seconds=timeout_seconds,
            currency=currency,
        )
    return True


async def change_supplier(
    deps: Deps,
    actor: Actor,
    name: str,
    *,
    url: str | None = None,
    key: str | None = None,
    priority: int | None = None,
    enabled: bool | None = None,
) -> bool:
    """Re-point, re-key, re-rank, enable or disable an agent; None leaves a value as it is."""
    shown = {"url": url, "priority": priority, "enabled": enabled}
    details: dict[str, object] = {k: v for k, v in shown.items() if v is not None}
    if key is not None:
        details["key"] = "changed"  # the key itself stays out of the audit list
    action = "supplier.edit"
    if enabled is not None and details.keys() == {"enabled"}:
        action = "supplier.enable" if enabled else "supplier.disable"
    async with deps.db.transaction() as session:
        supplier = await suppliers.get(session, name)
        if not await audit.record(session, actor, action, name, deps.clock.now(), **details):
            return False
        await suppliers.change(
            session, supplier, url=url, key=key, priority=priority, enabled=enabled
        )
    return True


async def decide_sender(
    deps: Deps, actor: Actor, account_name: str, sender: str, state: str
) -> bool:
    """Approve ("completed"), reject, or put back to moderation one account's sender name."""
    now = deps.clock.now()
    action = SENDER_ACTIONS.get(state, "sender.request")
    async with deps.db.transaction() as session:
        owner = await accounts.get(session, account_name)
        subject = f"{account_name}: {sender}"
        if not await audit.record(session, actor, action, subject, now, state=state):
            return False
        await delivery_admin.decide_sender(session, owner.id, sender, state, now)
    return True
