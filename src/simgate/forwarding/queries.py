"""Whole reads for the buyer dialects: each opens its own scope, so a dialect asks a question
and never holds a session."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from simgate.activations import service as activations
from simgate.activations.service import ActivationView
from simgate.core.clock import Clock
from simgate.core.db import Database
from simgate.forwarding import service
from simgate.models.forwarding import Forwarding, ForwardPayment

Item = TypeVar("Item")
# One rental as the dialect shows it, given its forwarding's (status word, number) if it has
# one: the item and the ids of the messages it shows.
RenderRental = Callable[[ActivationView, tuple[str, str] | None], tuple[Item, list[int]]]


async def one(db: Database, account_id: int, forwarding_id: int) -> Forwarding:
    """The account's forwarding (ForwardNotFound for another account's or an unknown id)."""
    async with db.read() as session:
        return await service.owned(session, account_id, forwarding_id)


async def page(
    db: Database, account_id: int, number: int, order: list[tuple[str, bool]]
) -> tuple[int, list[Forwarding]]:
    """forwardingList: the total and one page of the account's forwardings."""
    async with db.read() as session:
        return await service.page_of(session, account_id, number, order)


async def payments(
    db: Database, account_id: int, forwarding_id: int
) -> tuple[Forwarding, list[ForwardPayment]]:
    """getForwardPaymentsList: the forwarding and its payments, oldest first."""
    async with db.read() as session:
        return await service.payments_of(session, account_id, forwarding_id)


async def rental_states(
    db: Database,
    clock: Clock,
    account_id: int,
    render: RenderRental[Item],
    *,
    tzid: int | None,
    forms: list[str] | None,
    descending: bool,
    recent_seconds: int,
    clean: bool,
) -> list[tuple[Item, ActivationView]]:
    """getState / getOperations: the account's rentals with their forwarding fields, each as
    `render` shows it. With `clean`, the messages shown are hidden from later reads, in the
    same transaction as the read, so a message is shown by exactly one clean read."""
    scope = db.transaction() if clean else db.read()
    async with scope as session:
        views = await activations.views(
            session,
            account_id,
            clock.now(),
            tzid=tzid,
            forms=forms,
            descending=descending,
            recent_seconds=recent_seconds,
        )
        forwarded = await service.state_fields(session, [view.activation.id for view in views])
        rendered, shown = [], []
        for view in views:
            item, ids = render(view, forwarded.get(view.activation.id))
            rendered.append((item, view))
            shown.extend(ids)
        if clean:
            await activations.mark_shown(session, account_id, shown)
    return rendered
