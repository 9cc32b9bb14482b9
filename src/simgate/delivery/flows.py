"""Signed delivery-api calls, each in the scopes the signature rules need; the dialect only
reads parameters and renders replies.

A signature is single-use across every method, reads included: a replay of the same method
and parameters gets the first reply back, any other use of the signature is refused. A read
runs first, outside the write transaction, and its signature is then spent together with its
reply in one INSERT; a write spends its signature first, so a change is never made twice,
even by replicas, and a refused write's error is committed as its reply.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from simgate.core.deps import Deps
from simgate.core.errors import DomainError
from simgate.delivery import auth, service
from simgate.delivery.auth import SignedRequest

log = logging.getLogger(__name__)

# The call's result, or the DomainError it raised, as the reply to store and send.
Render = Callable[[Any], bytes]


@dataclass(frozen=True)
class Balance:
    """The available balance, in minor units."""


@dataclass(frozen=True)
class MessageStates:
    ids: str  # comma-separated public ids


@dataclass(frozen=True)
class Templates:
    pass


@dataclass(frozen=True)
class Senders:
    pass


@dataclass(frozen=True)
class Send:
    phones: str
    text: str
    sender: str


@dataclass(frozen=True)
class AddTemplate:
    name: str
    text: str


@dataclass(frozen=True)
class RequestSender:
    name: str


Read = Balance | MessageStates | Templates | Senders
Write = Send | AddTemplate | RequestSender


async def signed_read(
    deps: Deps, method: str, params: Mapping[str, str], call: Read, render: Render
) -> bytes | None:
    """The reply of a signed read; None when its signature was spent on other parameters."""
    now = deps.clock.now()
    async with deps.db.read() as session:
        signed = await auth.verify(session, deps.settings, params, now)
        raw = await _rendered(render, _read(session, signed, call))
    async with deps.db.transaction() as session:
        replay = await auth.execute_once(
            session, deps.settings, signed, method, params, now, reply=raw.decode()
        )
    return raw if replay is None else _replayed(signed, replay)


async def signed_write(
    deps: Deps, method: str, params: Mapping[str, str], call: Write, render: Render
) -> bytes | None:
    """The reply of a signed change; None when its signature was spent on other parameters."""
    async with deps.db.transaction() as session:
        now = deps.clock.now()
        signed = await auth.verify(session, deps.settings, params, now)
        replay = await auth.execute_once(session, deps.settings, signed, method, params, now)
        if replay is not None:
            return _replayed(signed, replay)
        # Whatever a refused call wrote is undone; its error is still the stored reply.
        try:
            async with session.begin_nested():
                result: Any = await _write(session, deps, signed, call)
        except DomainError as exc:
            result = exc
        raw = render(result)
        await auth.remember_reply(session, signed, raw.decode())
        return raw


async def _rendered(render: Render, result: Awaitable[Any]) -> bytes:
    try:
        return render(await result)
    except DomainError as exc:
        return render(exc)


async def _read(session: AsyncSession, signed: SignedRequest, call: Read) -> Any:
    account_id = signed.account.id
    match call:
        case Balance():
            return await service.available_balance(session, account_id)
        case MessageStates(ids):
            return await service.status(session, account_id, ids)
        case Templates():
            return await service.templates(session, account_id)
        case Senders():
            return await service.senders(session, account_id)


async def _write(session: AsyncSession, deps: Deps, signed: SignedRequest, call: Write) -> Any:
    account_id, now = signed.account.id, deps.clock.now()
    match call:
        case Send(phones, text, sender):
            return await service.send(
                session, deps.settings, account_id, phones=phones, text=text, sender=sender, now=now
            )
        case AddTemplate(name, text):
            return await service.add_template(session, account_id, name, text, now)
        case RequestSender(name):
            return await service.request_sender(session, account_id, name, now)


def _replayed(signed: SignedRequest, replay: auth.Replay) -> bytes | None:
    if replay.reply is None:
        log.info("delivery-api signature of %s reused for other parameters", signed.account.name)
        return None
    log.info("replayed delivery-api request of %s answered from store", signed.account.name)
    return replay.reply.encode()
