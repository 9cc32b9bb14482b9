"""Developer keys: operators hand them out; register and login accept only unrevoked ones.

Only a SHA-256 of each key is stored (as for API keys): the keys are long random strings, and
the database alone must not let anyone register.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from simgate.core import validate
from simgate.core.ids import hash_api_key
from simgate.models.auth import DevKey

PREFIX = "dev_"
NOTE_MAX_LENGTH = 255  # dev_keys.note


async def issue(session: AsyncSession, now: dt.datetime, note: str = "") -> str:
    """A new dev key, returned in clear this once."""
    validate.text(note, "note", max_length=NOTE_MAX_LENGTH, required=False)
    key = PREFIX + secrets.token_urlsafe(24)
    session.add(DevKey(key_hash=hash_api_key(key), prefix=key[:8], note=note, created_at=now))
    await session.flush()
    return key


async def is_valid(session: AsyncSession, key: str) -> bool:
    """True when `key` was issued and has not been revoked."""
    stmt = select(DevKey.id).where(
        DevKey.key_hash == hash_api_key(key), DevKey.revoked_at.is_(None)
    )
    return (await session.execute(stmt)).first() is not None


async def listing(session: AsyncSession) -> Sequence[DevKey]:
    """Every dev key, oldest first (prefixes only: the keys themselves are not stored)."""
    return (await session.execute(select(DevKey).order_by(DevKey.id))).scalars().all()


async def revoke(session: AsyncSession, key_id: int, now: dt.datetime) -> bool:
    """Revoke the dev key with this id; False when there is no such unrevoked key."""
    validate.row_id(key_id, "dev key id")
    result = await session.execute(
        update(DevKey)
        .where(DevKey.id == key_id, DevKey.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    return bool(getattr(result, "rowcount", 0))
