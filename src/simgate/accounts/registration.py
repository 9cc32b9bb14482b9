"""Self-registration: validate, hash the password, create the account, send the confirmation.

The work is split over short transactions so that nothing slow runs inside one: the attempt
is counted and committed first (so replicas share the limit), the password is hashed with no
transaction open, the account is created in one transaction together with its confirmation
email, and the email is sent after that commit.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from simgate.accounts import (
    confirmation,
    credentials,
    devkeys,
    mailer,
    passwords,
    rsa_keys,
    throttle,
)
from simgate.accounts import repository as account_repo
from simgate.accounts import service as accounts
from simgate.core.db import lock_key
from simgate.core.deps import Deps
from simgate.core.errors import DomainError
from simgate.core.settings import Settings

MIN_PASSWORD_CHARS = 10
MAX_NAME_CHARS = 255
MAX_USERNAME_CHARS = 64  # accounts.name
MAX_EMAIL_CHARS = 255
USERNAME_SHAPE = re.compile(r"[\w.\-]+")
EMAIL_SHAPE = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")
REQUIRED = ("name", "username", "email", "password", "password_confirmation", "dev_key")


class FieldProblem(StrEnum):
    """Why a field was refused; dialects turn these into their own messages."""

    REQUIRED = "required"
    TOO_SHORT = "too_short"
    TOO_LONG = "too_long"
    NOT_CONFIRMED = "not_confirmed"
    BAD_EMAIL = "bad_email"
    BAD_USERNAME = "bad_username"
    TAKEN = "taken"
    NOT_ACCEPTED = "not_accepted"
    UNKNOWN_DEV_KEY = "unknown_dev_key"
    UNKNOWN = "unknown"  # e.g. no account has this email address
    UNDECRYPTABLE = "undecryptable"


FieldErrors = dict[str, list[FieldProblem]]


class InvalidFields(DomainError):
    """Some fields are missing or wrong; `fields` says which and why."""

    code = "INVALID_FIELDS"

    def __init__(self, fields: FieldErrors) -> None:
        super().__init__(", ".join(sorted(fields)))
        self.fields = fields


@dataclass(frozen=True)
class RegistrationForm:
    """What the client sent; password fields are still RSA-encrypted and base64-wrapped."""

    name: str | None
    username: str | None
    email: str | None
    password: str | None
    password_confirmation: str | None
    dev_key: str | None
    terms: bool | None  # None: absent


@dataclass(frozen=True)
class Registered:
    account_id: int
    confirmation_required: bool


@dataclass(frozen=True)
class _Clean:
    name: str
    username: str
    email: str
    password: str


@dataclass(frozen=True)
class PasswordRegistration:
    """What the web cabinet's sign-up form sent: the password as typed, over HTTPS."""

    name: str | None
    username: str | None
    email: str | None
    password: str | None


async def register(deps: Deps, form: RegistrationForm, client_address: str) -> Registered:
    """Register a new account; raises ConfirmationUnavailable, TooManyAttempts or InvalidFields."""
    return await _register(
        deps, form.username, form.email, client_address, lambda: _validate(deps, form)
    )


async def register_with_password(
    deps: Deps, form: PasswordRegistration, client_address: str
) -> Registered:
    """The web cabinet's sign-up: the same rules and confirmation as `register`."""
    return await _register(
        deps, form.username, form.email, client_address, lambda: _validate_plain(deps, form)
    )


async def _register(
    deps: Deps,
    username: str | None,
    email: str | None,
    client_address: str,
    validate: Callable[[], Awaitable[_Clean]],
) -> Registered:
    settings = deps.settings
    if settings.email_confirmation:
        # Refused before anything is counted or created: an account whose confirmation link
        # cannot be mailed could never log in, and would hold its username and address.
        confirmation.require_public_url(settings)
    named = (("ip", client_address or "unknown"), ("user", username), ("email", email))
    keys = [throttle.key_for("register", kind, value) for kind, value in named if value]
    async with deps.db.transaction() as session:
        allowed = await throttle.take_all(
            session,
            keys,
            deps.clock.now(),
            settings.register_attempts_per_window,
            settings.register_window_seconds,
        )
    if not allowed:
        raise throttle.TooManyAttempts("too many registrations")
    clean = await validate()
    password_hash = await passwords.for_settings(settings).hash_async(clean.password)
    token = confirmation.new_token()
    confirm = settings.email_confirmation
    async with deps.db.transaction() as session:
        account_id = await _create(session, settings, clean, password_hash, token, deps)
        email_id = None
        if confirm:
            to = (account_id, clean.name, clean.username, clean.email)
            email_id = await confirmation.enqueue(session, settings, to, token, deps.clock.now())
    if email_id is not None:
        await mailer.deliver(deps, email_id)
    return Registered(account_id, confirm)


async def _validate(deps: Deps, form: RegistrationForm) -> _Clean:
    errors: FieldErrors = {}
    for field in REQUIRED:
        if not getattr(form, field):
            errors.setdefault(field, []).append(FieldProblem.REQUIRED)
    if form.terms is None:
        errors.setdefault("terms", []).append(FieldProblem.REQUIRED)
    elif not form.terms:
        errors.setdefault("terms", []).append(FieldProblem.NOT_ACCEPTED)
    _check_shapes(form, errors)
    password = await _check_passwords(deps, form, errors)
    async with deps.db.read() as session:
        await _check_stored(session, form, errors)
    if errors:
        raise InvalidFields(errors)
    assert form.name and form.username and form.email and password is not None
    return _Clean(form.name, form.username, form.email.lower(), password)


async def _validate_plain(deps: Deps, form: PasswordRegistration) -> _Clean:
    errors: FieldErrors = {}
    for field in ("name", "username", "email", "password"):
        if not getattr(form, field):
            errors.setdefault(field, []).append(FieldProblem.REQUIRED)
    _check_shapes(form, errors)
    if form.password and len(form.password) < MIN_PASSWORD_CHARS:
        errors.setdefault("password", []).append(FieldProblem.TOO_SHORT)
    async with deps.db.read() as session:
        await _check_stored(session, form, errors)
    if errors:
        raise InvalidFields(errors)
    assert form.name and form.username and form.email and form.password
    return _Clean(form.name, form.username, form.email.lower(), form.password)


def _check_shapes(form: RegistrationForm | PasswordRegistration, errors: FieldErrors) -> None:
    if form.name and len(form.name) > MAX_NAME_CHARS:
        errors.setdefault("name", []).append(FieldProblem.TOO_LONG)
    if form.username:
        if len(form.username) > MAX_USERNAME_CHARS:
            errors.setdefault("username", []).append(FieldProblem.TOO_LONG)
        elif not USERNAME_SHAPE.fullmatch(form.username):
            errors.setdefault("username", []).append(FieldProblem.BAD_USERNAME)
    if form.email and (len(form.email) > MAX_EMAIL_CHARS or not EMAIL_SHAPE.fullmatch(form.email)):
        errors.setdefault("email", []).append(FieldProblem.BAD_EMAIL)


async def _check_passwords(deps: Deps, form: RegistrationForm, errors: FieldErrors) -> str | None:
    password = await rsa_keys.decrypt(deps, form.password) if form.password else None
    if form.password and password is None:
        errors.setdefault("password", []).append(FieldProblem.UNDECRYPTABLE)
    confirmation = None
    if form.password_confirmation:
        confirmation = await rsa_keys.decrypt(deps, form.password_confirmation)
        if confirmation is None:
            errors.setdefault("password_confirmation", []).append(FieldProblem.UNDECRYPTABLE)
    if password is None:
        return None
    if len(password) < MIN_PASSWORD_CHARS:
        errors.setdefault("password", []).append(FieldProblem.TOO_SHORT)
    if confirmation is not None and confirmation != password:
        errors.setdefault("password", []).append(FieldProblem.NOT_CONFIRMED)
    return password


async def _check_stored(
    session: AsyncSession, form: RegistrationForm | PasswordRegistration, errors: FieldErrors
) -> None:
    dev_key = getattr(form, "dev_key", None)
    if dev_key and not await devkeys.is_valid(session, dev_key):
        errors.setdefault("dev_key", []).append(FieldProblem.UNKNOWN_DEV_KEY)
    username_ok = "username" not in errors and form.username
    if username_ok and await credentials.name_taken(session, form.username or ""):
        errors["username"] = [FieldProblem.TAKEN]
    email_ok = "email" not in errors and form.email
    if email_ok and await credentials.email_taken(session, form.email or ""):
        errors["email"] = [FieldProblem.TAKEN]


async def _create(
    session: AsyncSession,
    settings: Settings,
    clean: _Clean,
    password_hash: str,
    token: str,
    deps: Deps,
) -> int:
    # Checked again under a lock: another request may have taken the name since _validate.
    await lock_key(session, f"account-name:{clean.username}")
    await lock_key(session, f"account-email:{clean.email}")
    taken: FieldErrors = {}
    if await credentials.name_taken(session, clean.username):
        taken["username"] = [FieldProblem.TAKEN]
    if await credentials.email_taken(session, clean.email):
        taken["email"] = [FieldProblem.TAKEN]
    if taken:
        raise InvalidFields(taken)
    now = deps.clock.now()
    created = await accounts.create(session, settings, clean.username, now, email=clean.email)
    # Nobody ever sees the key create() issues; login hands out the keys people use.
    await account_repo.revoke_keys(session, created.account.id, now)
    await credentials.add(
        session,
        created.account.id,
        clean.name,
        password_hash,
        token,
        now,
        activated=not settings.email_confirmation,
    )
    return created.account.id
