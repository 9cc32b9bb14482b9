"""The hub's RSA key pair: clients encrypt passwords with /api/public.pem, the hub decrypts.

Key pairs live in the database, because every `serve` replica must publish the same public
key and decrypt with the matching private key. The newest unretired pair is published; a
rotated-out pair keeps decrypting for `rsa_grace_seconds`, so a client that fetched the old
public key just before a rotation still gets in, and is then deleted.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import datetime as dt
from dataclasses import dataclass

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from sqlalchemy import delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from simgate.core.db import lock_key
from simgate.core.deps import Deps
from simgate.models.auth import RsaKey

PUBLIC_EXPONENT = 65537
MAX_PLAINTEXT_CHARS = 200

# OAEP first: a wrong OAEP guess fails loudly, while PKCS#1 v1.5 uses implicit rejection and
# hands back random bytes instead of an error (the plaintext check below catches those).
# SHA-256 with MGF1-SHA-1 is what Java's "OAEPWithSHA-256AndMGF1Padding" produces.
PADDINGS: tuple[padding.AsymmetricPadding, ...] = (
    padding.OAEP(mgf=padding.MGF1(hashes.SHA1()), algorithm=hashes.SHA1(), label=None),  # noqa: S303
    padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None),
    padding.OAEP(mgf=padding.MGF1(hashes.SHA1()), algorithm=hashes.SHA256(), label=None),  # noqa: S303
    padding.PKCS1v15(),
)

_parsed: dict[str, rsa.RSAPrivateKey] = {}


@dataclass(frozen=True)
class KeyPair:
    private_pem: str
    public_pem: str


def generate(bits: int) -> KeyPair:
    """A fresh key pair as PEM text (PKCS#8 private, SubjectPublicKeyInfo public)."""
    key = rsa.generate_private_key(public_exponent=PUBLIC_EXPONENT, key_size=bits)
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return KeyPair(private.decode("ascii"), public.decode("ascii"))


async def current(session: AsyncSession) -> RsaKey | None:
    """The published key pair, if one exists."""
    stmt = select(RsaKey).where(RsaKey.retired_at.is_(None)).order_by(RsaKey.id.desc()).limit(1)
    return (await session.execute(stmt)).scalar_one_or_none()


async def install(session: AsyncSession, pair: KeyPair, now: dt.datetime, *, replace: bool) -> int:
    """Publish `pair` (retiring the current one when `replace`); without `replace` an existing
    current pair wins, so replicas starting together end up with one key. Returns its id."""
    await lock_key(session, "rsa_keys")
    existing = await current(session)
    if existing is not None and not replace:
        return existing.id
    await session.execute(update(RsaKey).where(RsaKey.retired_at.is_(None)).values(retired_at=now))
    row = RsaKey(private_pem=pair.private_pem, public_pem=pair.public_pem, created_at=now)
    session.add(row)
    await session.flush()
    return row.id


async def purge(session: AsyncSession, now: dt.datetime, grace_seconds: int) -> int:
    """Delete key pairs retired longer than the grace period ago."""
    cutoff = now - dt.timedelta(seconds=grace_seconds)
    result = await session.execute(delete(RsaKey).where(RsaKey.retired_at < cutoff))
    return int(getattr(result, "rowcount", 0) or 0)


async def public_pem(deps: Deps) -> str:
    """The published public key, generating the first pair on first use."""
    async with deps.db.read() as session:
        row = await current(session)
    if row is not None:
        return row.public_pem
    pair = await asyncio.to_thread(generate, deps.settings.rsa_key_bits)
    async with deps.db.transaction() as session:
        await install(session, pair, deps.clock.now(), replace=False)
        row = await current(session)
        assert row is not None
        return row.public_pem


async def decrypt(deps: Deps, wrapped: str) -> str | None:
    """The text of a base64-wrapped RSA ciphertext, or None when it is not one of ours."""
    ciphertext = _unwrap(wrapped)
    if ciphertext is None:
        return None
    async with deps.db.read() as session:
        keys = await _live_keys(session, deps.clock.now(), deps.settings.rsa_grace_seconds)
    return await asyncio.to_thread(_decrypt_with, keys, ciphertext)


async def well_formed(
    session: AsyncSession, wrapped: str, now: dt.datetime, grace_seconds: int
) -> bool:
    """True when `wrapped` is base64 of exactly one live key's modulus length: a cheap check
    (no RSA work) that lets login refuse garbage before it spends any attempt budget."""
    ciphertext = _unwrap(wrapped)
    if ciphertext is None:
        return False
    keys = await _live_keys(session, now, grace_seconds)
    return any(len(ciphertext) == key.key_size // 8 for key in keys)


async def _live_keys(
    session: AsyncSession, now: dt.datetime, grace_seconds: int
) -> list[rsa.RSAPrivateKey]:
    """The published pair first (it is the newest), then pairs still within their grace."""
    return [_private_key(row) for row in await _live_rows(session, now, grace_seconds)]


async def _live_rows(session: AsyncSession, now: dt.datetime, grace_seconds: int) -> list[RsaKey]:
    """The published pair's row, then the rows of pairs retired less than the grace ago."""
    cutoff = now - dt.timedelta(seconds=grace_seconds)
    rows = await session.execute(
        select(RsaKey)
        .where(or_(RsaKey.retired_at.is_(None), RsaKey.retired_at >= cutoff))
        .order_by(RsaKey.id.desc())
    )
    return list(rows.scalars())


def _unwrap(wrapped: str) -> bytes | None:
    # A client that forgot to URL-encode its form body turns '+' into ' '; base64url is fine too.
    text = wrapped.replace(" ", "+").replace("-", "+").replace("_", "/")
    text = "".join(text.split())
    text += "=" * (-len(text) % 4)
    try:
        return base64.b64decode(text, validate=True) or None
    except (binascii.Error, ValueError):
        return None


def _private_key(row: RsaKey) -> rsa.RSAPrivateKey:
    # Parsing a PEM costs more than a decryption, so parsed keys are kept, by content (an id
    # can come back after its row was deleted).
    key = _parsed.get(row.private_pem)
    if key is None:
        loaded = serialization.load_pem_private_key(row.private_pem.encode("ascii"), None)
        assert isinstance(loaded, rsa.RSAPrivateKey)
        if len(_parsed) > 16:
            _parsed.clear()
        key = _parsed[row.private_pem] = loaded
    return key


def _decrypt_with(keys: list[rsa.RSAPrivateKey], ciphertext: bytes) -> str | None:
    fitting = [key for key in keys if len(ciphertext) == key.key_size // 8]
    for scheme in PADDINGS[:-1]:
        for key in fitting:
            text = _attempt(key, ciphertext, scheme)
            if text is not None:
                return text
    # PKCS#1 v1.5 under the wrong key (the pair just rotated in, during the old one's grace)
    # answers with random bytes, now and then a short printable run; the right key answers with
    # the whole password. So every live key is asked and the longest text wins.
    texts = [_attempt(key, ciphertext, PADDINGS[-1]) for key in fitting]
    return max((text for text in texts if text is not None), key=len, default=None)


def _attempt(
    key: rsa.RSAPrivateKey, ciphertext: bytes, scheme: padding.AsymmetricPadding
) -> str | None:
    try:
        return _as_text(key.decrypt(ciphertext, scheme))
    except ValueError:
        return None


def _as_text(plain: bytes) -> str | None:
    """Passwords are printable text; random bytes from a rejected padding almost never are."""
    try:
        text = plain.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if not text or len(text) > MAX_PLAINTEXT_CHARS or not text.isprintable():
        return None
    return text


@dataclass(frozen=True)
class KeyInfo:
    """What an operator sees of a key pair: never the private half."""

    id: int
    fingerprint: str
    created_at: dt.datetime
    retired_at: dt.datetime | None  # None: the published one
    decrypts_until: dt.datetime | None  # end of its grace period; None while published


def fingerprint(public_pem: str) -> str:
    """SHA-256 of the public key's DER form, as colon-separated hex pairs (what
    `openssl pkey -pubin -outform DER | sha256sum` prints, grouped)."""
    key = serialization.load_pem_public_key(public_pem.encode("ascii"))
    der = key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    digest = hashes.Hash(hashes.SHA256())
    digest.update(der)
    return ":".join(f"{b:02x}" for b in digest.finalize())


async def live_keys(session: AsyncSession, now: dt.datetime, grace_seconds: int) -> list[KeyInfo]:
    """The published pair first, then the pairs still decrypting in their grace period."""
    grace = dt.timedelta(seconds=grace_seconds)
    rows = await _live_rows(session, now, grace_seconds)
    return [
        KeyInfo(
            row.id,
            fingerprint(row.public_pem),
            row.created_at,
            row.retired_at,
            row.retired_at + grace if row.retired_at is not None else None,
        )
        for row in rows
    ]


async def rotate(session: AsyncSession, pair: KeyPair, now: dt.datetime, grace_seconds: int) -> int:
    """Publish `pair`, retiring the current one into its grace period, and delete the pairs
    whose grace is over. Returns the new pair's id."""
    key_id = await install(session, pair, now, replace=True)
    await purge(session, now, grace_seconds)
    return key_id
