"""A new buyer, from sign-up to a finished rental, in a real browser."""

from __future__ import annotations

import time
from decimal import Decimal

from playwright.async_api import expect

from simgate.accounts import service as accounts
from tests.hub.conftest import reference_agent
from tests.web.conftest import PASSWORD, WebHub, log_in, snap


async def account_id_of(hub: WebHub, name: str) -> int:
    async with hub.ctx.db.read() as session:
        return (await accounts.get(session, name)).id


async def test_sign_up_confirm_rent_read_codes_finish(web_hub, new_page, tmp_path):
    page = await new_page()
    await page.goto(f"{web_hub.url}/signup")
    await snap(page, "signup")
    await page.get_by_label("Name", exact=True).fill("Alice Doe")
    await page.get_by_label("Username", exact=True).fill("alice")
    await page.get_by_label("Email").fill("alice@example.org")
    await page.get_by_label("Password", exact=True).fill(PASSWORD)
    await page.get_by_role("button", name="Create account").click()
    await expect(page.get_by_role("status")).to_contain_text("Open the link")

    # Not confirmed yet: the right password is still refused.
    await page.goto(f"{web_hub.url}/login")
    await page.get_by_label("Username", exact=True).fill("alice")
    await page.get_by_label("Password", exact=True).fill(PASSWORD)
    await page.get_by_role("button", name="Log in").click()
    await expect(page.get_by_role("alert")).to_contain_text("Confirm your email")
    await snap(page, "login")

    await page.goto(await web_hub.confirm_link())
    await log_in(page, web_hub.url, "alice")
    await expect(page.locator("#balance")).to_have_text("0.00")
    await web_hub.fund(await account_id_of(web_hub, "alice"), 100_00)

    async with reference_agent(
        web_hub, tmp_path / "agent", simulate=3, sim_sms_delay_seconds=1.0
    ) as agent:
        await page.reload()
        await expect(page.locator("#balance")).to_have_text("100.00")
        # Anything on the page that a reload would wipe out: it must survive to the end.
        await page.evaluate("window.stillTheSamePage = true")
        await page.get_by_label("Service").select_option("VKcom")
        await page.get_by_label("Country").select_option("7")
        await page.get_by_role("button", name="Rent").click()
        await expect(page.locator("#rent-result")).to_contain_text("Number rented")

        rental = page.locator("article.rental")
        await expect(rental).to_have_count(1)
        first_code = rental.locator("mark.code")
        await expect(first_code).to_have_count(1, timeout=15_000)
        code = await first_code.inner_text()
        assert code.isdigit()
        # The price is held, and the balance on the page says so without a reload.
        price = await rental.locator(".price").inner_text()
        await expect(page.locator("#held")).to_have_text(price)
        await snap(page, "dashboard")
        await expect(rental.get_by_role("button", name="Copy")).to_be_visible()
        phone = int((await rental.locator(".phone").inner_text()).lstrip("+"))

        await rental.get_by_role("button", name="Another code").click()
        await expect(rental.locator("mark.code")).to_have_count(0)
        pushed_at = time.monotonic()
        assert (await web_hub.push(agent.config.key, 777001, phone, "VK: 408213"))[
            "status"
        ] == "SUCCESS"
        await expect(rental.locator("mark.code")).to_have_text("408213")
        print(f"code visible {time.monotonic() - pushed_at:.3f} s after PUSH_SMS answered")

        await rental.get_by_role("button", name="Finish").click()
        await expect(page.locator("article.rental")).to_have_count(0)
        await expect(page.locator("#held")).to_have_text("0.00")
        balance = str(Decimal("100.00") - Decimal(price))
        await expect(page.locator("#balance")).to_have_text(balance)
        assert await page.evaluate("window.stillTheSamePage") is True

    await page.get_by_role("link", name="History").click()
    rows = page.locator("tr.history-row")
    await expect(rows).to_have_count(1)
    await expect(rows.first).to_contain_text("finished")
    await snap(page, "history")
    await page.get_by_label("State").select_option("refunded")
    await page.get_by_role("button", name="Show").click()
    await expect(rows).to_have_count(0)

    await page.get_by_role("link", name="Payments").click()
    await expect(page.locator("tr.ledger-row").first).to_contain_text("charge")
    await snap(page, "ledger")

    await page.get_by_role("link", name="API keys").click()
    await page.get_by_role("button", name="Create key").click()
    key = await page.locator("#new-key").inner_text()
    await snap(page, "keys")
    assert await web_hub.api("getBalance", key) == {
        "response": 1,
        "balance": balance,
        "zbalance": 0,
    }


async def test_cancel_before_any_sms_gives_the_money_back(
    web_hub, make_web_buyer, connect_web_agent, new_page
):
    await connect_web_agent()
    key = await make_web_buyer("bob", balance=50_00)
    await web_hub.give_password("bob")
    page = await new_page()
    await log_in(page, web_hub.url, "bob")
    await page.get_by_label("Service").select_option("VKcom")
    await page.get_by_role("button", name="Rent").click()
    rental = page.locator("article.rental")
    await expect(rental).to_have_count(1)
    price = await rental.locator(".price").inner_text()
    await expect(page.locator("#held")).to_have_text(price)

    await rental.get_by_role("button", name="Cancel").click()
    await expect(rental).to_have_count(0)
    await expect(page.locator("#balance")).to_have_text("50.00")
    await expect(page.locator("#held")).to_have_text("0.00")
    assert (await web_hub.api("getBalance", key))["balance"] == "50.00"

    await page.goto(f"{web_hub.url}/history?state=refunded&since=9999-12-31&until=9999-12-31")
    await expect(page.get_by_role("status")).to_contain_text("Dates look like")
    await expect(page.locator("tr.history-row")).to_have_count(1)
    await expect(page.locator("tr.history-row")).to_contain_text("refunded")
