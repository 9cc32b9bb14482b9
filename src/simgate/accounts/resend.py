"""A new confirmation email for an account that has not confirmed yet (its link expired or
the email was lost).

It takes the registered address and a dev key, and mails only to that address, so it gives
nobody a link they could not already get; its attempts are counted like registrations (per
client address and per email address), which bounds how often one mailbox can be written
to. The new token replaces the old one at once, and an email of the old token still waiting
in the outbox is dropped.
"""

from __future__ import annotations

from dataclasses import dataclass

from simgate.accounts import confirmation, devkeys, mailer, throttle
from simgate.accounts import credentials as credential_repo
from simgate.accounts.registration import FieldErrors, FieldProblem, InvalidFields
from simgate.core.deps import Deps
from simgate.models import Account
from simgate.models.auth import Credential


@dataclass(frozen=True)
class Resent:
    mailed: bool  # False: the account needs no confirmation (it is active already)


async def resend(deps: Deps, email: str | None, dev_key: str | None, address: str) -> Resent:
    """Mail a fresh confirmation link to `email`; raises ConfirmationUnavailable,
    TooManyAttempts or InvalidFields."""
    settings = deps.settings
    missing: FieldErrors = {
        f: [FieldProblem.REQUIRED] for f, v in (("email", email), ("dev_key", dev_key)) if not v
    }
    if missing:
        raise InvalidFields(missing)
    assert email and dev_key
    if settings.email_confirmation:
        confirmation.require_public_url(settings)
    account, credential = await _find(deps, email.strip().lower(), dev_key, address)
    if not settings.email_confirmation or credential.activated_at is not None:
        return Resent(mailed=False)
    token = confirmation.new_token()
    now = deps.clock.now()
    async with deps.db.transaction() as session:
        # A compare-and-set: the account may have been confirmed since it was looked up.
        if not await credential_repo.replace_token(session, account.id, token, now):
            return Resent(mailed=False)
        await mailer.drop_unsent(session, account.id)
        to = (account.id, credential.full_name, account.name, account.email or email)
        email_id = await confirmation.enqueue(session, settings, to, token, now)
    await mailer.deliver(deps, email_id)
    return Resent(mailed=True)


async def _find(deps: Deps, email: str, dev_key: str, address: str) -> tuple[Account, Credential]:
    """Take the attempt's slots (committed even when refused), then check the dev key and
    look the address up."""
    settings = deps.settings
    keys = [
        throttle.key_for("resend", "ip", address or "unknown"),
        throttle.key_for("resend", "email", email),
    ]
    async with deps.db.transaction() as session:
        allowed = await throttle.take_all(
            session,
            keys,
            deps.clock.now(),
            settings.register_attempts_per_window,
            settings.register_window_seconds,
        )
        dev_ok = allowed and await devkeys.is_valid(session, dev_key)
        found = await credential_repo.by_email(session, email) if dev_ok else None
    if not allowed:
        raise throttle.TooManyAttempts("too many confirmation emails asked for")
    if not dev_ok:
        raise InvalidFields({"dev_key": [FieldProblem.UNKNOWN_DEV_KEY]})
    if found is None:
        raise InvalidFields({"email": [FieldProblem.UNKNOWN]})
    return found
