"""Login with username and RSA-encrypted password: hands out an API key.

Brute force is bounded before any argon2 work: each attempt takes a slot of its client
address and of its username (committed, so every replica sees it), and an attempt without a
slot is refused with no verification at all. So one address costs at most
`login_attempts_per_window` verifications per window, whatever it sends. A successful login
returns its username slot (the user is not the attacker), never its address slot.

The username's slots are what its owner needs to log in, so only an attempt that could be a
real one spends them. In order: an unknown dev key or a ciphertext that is not base64 of the
RSA modulus length is refused for free (dev keys are long random strings, not worth guessing,
and such an attempt costs one indexed lookup); then the address's slot bounds the RSA work;
then a ciphertext that does not decrypt is refused; only then is the username's slot taken.

The API key: only SHA-256 hashes of keys are stored, so login cannot show a key issued
earlier. It issues a fresh key each time and keeps the newest `login_keys_kept` of the keys
login issued valid (older ones are revoked): several programs of one user can each log in,
keys do not pile up, and keys an operator created are left alone.
"""

from __future__ import annotations

from dataclasses import dataclass

from simgate.accounts import credentials, devkeys, passwords, rsa_keys, throttle
from simgate.accounts import service as accounts
from simgate.accounts.registration import FieldErrors, FieldProblem, InvalidFields
from simgate.core.deps import Deps
from simgate.core.errors import DomainError
from simgate.models import Account
from simgate.models.auth import Credential


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


async def login(deps: Deps, form: LoginForm, client_address: str) -> LoggedIn:
    """Check the password and issue an API key; raises TooManyAttempts, InvalidFields,
    LoginFailed, NotActivated or the account's access errors."""
    _require(form)
    assert form.username and form.password and form.dev_key
    await _take_address_attempt(deps, form, client_address)
    password = await rsa_keys.decrypt(deps, form.password)
    if password is None:
        raise InvalidFields({"password": [FieldProblem.UNDECRYPTABLE]})
    user_key = throttle.key_for("login", "user", form.username)
    found = await _take_user_attempt(deps, form.username, user_key)
    hasher = passwords.for_settings(deps.settings)
    stored = found[1].password_hash if found else None
    if not await hasher.verify_async(stored, password) or found is None:
        raise LoginFailed("wrong username or password")
    account, credential = found
    accounts.check_access(account)
    if deps.settings.email_confirmation and credential.activated_at is None:
        raise NotActivated(f"account {account.name} has not confirmed its email")
    new_hash = (
        await hasher.hash_async(password) if hasher.needs_rehash(credential.password_hash) else None
    )
    return await _issue(deps, account, user_key, new_hash)


def _require(form: LoginForm) -> None:
    errors: FieldErrors = {}
    for field in ("username", "password", "dev_key"):
        if not getattr(form, field):
            errors[field] = [FieldProblem.REQUIRED]
    if errors:
        raise InvalidFields(errors)


async def _take_address_attempt(deps: Deps, form: LoginForm, client_address: str) -> None:
    """Refuse a bad dev key or a misshapen ciphertext for free, else take the address's slot."""
    assert form.dev_key and form.password
    settings, now = deps.settings, deps.clock.now()
    async with deps.db.transaction() as session:
        dev_ok = await devkeys.is_valid(session, form.dev_key)
        shaped = dev_ok and await rsa_keys.well_formed(
            session, form.password, now, settings.rsa_grace_seconds
        )
        allowed = shaped and await throttle.take(
            session,
            throttle.key_for("login", "ip", client_address),
            now,
            settings.login_attempts_per_window,
            settings.login_window_seconds,
        )
    if not dev_ok:
        raise InvalidFields({"dev_key": [FieldProblem.UNKNOWN_DEV_KEY]})
    if not shaped:
        raise InvalidFields({"password": [FieldProblem.UNDECRYPTABLE]})
    if not allowed:
        raise throttle.TooManyAttempts("too many logins from this address")


async def _take_user_attempt(
    deps: Deps, username: str, user_key: str
) -> tuple[Account, Credential] | None:
    """Take the username's slot, then look the user up in the same breath."""
    settings = deps.settings
    async with deps.db.transaction() as session:
        allowed = await throttle.take(
            session,
            user_key,
            deps.clock.now(),
            settings.login_attempts_per_window,
            settings.login_window_seconds,
        )
        found = await credentials.by_username(session, username) if allowed else None
    if not allowed:
        raise throttle.TooManyAttempts("too many logins for this username")
    return found


async def _issue(deps: Deps, account: Account, user_key: str, new_hash: str | None) -> LoggedIn:
    now = deps.clock.now()
    async with deps.db.transaction() as session:
        await throttle.give_back(session, [user_key])
        if new_hash is not None:
            await credentials.set_password_hash(session, account.id, new_hash)
        key = await accounts.issue_key(session, deps.settings, account.id, now)
        await credentials.remember_login_key(
            session, account.id, key, now, deps.settings.login_keys_kept
        )
    return LoggedIn(account.id, key)
