"""Key rotation with a grace period, and confirmation emails that survive an SMTP outage."""

from __future__ import annotations

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from sqlalchemy import select

from simgate.accounts import mailer, rsa_keys
from simgate.audit.service import Actor
from simgate.models.auth import AuthEmail, RsaKey
from simgate.operators import security_actions
from tests.auth.conftest import PASSWORD, AuthHub, free_port


async def rotate(auth_hub: AuthHub) -> None:
    """What `simgate rsa rotate` (and the console's "Rotate") does."""
    assert await security_actions.rotate_rsa_key(auth_hub.ctx.deps, Actor.cli()) is not None


async def test_old_public_key_works_for_the_grace_period(auth_hub: AuthHub) -> None:
    old_pem = await auth_hub.pem()
    old_secret = await auth_hub.encrypt(PASSWORD)
    await rotate(auth_hub)
    assert await auth_hub.pem() != old_pem

    reply = await auth_hub.register("kate", password=old_secret, password_confirmation=old_secret)
    assert reply["response"] == "1"

    auth_hub.clock.advance(auth_hub.ctx.settings.rsa_grace_seconds + 1)
    reply = await auth_hub.register("liam", password=old_secret, password_confirmation=old_secret)
    assert set(reply["response"]) == {"password", "password_confirmation"}
    await rotate(auth_hub)  # purges the pair retired beyond the grace period
    async with auth_hub.ctx.db.read() as session:
        assert len((await session.execute(select(RsaKey))).all()) == 2


async def test_email_waits_in_the_outbox_while_smtp_is_down(auth_hub: AuthHub) -> None:
    working = auth_hub.ctx.settings
    auth_hub.ctx.settings = working.model_copy(update={"smtp_port": free_port()})
    assert await auth_hub.register("mia") == {"response": "1", "active": "true"}
    async with auth_hub.ctx.db.read() as session:
        pending = (await session.execute(select(AuthEmail))).scalar_one()
    assert pending.sent_at is None and pending.attempts == 1 and pending.last_error

    auth_hub.ctx.settings = working
    assert await mailer.run_once(auth_hub.ctx.deps) == 0  # not due yet: backoff
    auth_hub.clock.advance(working.smtp_retry_seconds + 1)
    assert await mailer.run_once(auth_hub.ctx.deps) == 1
    assert await mailer.run_once(auth_hub.ctx.deps) == 0  # sent exactly once
    link = await auth_hub.confirm_link()
    assert (await auth_hub.client.get(link)).status_code == 200
    assert (await auth_hub.login("mia"))["response"] == "1"


async def test_without_smtp_host_the_email_is_kept(auth_hub: AuthHub) -> None:
    auth_hub.ctx.settings = auth_hub.ctx.settings.model_copy(update={"smtp_host": ""})
    assert (await auth_hub.register("noah"))["response"] == "1"
    assert await mailer.run_once(auth_hub.ctx.deps) == 0
    async with auth_hub.ctx.db.read() as session:
        pending = (await session.execute(select(AuthEmail))).scalar_one()
    assert pending.sent_at is None and pending.attempts == 0


class _ImplicitRejection:
    """A 2048-bit key as PKCS#1 v1.5 implicit rejection makes it look under a ciphertext that
    is not its own: no error, and a synthetic message that this time happens to be printable."""

    key_size = 2048

    def decrypt(self, ciphertext: bytes, scheme: object) -> bytes:
        if not isinstance(scheme, padding.PKCS1v15):
            raise ValueError("decryption failed")
        return b"k%"


def test_a_short_printable_answer_from_the_new_key_does_not_hide_the_password() -> None:
    old = rsa_keys.generate(2048)
    private = serialization.load_pem_private_key(old.private_pem.encode(), None)
    assert isinstance(private, rsa.RSAPrivateKey)
    ciphertext = private.public_key().encrypt(PASSWORD.encode(), padding.PKCS1v15())
    newest_first = [_ImplicitRejection(), private]
    assert rsa_keys._decrypt_with(newest_first, ciphertext) == PASSWORD  # type: ignore[arg-type]
