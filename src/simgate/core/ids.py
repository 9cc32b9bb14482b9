"""Random identifiers and secrets."""

from __future__ import annotations

import hashlib
import secrets


def new_api_key() -> str:
    """40 hex chars, like the keys onlinesim hands out."""
    return secrets.token_hex(20)


def hash_api_key(key: str) -> str:
    """API keys are long random strings, so a plain SHA-256 is a sound lookup hash."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()
