"""Password login for the web cabinet: the same argon2id passwords and the same throttle as
the API's login, but the password arrives over the page's own (HTTPS) connection rather than
RSA-wrapped, and the result is a server-side browser session instead of an API key.

A session is a random token in a signed cookie; only its SHA-256 is stored. Logging in
always opens a fresh session (the one the browser had before is revoked: rotated on login),
and logging out revokes the row, so a copied cookie stops working everywhere at once.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from simgate.accounts import credentials, passwords, throttle
from simgate.accounts import repository as account_repo
from simgate.accounts import sessions_repository as sessions
from simgate.accounts.errors import AccountBlocked
from simgate.accounts.login import LoginFailed, NotActivated
from simgate.accounts.registration import MIN_PASSWORD_CHARS
from simgate.core.deps import Deps
from simgate.core.errors import DomainError


class UnknownAccount(DomainError):
    code = "UNKNOWN_ACCOUNT"


class PasswordTooShort(DomainError):
    code = "PASSWORD_TOO_SHORT"


@dataclass(frozen=True)
class OpenedSession:
    token: str  # goes into the cookie, never stored
    csrf_token: str


@dataclass(frozen=True)
class SessionView:
    account_id: int
    account_name: str
    csrf_token: str
    is_operator: bool = False  # shows the console's link; the console itself checks again


async def password_login(
    deps: Deps, username: str, password: str, client_address: str, previous: str | None
) -> OpenedSession:
    """Check the password and open a session; raises TooManyAttempts, LoginFailed,
    NotActivated or AccountBlocked. `previous`: the token the browser had."""
    settings, now = deps.settings, deps.clock.now()
    address_key = throttle.key_for("login", "ip", client_address or "unknown")
    user_key = throttle.key_for("login", "user", username)
    window = (settings.login_attempts_per_window, settings.login_window_seconds)
    async with deps.db.transaction() as session:
        allowed = await throttle.take(session, address_key, now, *window)
    if not allowed:
        raise throttle.TooManyAttempts("too many logins from this address")
    async with deps.db.transaction() as session:
        allowed = await throttle.take(session, user_key, now, *window)
        found = await credentials.by_username(session, username) if allowed else None
    if not allowed:
        raise throttle.TooManyAttempts("too many logins for this username")
    hasher = passwords.for_settings(settings)
    stored = found[1].password_hash if found else None
    if not await hasher.verify_async(stored, password) or found is None:
        raise LoginFailed("wrong username or password")
    account, credential = found
    if account.blocked:  # API access is a separate switch: it does not bar the cabinet
        raise AccountBlocked(f"account {account.name} is blocked")
    if settings.email_confirmation and credential.activated_at is None:
        raise NotActivated(f"account {account.name} has not confirmed its email")
    return await _open(deps, account.id, user_key, previous)


async def _open(deps: Deps, account_id: int, user_key: str, previous: str | None) -> OpenedSession:
    now = deps.clock.now()
    opened = OpenedSession(secrets.token_urlsafe(32), secrets.token_urlsafe(32))
    expires_at = now + dt.timedelta(seconds=deps.settings.web_session_seconds)
    async with deps.db.transaction() as session:
        await throttle.give_back(session, [user_key])
        if previous:
            await sessions.revoke(session, credentials.token_hash(previous), now)
        await sessions.add(
            session,
            account_id,
            credentials.token_hash(opened.token),
            opened.csrf_token,
            now,
            expires_at,
        )
    return opened


async def session_of(deps: Deps, token: str) -> SessionView | None:
    """Whose live session this token is; None when unknown, revoked, expired or blocked."""
    async with deps.db.read() as session:
        found = await sessions.live(session, credentials.token_hash(token), deps.clock.now())
    if found is None or found[1].blocked:
        return None
    web_session, account = found
    return SessionView(account.id, account.name, web_session.csrf_token, account.is_operator)


async def logout(deps: Deps, token: str) -> None:
    """Revoke the session of this token (idempotent)."""
    async with deps.db.transaction() as session:
        await sessions.revoke(session, credentials.token_hash(token), deps.clock.now())


async def set_password(deps: Deps, name: str, password: str) -> None:
    """Give an account (one the CLI made, too) this password; its web sessions end."""
    if len(password) < MIN_PASSWORD_CHARS:
        raise PasswordTooShort(f"a password has at least {MIN_PASSWORD_CHARS} characters")
    password_hash = await passwords.for_settings(deps.settings).hash_async(password)
    now = deps.clock.now()
    async with deps.db.transaction() as session:
        account = await account_repo.by_name(session, name)
        if account is None:
            raise UnknownAccount(f"no account {name!r}")
        if await credentials.by_username(session, name) is None:
            await credentials.add(
                session,
                account.id,
                name,
                password_hash,
                secrets.token_urlsafe(32),
                now,
                activated=True,
            )
        else:
            await credentials.set_password_hash(session, account.id, password_hash)
        await sessions.revoke_all(session, account.id, now)
