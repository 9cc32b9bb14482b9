"""An account's outbound SMS as the web cabinet shows them: the signing secret, sender names,
templates and sent messages. Each call is a whole transaction (or read), so a page asks and
never holds a session; the rules are the delivery-api's own (`service`, `auth`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from simgate.core.deps import Deps
from simgate.delivery import auth, queue, service
from simgate.delivery import repository as repo
from simgate.delivery.errors import MessageNotFound, TemplateNotFound
from simgate.models.delivery import DeliverySender, DeliveryTemplate, OutboundMessage


@dataclass(frozen=True)
class Overview:
    secret_since: dt.datetime | None  # when the separate signing secret was made; None: none
    senders: Sequence[DeliverySender]
    templates: Sequence[DeliveryTemplate]


@dataclass(frozen=True)
class SentPage:
    messages: list[OutboundMessage]
    next_before: int | None  # the `before_id` of the next page; None: this was the last


async def overview(deps: Deps, account_id: int) -> Overview:
    """The account's signing-secret date, sender names and templates."""
    async with deps.db.read() as session:
        return Overview(
            await repo.secret_created_at(session, account_id),
            await repo.senders(session, account_id),
            await repo.templates(session, account_id),
        )


async def rotate_secret(deps: Deps, account_id: int) -> str:
    """A new signing secret (the old one stops signing); the caller shows it once."""
    async with deps.db.transaction() as session:
        return await auth.issue_secret(session, account_id, deps.clock.now(), rotate=True)


async def request_sender(deps: Deps, account_id: int, name: str) -> str:
    """Ask for a sender name, as the delivery-api's add_sender does; its state."""
    async with deps.db.transaction() as session:
        return await service.request_sender(session, account_id, name, deps.clock.now())


async def add_template(deps: Deps, account_id: int, name: str, text: str) -> int:
    """A new template, as the delivery-api's add_template makes it; TemplateExists if taken."""
    async with deps.db.transaction() as session:
        return await service.add_template(session, account_id, name, text, deps.clock.now())


async def remove_template(deps: Deps, account_id: int, template_id: int) -> None:
    """Delete one of the account's templates; TemplateNotFound for another's or an unknown id."""
    async with deps.db.transaction() as session:
        if not await repo.remove_template(session, account_id, template_id):
            raise TemplateNotFound(f"no template {template_id}")


async def sent(deps: Deps, account_id: int, before_id: int | None, limit: int) -> SentPage:
    """A page of the account's sent messages with their states, newest first."""
    async with deps.db.read() as session:
        rows = await queue.sent_page(session, account_id, before_id, limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    return SentPage(rows, rows[-1].id if more and rows else None)


async def message(deps: Deps, account_id: int, message_id: int) -> OutboundMessage:
    """One of the account's sent messages; MessageNotFound for another's or an unknown id."""
    async with deps.db.read() as session:
        found = await queue.owned_message(session, account_id, message_id)
    if found is None:
        raise MessageNotFound(f"no message {message_id}")
    return found
