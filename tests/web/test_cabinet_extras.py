"""A buyer removes a delivery template (never another buyer's), and a page that polls or posts
by htmx after its session ended takes the browser to the login page instead of swapping the
login form into a fragment."""

from __future__ import annotations

from playwright.async_api import expect

from simgate.accounts import web_login
from simgate.web import cookies
from tests.web.conftest import log_in
from tests.web.test_console import make_operator


async def test_a_buyer_removes_a_template_and_not_another_buyers(web_hub, make_web_buyer, new_page):
    for name in ("alice", "bob"):
        await make_web_buyer(name)
        await web_hub.give_password(name)
    alice = await new_page()
    await log_in(alice, web_hub.url, "alice")
    await alice.goto(f"{web_hub.url}/delivery")
    for name in ("welcome", "reminder"):
        await alice.get_by_label("Template name").fill(name)
        await alice.get_by_label("Text").fill(f"{name} text")
        await alice.get_by_role("button", name="Add template").click()
    rows = alice.locator("tr.template-row")
    await expect(rows).to_have_count(2)
    form = rows.filter(has_text="welcome").locator("form")
    welcome_action = await form.get_attribute("action")
    reminder_action = await rows.filter(has_text="reminder").locator("form").get_attribute("action")
    assert welcome_action and reminder_action

    bob = await new_page()
    await log_in(bob, web_hub.url, "bob")
    bob_csrf = await bob.locator("input[name=csrf]").first.get_attribute("value")
    forged = await bob.request.post(
        f"{web_hub.url}{reminder_action}", form={"csrf": bob_csrf or ""}, max_redirects=0
    )
    assert forged.status == 404
    unknown = await bob.request.post(
        f"{web_hub.url}/delivery/templates/999999/remove",
        form={"csrf": bob_csrf or ""},
        max_redirects=0,
    )
    assert unknown.status == 404
    tokenless = await alice.request.post(f"{web_hub.url}{welcome_action}", max_redirects=0)
    assert tokenless.status == 403

    await rows.filter(has_text="welcome").get_by_role("button", name="Remove").click()
    await expect(alice.get_by_role("status")).to_have_text("Template removed.")
    await expect(rows).to_have_count(1)
    await expect(rows).to_contain_text("reminder")  # bob's forged POST removed nothing


async def test_the_console_poll_goes_to_login_when_the_session_expires(web_hub, new_page):
    await make_operator(web_hub)
    page = await new_page()
    await log_in(page, web_hub.url, "boss")
    await page.goto(f"{web_hub.url}/admin")
    await expect(page.locator("#open-rentals")).to_have_text("0")
    web_hub.clock.advance(web_hub.ctx.settings.web_session_seconds + 1)
    # The next 5 s poll finds no session: the whole page becomes the login page.
    await page.wait_for_url(f"{web_hub.url}/login", timeout=20_000)
    await expect(page.get_by_role("button", name="Log in")).to_be_visible()
    assert await page.locator("#figures").count() == 0


async def test_an_htmx_rent_after_logout_elsewhere_goes_to_login(
    web_hub, make_web_buyer, connect_web_agent, new_page
):
    await connect_web_agent("agent1")
    await make_web_buyer("bob")
    await web_hub.give_password("bob")
    page = await new_page()
    await log_in(page, web_hub.url, "bob")
    # The session is revoked on the server (as a logout from a copy of the cookie does).
    jar = await page.context.cookies()
    cookie = next(c for c in jar if c["name"] == cookies.SESSION_COOKIE)
    token = cookies.unsign(web_hub.ctx.settings, cookie["value"])
    assert token is not None
    await web_login.logout(web_hub.ctx.deps, token)
    await page.get_by_role("button", name="Rent").click()
    await page.wait_for_url(f"{web_hub.url}/login")
    assert await page.locator("#rent-result").count() == 0
