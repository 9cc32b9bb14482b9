"""Deferred reception from the dashboard: offered when no agent has a number, shown as a
pending request that can be cancelled (refunded), and filled by the worker without a reload."""

from __future__ import annotations

from playwright.async_api import expect

from tests.web.conftest import log_in, snap
from tests.web.page_checks import check_page


async def test_no_number_offers_waiting_then_cancel_refunds(
    web_hub, make_web_buyer, connect_web_agent, new_page
):
    agent = await connect_web_agent()
    agent.mode = "no_numbers"
    key = await make_web_buyer("dana", balance=50_00)
    await web_hub.give_password("dana")
    page = await new_page()
    await log_in(page, web_hub.url, "dana")
    await page.get_by_label("Service").select_option("VKcom")
    await page.get_by_role("button", name="Rent").click()
    await expect(page.locator("#rent-result")).to_contain_text("No free number")
    await snap(page, "deferred-offer")
    await check_page(page)

    await page.get_by_role("button", name="Wait for a number").click()
    await expect(page.locator("#rent-result")).to_contain_text("Request queued")
    rental = page.locator("article.rental")
    await expect(rental).to_have_count(1)
    await expect(rental.locator(".tag")).to_have_text("deferred")
    await expect(rental.locator(".state")).to_have_text("pending")
    price = await rental.locator(".price").inner_text()
    await expect(page.locator("#held")).to_have_text(price)
    await snap(page, "deferred-pending")
    await check_page(page)
    state = await web_hub.api("getState", key)
    assert [(s["response"], s["form"]) for s in state] == [("TZ_INPOOL", "deferr")]

    # The same request again is refused while the first one waits.
    await page.get_by_role("button", name="Rent").click()
    await page.get_by_role("button", name="Wait for a number").click()
    await expect(page.locator("#rent-result")).to_contain_text("already waiting")

    await rental.get_by_role("button", name="Cancel").click()
    await expect(rental).to_have_count(0)
    await expect(page.locator("#held")).to_have_text("0.00")
    await expect(page.locator("#balance")).to_have_text("50.00")
    assert (await web_hub.api("getBalance", key))["balance"] == "50.00"


async def test_a_waiting_request_gets_its_number_on_the_open_page(
    web_hub, make_web_buyer, connect_web_agent, new_page
):
    agent = await connect_web_agent()
    agent.mode = "no_numbers"
    await make_web_buyer("erin")
    await web_hub.give_password("erin")
    page = await new_page()
    await log_in(page, web_hub.url, "erin")
    await page.get_by_label("Service").select_option("VKcom")
    await page.get_by_role("button", name="Rent").click()
    await page.get_by_role("button", name="Wait for a number").click()
    rental = page.locator("article.rental")
    await expect(rental.locator(".state")).to_have_text("pending")
    await page.evaluate("window.stillTheSamePage = true")

    agent.mode = "ok"
    web_hub.clock.advance(20)  # past the stock poll interval and the pool's retry delay
    done = await web_hub.tick()  # the worker's deferred pass asks the agent again
    assert done["deferred"] == 1, done
    await expect(rental.locator(".state")).to_have_text("waiting")
    await expect(rental.locator(".phone")).to_have_text("79000000001")
    assert await page.evaluate("window.stillTheSamePage") is True


async def test_another_buyer_cannot_cancel_a_waiting_request(
    web_hub, make_web_buyer, connect_web_agent, new_page
):
    agent = await connect_web_agent()
    agent.mode = "no_numbers"
    owner_key = await make_web_buyer("owner")
    await make_web_buyer("intruder")
    await web_hub.give_password("intruder")
    queued = await web_hub.api("getNum", owner_key, service="vk", form=3)
    page = await new_page()
    await log_in(page, web_hub.url, "intruder")
    await expect(page.locator("article.rental")).to_have_count(0)
    shown = await page.goto(f"{web_hub.url}/rentals/{queued['tzid']}")
    assert shown is not None and shown.status == 404
    csrf = await page.locator("input[name=csrf]").first.get_attribute("value")
    forged = await page.request.post(
        f"{web_hub.url}/rentals/{queued['tzid']}/cancel", form={"csrf": csrf or ""}
    )
    assert forged.status == 404
    state = await web_hub.api("getState", owner_key, tzid=queued["tzid"])
    assert state[0]["response"] == "TZ_INPOOL"
