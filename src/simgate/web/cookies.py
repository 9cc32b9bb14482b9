"""The session cookie: a random token signed with the server secret.

The signature lets a forged or truncated cookie be refused before any database read; what
makes a session valid is still its row (revoked at logout for every replica).
"""

from __future__ import annotations

import hashlib
import hmac

from starlette.requests import Request
from starlette.responses import Response

from simgate.accounts.key_secret import server_secret
from simgate.core.settings import Settings

SESSION_COOKIE = "simgate_session"
# Before login there is no session to hang a CSRF token on: the login and sign-up forms carry
# the value of this cookie instead (double submit), so another site cannot post them.
FORM_COOKIE = "simgate_form"
LANG_COOKIE = "simgate_lang"


def _mac(settings: Settings, value: str) -> str:
    key = hashlib.sha256(b"simgate web session\0" + server_secret(settings)).digest()
    return hmac.new(key, value.encode("ascii"), hashlib.sha256).hexdigest()


def sign(settings: Settings, token: str) -> str:
    return f"{token}.{_mac(settings, token)}"


def unsign(settings: Settings, cookie: str | None) -> str | None:
    """The token of a cookie this server signed; None for anything else."""
    if not cookie or "." not in cookie:
        return None
    token, mac = cookie.rsplit(".", 1)
    try:
        token.encode("ascii")
    except UnicodeEncodeError:
        return None
    return token if hmac.compare_digest(mac, _mac(settings, token)) else None


def is_secure(request: Request, settings: Settings) -> bool:
    """Secure cookies when the browser reached us over HTTPS (directly or via the public URL)."""
    return request.url.scheme == "https" or settings.public_url.startswith("https://")


def set_cookie(
    response: Response,
    request: Request,
    settings: Settings,
    name: str,
    value: str,
    max_age: int | None = None,
) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        httponly=True,
        samesite="lax",
        secure=is_secure(request, settings),
        path="/",
    )
