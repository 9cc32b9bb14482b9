"""Operator actions on who may get in: developer keys and the hub's RSA key pair. The console
and the CLI both come here, so each action is recorded the same way whoever does it; an
action that changes nothing (an unknown key) raises and leaves no audit row."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass

from simgate.accounts import devkeys, rsa_keys
from simgate.audit import service as audit
from simgate.audit.service import Actor
from simgate.core.deps import Deps
from simgate.core.errors import NotFound
from simgate.models.auth import DevKey


class DevKeyNotFound(NotFound):
    code = "DEV_KEY_NOT_FOUND"


class _AlreadyDone(Exception):
    """Rolls back an action whose form was recorded before."""


@dataclass(frozen=True)
class RsaKeys:
    keys: list[rsa_keys.KeyInfo]  # the published one first, then those in their grace period
    grace_seconds: int


async def dev_keys(deps: Deps) -> Sequence[DevKey]:
    """Every dev key (prefixes only), oldest first."""
    async with deps.db.read() as session:
        return await devkeys.listing(session)


async def issue_dev_key(deps: Deps, actor: Actor, note: str) -> str | None:
    """A new dev key, in clear this once; None when this form was sent before (the key it
    made then was shown then, and no second one is made)."""
    now = deps.clock.now()
    try:
        async with deps.db.transaction() as session:
            key = await devkeys.issue(session, now, note)
            # Recorded after the key is made, so its prefix names it in the audit list (the
            # key itself is never written there); a repeated form undoes the new key.
            subject = f"dev key {key[:8]}"
            if not await audit.record(session, actor, "devkey.issue", subject, now, note=note):
                raise _AlreadyDone
    except _AlreadyDone:
        return None
    return key


async def revoke_dev_key(deps: Deps, actor: Actor, key_id: int) -> bool:
    """Revoke a dev key by id (DevKeyNotFound when there is no such unrevoked key); False
    when this form was sent before."""
    now = deps.clock.now()
    async with deps.db.transaction() as session:
        if not await audit.record(session, actor, "devkey.revoke", f"dev key {key_id}", now):
            return False
        if not await devkeys.revoke(session, key_id, now):
            raise DevKeyNotFound(f"no unrevoked dev key with id {key_id}")
    return True


async def rsa_key_list(deps: Deps) -> RsaKeys:
    """The published key pair and those still decrypting in their grace period."""
    grace = deps.settings.rsa_grace_seconds
    async with deps.db.read() as session:
        keys = await rsa_keys.live_keys(session, deps.clock.now(), grace)
    return RsaKeys(keys, grace)


async def rotate_rsa_key(deps: Deps, actor: Actor) -> int | None:
    """Publish a new key pair (the old one decrypts through its grace period, older ones are
    deleted); the new pair's id, or None when this form was sent before."""
    # Making a key takes a while: done off the event loop, before the transaction opens.
    pair = await asyncio.to_thread(rsa_keys.generate, deps.settings.rsa_key_bits)
    now = deps.clock.now()
    details = {"fingerprint": rsa_keys.fingerprint(pair.public_pem)}
    async with deps.db.transaction() as session:
        if not await audit.record(session, actor, "rsa.rotate", "rsa key", now, **details):
            return None
        return await rsa_keys.rotate(session, pair, now, deps.settings.rsa_grace_seconds)
