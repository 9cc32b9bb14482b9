"""Who signed a delivery-api request: login, key, signature, timestamp window, reuse.

The spec signs with the account's API key: md5 needs it in clear, and the database keeps only
hashes of keys, so the hub recomputes each live key from the server secret
(simgate.accounts.key_secret). A revoked key signs nothing. A key issued before keys were
derived cannot be recomputed: it keeps opening the buyer API, and the delivery-api then needs
a newly issued key — or the optional separate delivery secret.

That secret is per account and scoped to the delivery-api. It is kept in plain text in its
own table because encrypting it with a key that lives next to the database would protect
nothing that a database reader could not also read; it is shown only by the operator CLI and
rotatable. Neither it nor a key ever appears in logs or error messages.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from simgate.accounts import repository as accounts
from simgate.accounts import service as account_keys
from simgate.core.integers import UINT64, NotAnInteger, read_int
from simgate.core.settings import Settings
from simgate.delivery import repository as repo
from simgate.delivery import signature
from simgate.delivery.errors import (
    BadSignature,
    DeliveryDisabled,
    MissingParameter,
    UnknownLogin,
)
from simgate.models import Account

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC).replace(tzinfo=None)  # naive UTC, like the clock


@dataclass(frozen=True)
class SignedRequest:
    account: Account
    signature: str


@dataclass(frozen=True)
class Replay:
    """The reply stored for the first execution of a replayed request (None: none stored)."""

    reply: str | None


def epoch_seconds(moment: dt.datetime) -> int:
    return int((moment - EPOCH).total_seconds())


async def issue_secret(
    session: AsyncSession, account_id: int, now: dt.datetime, *, rotate: bool = False
) -> str:
    """The account's delivery-api secret, created on first use (or replaced when rotating)."""
    return await repo.put_secret(session, account_id, secrets.token_hex(20), now, replace=rotate)


def _required(params: Mapping[str, str], name: str) -> str:
    value = params.get(name, "").strip()
    if not value:
        raise MissingParameter(name)
    return value


async def verify(
    session: AsyncSession, settings: Settings, params: Mapping[str, str], now: dt.datetime
) -> SignedRequest:
    """The account that signed `params`; raises for every way a request can fail to be signed."""
    if not settings.delivery_enabled:
        raise DeliveryDisabled("the delivery-api is switched off")
    login = _required(params, "login")
    given = _required(params, "signature")
    try:
        stamp = read_int(params.get("timestamp", ""), UINT64)
    except NotAnInteger:
        raise MissingParameter("timestamp") from None
    account = await accounts.by_name(session, login)
    if account is None:
        raise UnknownLogin("unknown login")
    if account.blocked or not account.api_access:
        raise DeliveryDisabled("the account may not use the API")
    if not await _signed_by(session, settings, account.id, params, given):
        raise BadSignature("signature does not match")
    if abs(stamp - epoch_seconds(now)) > settings.delivery_signature_window_seconds:
        raise BadSignature("timestamp outside the window")
    return SignedRequest(account, given.strip().lower())


async def _signed_by(
    session: AsyncSession,
    settings: Settings,
    account_id: int,
    params: Mapping[str, str],
    given: str,
) -> bool:
    """Whether one of the account's live API keys, or its delivery secret, made `given`."""
    keys = await account_keys.signing_keys(session, settings, account_id)
    secret = await repo.secret_of(session, account_id)
    if secret is not None:
        keys.append(secret)
    # Every key is compared, a match or not, so timing tells nothing about which one matched.
    return [signature.matches(params, key, given) for key in keys].count(True) > 0


def params_digest(params: Mapping[str, str]) -> str:
    """SHA-256 of the parameters with their names and boundaries, unlike the md5 scheme."""
    pairs = sorted((k, v) for k, v in params.items() if k != signature.SIGNATURE_PARAM)
    canonical = json.dumps(pairs, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


async def execute_once(
    session: AsyncSession,
    settings: Settings,
    request: SignedRequest,
    method: str,
    params: Mapping[str, str],
    now: dt.datetime,
    *,
    reply: str | None = None,
) -> Replay | None:
    """None the first time a signature is seen; on a reuse, the stored reply when it is the
    same method with the same parameters, else Replay(None) (answered as a bad signature).
    `reply`: the reply, when it is known before the signature is spent (reads).

    Every method goes through here, reads too: md5 over concatenated values lets a signature
    captured from `status` sign `add_template` once the value boundaries are shifted. A
    timestamp is accepted up to one window either side of now, so a signature stays usable
    for at most two windows after its first use; it is remembered that long.
    """
    keep = dt.timedelta(seconds=2 * settings.delivery_signature_window_seconds + 1)
    digest = params_digest(params)
    account_id = request.account.id
    claimed = await repo.claim_request(
        session, request.signature, account_id, method, digest, now + keep, reply
    )
    if claimed:
        return None
    seen = await repo.used_request(session, request.signature)
    if seen is None or (seen.account_id, seen.method, seen.params_digest) != (
        account_id,
        method,
        digest,
    ):
        return Replay(None)
    return Replay(seen.reply)


async def remember_reply(session: AsyncSession, request: SignedRequest, reply: str) -> None:
    await repo.store_reply(session, request.signature, reply)
