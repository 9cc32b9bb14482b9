"""The delivery-api signature: md5 over the parameter values sorted by name, then the secret.

This is PHP's `md5(implode(ksort($params)) . $key)` from the spec. md5 is what the protocol
prescribes; it authenticates requests here, it does not protect stored secrets.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping

SIGNATURE_PARAM = "signature"


def compute(params: Mapping[str, str], secret: str) -> str:
    """The signature of `params` (the `signature` parameter itself is left out)."""
    values = "".join(params[name] for name in sorted(params) if name != SIGNATURE_PARAM)
    return hashlib.md5((values + secret).encode("utf-8"), usedforsecurity=False).hexdigest()


def matches(params: Mapping[str, str], secret: str, given: str) -> bool:
    """Constant-time comparison, so a forger learns nothing from response timing."""
    expected = compute(params, secret).encode("ascii")
    return hmac.compare_digest(expected, given.strip().lower().encode("utf-8"))
