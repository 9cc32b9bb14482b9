"""API keys derived from a server secret held outside the database.

A key is HMAC-SHA256(secret, "<account id>:<key id>") cut to 40 hex characters, the shape of
onlinesim's keys. The database keeps only the key's SHA-256 (the lookup of every buyer
request), so a dump of it reveals no key. The delivery-api signs requests with md5 over the
API key itself, which needs the key in clear: the hub recomputes it from the secret.

The secret is SIMGATE_KEY_SECRET, or else the file `key_secret` in the data directory,
created on first use with mode 0600. Every process that issues keys or checks delivery-api
signatures must see the same secret: replicas on several hosts set SIMGATE_KEY_SECRET.
Losing the secret only costs the delivery-api its signatures: keys still open the buyer API.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

from simgate.core.settings import Settings

SECRET_FILE = "key_secret"  # noqa: S105 - a file name, not a secret
KEY_LENGTH = 40
_loaded: dict[Path, bytes] = {}


def derive_key(secret: bytes, account_id: int, key_id: int) -> str:
    """The API key of row `key_id` of `account_id`."""
    message = f"{account_id}:{key_id}".encode("ascii")
    return hmac.new(secret, message, hashlib.sha256).hexdigest()[:KEY_LENGTH]


def server_secret(settings: Settings) -> bytes:
    """The secret keys are derived from: the setting, or the data directory's file."""
    given = settings.key_secret.get_secret_value() if settings.key_secret else ""
    if given:
        return given.encode("utf-8")
    path = (settings.data_dir / SECRET_FILE).resolve()
    found = _loaded.get(path)
    if found is None:
        found = _loaded[path] = _read_or_create(path)
    return found


def _read_or_create(path: Path) -> bytes:
    """Create-if-absent is a hard link of a finished temporary file, so two processes starting
    together agree on one secret and neither reads a half-written file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        temporary = path.with_name(f".{SECRET_FILE}.{secrets.token_hex(8)}")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32) + "\n")
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass  # another process won; its secret is the one
        finally:
            temporary.unlink()
    text = path.read_text(encoding="utf-8").strip()
    if not text:
        raise RuntimeError(f"{path} is empty: remove it or set SIMGATE_KEY_SECRET")
    return text.encode("utf-8")
