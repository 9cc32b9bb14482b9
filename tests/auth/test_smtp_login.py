"""SMTP AUTH: the configured login is used, and a refused login leaves the email pending."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from simgate.accounts import mailer
from tests.auth.conftest import AuthHub, Mailbox, free_port


def only_relay_user(
    server: Any, session: Any, envelope: Any, mechanism: str, data: Any
) -> AuthResult:
    ok = isinstance(data, LoginPassword) and (data.login, data.password) == (b"relay", b"s3cret")
    return AuthResult(success=ok)


@pytest.fixture
def auth_smtp() -> Iterator[tuple[Mailbox, int]]:
    mailbox = Mailbox()
    port = free_port()
    controller = Controller(
        mailbox,
        hostname="127.0.0.1",
        port=port,
        authenticator=only_relay_user,
        auth_required=True,
        auth_require_tls=False,  # loopback test server without a certificate
    )
    controller.start()
    yield mailbox, port
    controller.stop()


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
@pytest.mark.filterwarnings("ignore:Session.login_data is deprecated")
async def test_smtp_login(auth_hub: AuthHub, auth_smtp: tuple[Mailbox, int]) -> None:
    mailbox, port = auth_smtp
    base = auth_hub.ctx.settings.model_copy(update={"smtp_port": port, "smtp_username": "relay"})
    # aiosmtpd leaves aiosmtplib's second mechanism unanswered after a refusal: keep it short.
    auth_hub.ctx.settings = base.model_copy(
        update={"smtp_password": "wrong", "smtp_timeout_seconds": 0.5}
    )
    assert (await auth_hub.register("pete"))["response"] == "1"
    assert mailbox.messages == []

    auth_hub.ctx.settings = base.model_copy(update={"smtp_password": "s3cret"})
    auth_hub.clock.advance(base.smtp_retry_seconds + 1)
    assert await mailer.run_once(auth_hub.ctx.deps) == 1
    assert "confirm-email" in str((await mailbox.wait(1))[0].get_payload(decode=True))
