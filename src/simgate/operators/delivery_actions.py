"""The outbound queue as an operator sees it, and taking a queued message out of it."""

from __future__ import annotations

from simgate.accounts import service as accounts
from simgate.audit import service as audit
from simgate.audit.service import Actor
from simgate.core.deps import Deps
from simgate.delivery import admin as delivery_admin


async def queue_page(
    deps: Deps,
    account_name: str | None,
    group: str | None,
    before_id: int | None,
    limit: int,
) -> delivery_admin.QueuePage:
    """A page of outbound messages, newest first, of one account (AccountNotFound) or all."""
    async with deps.db.read() as session:
        owner = await accounts.get(session, account_name) if account_name else None
        return await delivery_admin.queue_page(
            session,
            deps.clock.now(),
            account_id=owner.id if owner else None,
            group=group,
            before_id=before_id,
            limit=limit,
        )


async def cancel_message(deps: Deps, actor: Actor, message_id: int) -> bool:
    """Fail a queued message and give its held money back (NotCancellable, and nothing
    recorded, once it is sent, failed or in flight); False when this form was sent before."""
    now = deps.clock.now()
    async with deps.db.transaction() as session:
        subject = f"message {message_id}"
        if not await audit.record(session, actor, "delivery.cancel", subject, now):
            return False
        await delivery_admin.cancel(session, message_id, now)
    return True
