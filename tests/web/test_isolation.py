"""What one buyer's browser may not do: see or act on another buyer's rental, post a form
without its session's CSRF token, or use a session after logging out."""

from __future__ import annotations

import asyncio

from typer.testing import CliRunner

from simgate.cli.main import app
from tests.web.conftest import PASSWORD, WebHub, log_in


async def set_password_by_cli(hub: WebHub, name: str) -> None:
    """`simgate account password NAME`, the password typed on stdin."""
    result = await asyncio.to_thread(
        CliRunner().invoke,
        app,
        ["account", "password", name, "--database-url", hub.ctx.settings.database_url or ""],
        input=PASSWORD + "\n",
    )
    assert result.exit_code == 0, result.output


async def test_another_buyer_gets_404_for_a_rental_by_url_or_forged_form(
    web_hub, make_web_buyer, connect_web_agent, new_page
):
    await connect_web_agent()
    owner_key = await make_web_buyer("owner")
    await make_web_buyer("intruder")
    await set_password_by_cli(web_hub, "intruder")
    rented = await web_hub.api("getNum", owner_key, service="vk", number=1)
    tzid = rented["tzid"]

    page = await new_page()
    await log_in(page, web_hub.url, "intruder")
    assert await page.locator("article.rental").count() == 0
    shown = await page.goto(f"{web_hub.url}/rentals/{tzid}")
    assert shown is not None and shown.status == 404
    assert rented["number"].lstrip("+") not in await page.content()

    csrf = await page.locator("input[name=csrf]").first.get_attribute("value")
    assert csrf
    for action in ("finish", "cancel", "revise"):
        forged = await page.request.post(
            f"{web_hub.url}/rentals/{tzid}/{action}", form={"csrf": csrf}, max_redirects=0
        )
        assert forged.status == 404, action
    state = await web_hub.api("getState", owner_key, tzid=tzid)
    assert state[0]["response"] == "TZ_NUM_WAIT"


async def test_a_form_without_the_sessions_csrf_token_is_refused(web_hub, make_web_buyer, new_page):
    await make_web_buyer("buyer")
    await set_password_by_cli(web_hub, "buyer")
    page = await new_page()
    await log_in(page, web_hub.url, "buyer")
    await page.goto(f"{web_hub.url}/keys")
    keys_before = await page.locator("tr.key-row").count()

    for form in ({}, {"csrf": "not-the-token"}):
        refused = await page.request.post(f"{web_hub.url}/keys", form=form, max_redirects=0)
        assert refused.status == 403
    no_token = await page.request.post(f"{web_hub.url}/login", form={"username": "buyer"})
    assert no_token.status == 403

    await page.reload()
    assert await page.locator("tr.key-row").count() == keys_before


async def test_a_logged_out_session_cannot_be_reused(web_hub, make_web_buyer, new_page):
    await make_web_buyer("buyer")
    await set_password_by_cli(web_hub, "buyer")
    page = await new_page()
    await log_in(page, web_hub.url, "buyer")
    first_cookie = {c["name"]: c for c in await page.context.cookies()}["simgate_session"]
    # Logging in again rotates the session: the old cookie is worth nothing.
    await log_in(page, web_hub.url, "buyer")
    cookie = {c["name"]: c for c in await page.context.cookies()}["simgate_session"]
    assert cookie["value"] != first_cookie["value"]
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"
    csrf = await page.locator("input[name=csrf]").first.get_attribute("value")
    assert csrf
    await page.get_by_role("button", name="Log out").click()
    await page.wait_for_url(f"{web_hub.url}/login")

    for old in (first_cookie, cookie):
        copy = await new_page()
        await copy.context.add_cookies([old])
        await copy.goto(f"{web_hub.url}/keys")
        assert copy.url == f"{web_hub.url}/login"
        replayed = await copy.request.post(
            f"{web_hub.url}/keys", form={"csrf": csrf}, max_redirects=0
        )
        assert replayed.status == 303
        assert replayed.headers["location"] == "/login"
