"""Login with username and RSA-encrypted password: hands out an API key.

Brute force is bounded before any argon2 work: each attempt first takes a slot of its client
address and of its username (committed, so every replica sees it), and an attempt without a
slot is refused with no verification at all. So one address costs at most
`login_attempts_per_window` verifications per window, whatever it sends. A successful login
returns its username slot (the user is not the attacker), never its address slot.

The API key: only SHA-256 hashes of keys are stored, so login cannot show a key issued
earlier. It issues a fresh key each time and keeps the newest `login_keys_kept` of the keys
login issued valid (older ones are revoked): several programs of one user can each log in,
keys do not pile up, and keys an operator created are left alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from simgate.accounts import credentials, devkeys, passwords, rsa_keys, throttle
from simgate.accounts import service as accounts
from simgate.accounts.registration import FieldErrors, FieldProblem, InvalidFields
from simgate.core.errors import DomainError
from simgate.models import Account
from simgate.models.auth import Credential

if TYPE_CHECKING:
    from simgate.hub.context import HubContext


class LoginFailed(DomainError):
    """Unknown username or wrong password (deliberately not told apart)."""

    code = "LOGIN_FAILED"


class NotActivated(DomainError):
    """The password is right but the email address is not confirmed yet."""

    code = "ACCOUNT_NOT_ACTIVATED"


@dataclass(frozen=True)
class LoginForm:
    username: str | None
    password: str | None  # RSA-encrypted, base64-wrapped
    dev_key: str | None


@dataclass(frozen=True)
class LoggedIn:
    account_id: int
    api_key: str


async def login(ctx: HubContext, form: LoginForm, client_address: str) -> LoggedIn:
    """Check the password and issue an API key; raises TooManyAttempts, InvalidFields,
    LoginFailed, NotActivated or the account's access errors."""
    _require(form)
    assert form.username and form.password and form.dev_key
    user_key = throttle.key_for("login", "user", form.username)
    found, dev_ok = await _take_attempt(ctx, form, client_address, user_key)
    if not dev_ok:
        raise InvalidFields({"dev_key": [FieldProblem.UNKNOWN_DEV_KEY]})
    password = await rsa_keys.decrypt(ctx, form.password)
    if password is None:
        raise InvalidFields({"password": [FieldProblem.UNDECRYPTABLE]})
    hasher = passwords.for_settings(ctx.settings)
    stored = found[1].password_hash if found else None
    if not await hasher.verify_async(stored, password) or found is None:
        raise LoginFailed("wrong username or password")
    account, credential = found
    accounts.check_access(account)
    if ctx.settings.email_confirmation and credential.activated_at is None:
        raise NotActivated(f"account {account.name} has not confirmed its email")
    new_hash = (
        await hasher.hash_async(password) if hasher.needs_rehash(credential.password_hash) else None
    )
    return await _issue(ctx, account, user_key, new_hash)


def _require(form: LoginForm) -> None:
    errors: FieldErrors = {}
    for field in ("username", "password", "dev_key"):
        if not getattr(form, field):
            errors[field] = [FieldProblem.REQUIRED]
    if errors:
        raise InvalidFields(errors)


async def _take_attempt(
    ctx: HubContext, form: LoginForm, client_address: str, user_key: str
) -> tuple[tuple[Account, Credential] | None, bool]:
    """Take the attempt's slots, then look up the user and the dev key in the same breath."""
    assert form.username and form.dev_key
    settings = ctx.settings
    keys = [throttle.key_for("login", "ip", client_address), user_key]
    async with ctx.db.transaction() as session:
        allowed = await throttle.take_all(
            session,
            keys,
            ctx.clock.now(),
            settings.login_attempts_per_window,
            settings.login_window_seconds,
        )
        if allowed:
            dev_ok = await devkeys.is_valid(session, form.dev_key)
            found = await credentials.by_username(session, form.username)
    if not allowed:
        raise throttle.TooManyAttempts("too many logins")
    return found, dev_ok


async def _issue(
    ctx: HubContext, account: Account, user_key: str, new_hash: str | None
) -> LoggedIn:
    now = ctx.clock.now()
    async with ctx.db.transaction() as session:
        await throttle.give_back(session, [user_key])
        if new_hash is not None:
            await credentials.set_password_hash(session, account.id, new_hash)
        key = await accounts.issue_key(session, account.id, now)
        await credentials.remember_login_key(
            session, account.id, key, now, ctx.settings.login_keys_kept
        )
    return LoggedIn(account.id, key)
