"""Password hashing with argon2id, counted so the login budget is observable and testable."""

from __future__ import annotations

import asyncio
import secrets
import threading
from functools import lru_cache

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError

from simgate.core.settings import Settings


class Passwords:
    """argon2id hashing; `verifications` counts every verify run (real or against the dummy)."""

    def __init__(self, time_cost: int, memory_kib: int, parallelism: int) -> None:
        self._hasher = PasswordHasher(
            time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism, type=Type.ID
        )
        self._lock = threading.Lock()
        self._dummy: str | None = None
        self.verifications = 0

    def hash(self, password: str) -> str:
        """An argon2id hash of `password` (salted; parameters in the hash string)."""
        return self._hasher.hash(password)

    def verify(self, password_hash: str | None, password: str) -> bool:
        """True when `password` matches; an unknown user is checked against a dummy hash so
        that the answer takes as long as for a real one."""
        with self._lock:
            self.verifications += 1
        target = password_hash if password_hash is not None else self._dummy_hash()
        try:
            matched = self._hasher.verify(target, password)
        except (VerificationError, InvalidHashError):
            return False
        return matched and password_hash is not None

    def needs_rehash(self, password_hash: str) -> bool:
        """True when the hash was made with other parameters than the configured ones."""
        return self._hasher.check_needs_rehash(password_hash)

    async def hash_async(self, password: str) -> str:
        """hash() off the event loop: argon2 takes tens of milliseconds by design."""
        return await asyncio.to_thread(self.hash, password)

    async def verify_async(self, password_hash: str | None, password: str) -> bool:
        """verify() off the event loop."""
        return await asyncio.to_thread(self.verify, password_hash, password)

    def _dummy_hash(self) -> str:
        with self._lock:
            if self._dummy is None:
                self._dummy = self._hasher.hash(secrets.token_urlsafe(16))
            return self._dummy


@lru_cache(maxsize=8)
def _for_parameters(time_cost: int, memory_kib: int, parallelism: int) -> Passwords:
    return Passwords(time_cost, memory_kib, parallelism)


def for_settings(settings: Settings) -> Passwords:
    """The process's hasher for the configured argon2 parameters."""
    return _for_parameters(
        settings.argon2_time_cost, settings.argon2_memory_kib, settings.argon2_parallelism
    )
