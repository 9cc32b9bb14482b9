"""Confirmation links: never built from request headers, expiring, renewable, and not kept in
the database once mailed."""

from __future__ import annotations

import logging
import re
from typing import Any

import pytest
from sqlalchemy import inspect, select, text

from simgate.accounts import mailer
from simgate.core.db import Database
from simgate.hub.context import HubContext
from simgate.hub.runtime import running_hub
from simgate.models.auth import AuthEmail
from tests.auth.conftest import PASSWORD, AuthHub

REFUSED = {"response": "ERROR_EMAIL_CONFIRMATION_UNAVAILABLE"}


def without_public_url(auth_hub: AuthHub) -> None:
    auth_hub.ctx.settings = auth_hub.ctx.settings.model_copy(update={"public_url": ""})


async def resend(auth_hub: AuthHub, username: str, **overrides: str) -> Any:
    fields: dict[str, Any] = {
        "email": f"{username}@example.org",
        "dev_key": auth_hub.dev_key,
        **overrides,
    }
    return await auth_hub.post("resendConfirmation", **fields)


async def test_without_public_url_a_forged_host_gets_no_link(
    auth_hub: AuthHub, caplog: pytest.LogCaptureFixture
) -> None:
    without_public_url(auth_hub)
    secret = await auth_hub.encrypt(PASSWORD)
    body = {
        "name": "Жертва",
        "username": "victim",
        "email": "victim@example.org",
        "password": secret,
        "password_confirmation": secret,
        "dev_key": auth_hub.dev_key,
        "terms": "true",
    }
    with caplog.at_level(logging.WARNING, logger="simgate.accounts.confirmation"):
        response = await auth_hub.client.post(
            f"{auth_hub.url}/api/register.php", data=body, headers={"Host": "evil.example"}
        )
    assert response.json() == REFUSED
    assert "SIMGATE_PUBLIC_URL" in caplog.text
    async with auth_hub.ctx.db.read() as session:
        assert (await session.execute(select(AuthEmail))).first() is None
    assert auth_hub.mailbox.messages == []
    # Nothing was created: the same registration succeeds once the operator sets the URL.
    auth_hub.ctx.settings = auth_hub.ctx.settings.model_copy(update={"public_url": auth_hub.url})
    assert await auth_hub.register("victim") == {"response": "1", "active": "true"}
    assert (await auth_hub.confirm_link()).startswith(auth_hub.url + "/confirm-email/")


async def test_a_forged_host_never_reaches_the_link(auth_hub: AuthHub) -> None:
    secret = await auth_hub.encrypt(PASSWORD)
    response = await auth_hub.client.post(
        f"{auth_hub.url}/api/register.php",
        data={
            "name": "Ева",
            "username": "eve",
            "email": "eve@example.org",
            "password": secret,
            "password_confirmation": secret,
            "dev_key": auth_hub.dev_key,
            "terms": "true",
        },
        headers={"Host": "evil.example", "X-Forwarded-Host": "evil.example"},
    )
    assert response.json() == {"response": "1", "active": "true"}
    link = await auth_hub.confirm_link()
    assert link.startswith(auth_hub.url + "/confirm-email/") and "evil" not in link


async def test_resend_is_refused_without_public_url(auth_hub: AuthHub) -> None:
    assert (await auth_hub.register("olga"))["response"] == "1"
    without_public_url(auth_hub)
    assert await resend(auth_hub, "olga") == REFUSED
    assert len(auth_hub.mailbox.messages) == 1


@pytest.mark.parametrize(("public_url", "warned"), [("", True), ("https://hub.example", False)])
async def test_startup_warns_when_links_cannot_be_built(
    db: Database, auth_hub: AuthHub, caplog: pytest.LogCaptureFixture, public_url: str, warned: bool
) -> None:
    settings = auth_hub.ctx.settings.model_copy(update={"public_url": public_url})
    ctx = HubContext(settings=settings, db=db, clock=auth_hub.clock)
    with caplog.at_level(logging.WARNING, logger="simgate.hub.runtime"):
        async with running_hub(ctx, host="127.0.0.1", port=0, with_worker=False):
            pass
    assert ("SIMGATE_PUBLIC_URL is not set" in caplog.text) is warned
    await ctx.close_http()


async def test_a_hub_that_owns_its_address_needs_no_warning(
    db: Database, auth_hub: AuthHub, caplog: pytest.LogCaptureFixture
) -> None:
    """What `simgate demo` does: links point at the address it bound."""
    settings = auth_hub.ctx.settings.model_copy(update={"public_url": ""})
    ctx = HubContext(settings=settings, db=db, clock=auth_hub.clock)
    with caplog.at_level(logging.WARNING, logger="simgate.hub.runtime"):
        async with running_hub(
            ctx, host="127.0.0.1", port=0, with_worker=False, own_public_url=True
        ) as url:
            assert ctx.settings.public_url == url
    assert "SIMGATE_PUBLIC_URL" not in caplog.text
    await ctx.close_http()


async def test_link_expires_and_a_resend_mails_a_new_one(auth_hub: AuthHub) -> None:
    ttl = auth_hub.ctx.settings.email_confirmation_ttl_seconds
    assert ttl == 24 * 3600  # the default
    assert (await auth_hub.register("pavel"))["response"] == "1"
    old = await auth_hub.confirm_link(0)
    auth_hub.clock.advance(ttl + 1)
    page = await auth_hub.client.get(old)
    assert page.status_code == 410 and "resendConfirmation" in page.text
    assert await auth_hub.login("pavel") == {"response": "ERROR_ACCOUNT_NOT_ACTIVATE"}

    unknown = await resend(auth_hub, "pavel", email="nobody@example.org")
    assert set(unknown) == {"response", "email"}
    assert set(await resend(auth_hub, "pavel", dev_key="wrong")) == {"response", "dev_key"}
    assert await resend(auth_hub, "pavel") == {"response": "1", "active": "true"}
    new = await auth_hub.confirm_link(1)
    assert new != old
    auth_hub.clock.advance(ttl - 1)  # still inside the new link's lifetime
    assert (await auth_hub.client.get(old)).status_code == 404  # replaced, not just expired
    assert (await auth_hub.client.get(new)).status_code == 200
    assert (await auth_hub.login("pavel"))["response"] == "1"
    assert await resend(auth_hub, "pavel") == {"response": "1", "active": "false"}
    assert len(auth_hub.mailbox.messages) == 2


async def test_resend_replaces_an_email_still_waiting(auth_hub: AuthHub) -> None:
    working = auth_hub.ctx.settings
    auth_hub.ctx.settings = working.model_copy(update={"smtp_host": ""})
    assert (await auth_hub.register("rita"))["response"] == "1"
    assert await resend(auth_hub, "rita") == {"response": "1", "active": "true"}
    async with auth_hub.ctx.db.read() as session:
        assert len((await session.execute(select(AuthEmail))).all()) == 1
    auth_hub.ctx.settings = working
    assert await mailer.run_once(auth_hub.ctx.deps) == 1
    assert (await auth_hub.client.get(await auth_hub.confirm_link())).status_code == 200


async def dump_database(db: Database) -> str:
    """Every value of every row of every table, as text."""
    async with db.write_engine.connect() as conn:
        names = await conn.run_sync(lambda sync: inspect(sync).get_table_names())
        rows = [
            repr(tuple(row))
            for name in names
            for row in (await conn.execute(text(f'SELECT * FROM "{name}"'))).all()
        ]
    return "\n".join(rows)


async def test_the_database_never_keeps_a_mailed_link(auth_hub: AuthHub) -> None:
    assert (await auth_hub.register("sara"))["response"] == "1"
    token = (await auth_hub.confirm_link()).rsplit("/", 1)[1]
    assert re.fullmatch(r"[\w-]{40,}", token)
    assert token not in await dump_database(auth_hub.ctx.db)
    async with auth_hub.ctx.db.read() as session:
        sent = (await session.execute(select(AuthEmail))).scalar_one()
    assert sent.sent_at is not None and sent.recipient == "sara@example.org"


async def test_resend_is_throttled_per_address(auth_hub: AuthHub) -> None:
    auth_hub.ctx.settings = auth_hub.ctx.settings.model_copy(
        update={"register_attempts_per_window": 2}
    )
    assert (await auth_hub.register("tom"))["response"] == "1"
    assert (await resend(auth_hub, "tom"))["response"] == "1"
    assert (await resend(auth_hub, "tom"))["response"] == "1"
    assert await resend(auth_hub, "tom") == {"response": "TIME_ERROR"}
    assert len(await auth_hub.mailbox.wait(3)) == 3  # the registration's and two resends
