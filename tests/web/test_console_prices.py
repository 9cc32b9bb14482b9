"""The console's prices, stop-list and account limits in a real browser: each change is seen
where it matters (the buyer API's next answer, the next getNum, the stop-list) and in the
audit list, as are the same changes made with the CLI; buyers never reach these pages."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from playwright.async_api import Page, expect

from tests.web.conftest import WebHub, log_in
from tests.web.test_console import audit_rows, look, make_operator, run_cli

VK_IN_RUSSIA = "VKcom, russia"


def vk_stats(stats: Any) -> Any:
    return stats["services"]["service_VKcom"]


async def operator_page(web_hub: WebHub, new_page: Any) -> Page:
    await make_operator(web_hub)
    page: Page = await new_page()
    await log_in(page, web_hub.url, "boss")
    return page


async def test_an_operator_edits_a_price_and_the_buyer_api_answers_it_at_once(
    web_hub, make_web_buyer, connect_web_agent, new_page
):
    await connect_web_agent("agent1")
    buyer_key = await make_web_buyer("bob")
    # Both answers are cached now: only the change feed can make the new price visible.
    assert await web_hub.api("getPrice", buyer_key, service="vk", country=7) == {
        "response": 1,
        "price": 14,
    }
    assert (
        float(vk_stats(await web_hub.api("getNumbersStats", buyer_key, country=7))["price"]) == 14
    )
    page = await operator_page(web_hub, new_page)

    await page.goto(f"{web_hub.url}/admin")
    await page.get_by_role("link", name="Prices").click()
    # Hundreds of rows: the table is paged, and the next page starts where this one ends.
    price_rows = page.locator("tr.price-row")
    await expect(price_rows).to_have_count(50)
    first_page = {await row.get_attribute("data-row") for row in await price_rows.all()}
    await page.get_by_role("link", name="Next page").click()
    await page.wait_for_url("**/admin/prices?offset=50")
    await expect(price_rows).to_have_count(50)
    second_page = {await row.get_attribute("data-row") for row in await price_rows.all()}
    assert len(first_page) == len(second_page) == 50 and not first_page & second_page
    await page.get_by_label("Country").select_option("7")
    await page.get_by_label("Service").select_option("VKcom")
    await page.get_by_role("button", name="Show").click()
    await expect(page.locator("tr.price-row")).to_have_count(1)
    price = page.get_by_label(f"Price: {VK_IN_RUSSIA}")
    await expect(price).to_have_value("14.00")
    await look(page, "admin-prices")

    # Refused with the page's own words, the row kept as typed; nothing changes.
    payout = page.get_by_label(f"Payout: {VK_IN_RUSSIA}")
    for typed, words in (
        ("12.345", "Not an amount. index: '12.345' has more than 2 decimal places"),
        ("-1", "Not an amount. index: '-1' is negative"),
        ("abc", "Not an amount. index: not an amount: 'abc'"),
    ):
        await price.fill(typed)
        await page.get_by_role("button", name=f"Save: {VK_IN_RUSSIA}").click()
        await expect(page.get_by_role("alert")).to_have_text(words)
        await expect(price).to_have_value(typed)
    await price.fill("5")
    await payout.fill("6")  # an agent may not earn more than the buyer pays
    await page.get_by_role("button", name=f"Save: {VK_IN_RUSSIA}").click()
    await expect(page.get_by_role("alert")).to_contain_text("payout must be between")
    assert (await web_hub.api("getPrice", buyer_key, service="vk", country=7))["price"] == 14

    await price.fill("43.21")
    await payout.fill("")  # derived from the price
    await page.get_by_role("button", name=f"Save: {VK_IN_RUSSIA}").click()
    await expect(page.get_by_role("status")).to_have_text("Done.")
    # Back on the same filtered page, showing what is stored now.
    await expect(page.locator("tr.price-row")).to_have_count(1)
    await expect(price).to_have_value("43.21")
    await expect(payout).to_have_value("25.92")
    assert await web_hub.api("getPrice", buyer_key, service="vk", country=7) == {
        "response": 1,
        "price": 43.21,
    }
    stats = await web_hub.api("getNumbersStats", buyer_key, country=7)
    assert float(vk_stats(stats)["price"]) == 43.21

    await run_cli(web_hub, "price", "set", "--country", "7", "--service", "vk", "--price", "50")
    assert (await web_hub.api("getPrice", buyer_key, service="vk", country=7))["price"] == 50
    rows = await audit_rows(page, web_hub.url)
    assert [r.split(" ", 2)[2] for r in rows] == [
        'cli price.set 7 vk {"index": 5000}',
        'boss price.set 7 VKcom {"deferr": 1190, "index": 4321, "repeat": 840}',
        'cli account.create boss {"balance": 0, "operator": true}',
    ]


async def test_an_operator_adds_and_removes_stop_listed_numbers(web_hub, new_page):
    page = await operator_page(web_hub, new_page)
    await run_cli(web_hub, "stoplist", "add", "+44 7700 900123", "--reason", "opted out")
    await page.goto(f"{web_hub.url}/admin")
    await page.get_by_role("link", name="Stop-list").click()
    await expect(page.locator("tr.stop-row", has_text="447700900123")).to_contain_text("opted out")

    await page.get_by_label("Phone number").fill("not a number")
    await page.get_by_role("button", name="Add").click()
    await expect(page.get_by_role("alert")).to_contain_text("Not a phone number.")
    await expect(page.get_by_label("Phone number")).to_have_value("not a number")
    await page.get_by_label("Phone number").fill("8 (900) 123-45-67")
    await page.get_by_label("Reason").fill("complaint")
    await page.get_by_role("button", name="Add").click()
    await expect(page.get_by_role("status")).to_have_text("Done.")
    await expect(page.locator("tr.stop-row")).to_have_count(2)
    await expect(page.locator("tr.stop-row", has_text="79001234567")).to_contain_text("complaint")
    await look(page, "admin-stoplist")
    assert "79001234567" in await run_cli(web_hub, "stoplist", "list")

    await (
        page.locator("tr.stop-row", has_text="447700900123")
        .get_by_role("button", name="Remove")
        .click()
    )
    await expect(page.get_by_role("status")).to_have_text("Done.")
    await expect(page.locator("tr.stop-row")).to_have_count(1)
    assert "447700900123" not in await run_cli(web_hub, "stoplist", "list")
    # Removing a number that is not listed changes nothing and records nothing.
    assert "was not on the stop-list" in await run_cli(
        web_hub, "stoplist", "remove", "447700900123"
    )
    await run_cli(web_hub, "stoplist", "remove", "79001234567")
    rows = await audit_rows(page, web_hub.url)
    assert [r.split(" ", 2)[2] for r in rows] == [
        "cli stoplist.remove 79001234567 {}",
        "boss stoplist.remove 447700900123 {}",
        'boss stoplist.add 79001234567 {"reason": "complaint"}',
        'cli stoplist.add 447700900123 {"reason": "opted out"}',
        'cli account.create boss {"balance": 0, "operator": true}',
    ]


async def test_a_limit_set_in_the_console_holds_on_the_next_get_num(
    web_hub, make_web_buyer, connect_web_agent, new_page
):
    await connect_web_agent("agent1")
    buyer_key = await make_web_buyer("bob")
    page = await operator_page(web_hub, new_page)
    await page.goto(f"{web_hub.url}/admin/account?name=bob")
    limit = page.get_by_label("Open rentals at once")
    await limit.fill("many")
    await page.get_by_role("button", name="Save limits").click()
    await expect(page.get_by_role("alert")).to_contain_text("max_open: not a whole number")
    await limit.fill("1")
    await page.get_by_role("button", name="Save limits").click()
    await expect(page.get_by_role("status")).to_have_text("Done.")
    await expect(limit).to_have_value("1")
    await look(page, "admin-account-limits")

    assert (await web_hub.api("getNum", buyer_key, service="vk"))["response"] == 1
    refused = await web_hub.api("getNum", buyer_key, service="vk")
    assert refused == {"response": "EXCEEDED_CONCURRENT_OPERATIONS"}
    await run_cli(web_hub, "account", "limits", "bob", "--max-open", "2")
    assert (await web_hub.api("getNum", buyer_key, service="vk"))["response"] == 1
    rows = await audit_rows(page, web_hub.url)
    assert [r.split(" ", 2)[2] for r in rows[:2]] == [
        'cli account.limits bob {"max_open": 2}',
        'boss account.limits bob {"max_open": 1, "parallel": 5, "per_minute": 60}',
    ]


NEW_PAGES = ("/admin/prices", "/admin/stoplist")
NEW_FORMS: dict[str, dict[str, Any]] = {
    "/admin/prices": {"country": "7", "service": "vk", "index": "0.01"},
    "/admin/stoplist": {"phone": "79001234567"},
    "/admin/stoplist/remove": {"phone": "79001234567"},
    "/admin/account/limits": {"name": "bob", "max_open": "0"},
}


async def test_buyers_get_404_and_a_form_without_its_token_is_refused(
    web_hub, make_web_buyer, new_page
):
    buyer_key = await make_web_buyer("bob")
    await web_hub.give_password("bob")
    page = await new_page()
    await log_in(page, web_hub.url, "bob")
    csrf = await page.locator("input[name=csrf]").first.get_attribute("value")
    assert csrf
    for path in NEW_PAGES:
        shown = await page.goto(f"{web_hub.url}{path}")
        assert shown is not None and shown.status == 404, path
    for path, form in NEW_FORMS.items():
        forged = await page.request.post(
            f"{web_hub.url}{path}", form={"csrf": csrf, **form}, max_redirects=0
        )
        assert forged.status == 404, path

    boss = await operator_page(web_hub, new_page)
    for path, form in NEW_FORMS.items():
        refused = await boss.request.post(f"{web_hub.url}{path}", form=form, max_redirects=0)
        assert refused.status == 403, path
    assert (await web_hub.api("getPrice", buyer_key, service="vk", country=7))["price"] == 14
    assert (await web_hub.api("getNum", buyer_key, service="vk"))["response"] != (
        "EXCEEDED_CONCURRENT_OPERATIONS"
    )
    rows = await audit_rows(boss, web_hub.url)
    assert [r.split(" ", 2)[2] for r in rows] == [
        'cli account.create boss {"balance": 0, "operator": true}'
    ]


ODD = ("²", "1" * 5000, "NaN", "-Infinity", "1e999999", "\x00", "7 OR 1=1")


async def test_odd_input_gets_a_message_never_a_500(web_hub, make_web_buyer, new_page):
    buyer_key = await make_web_buyer("bob")
    boss = await operator_page(web_hub, new_page)
    for odd in ODD:
        shown = await boss.goto(
            f"{web_hub.url}/admin/prices?" + urlencode({"country": odd, "service": odd})
        )
        # A NUL is no value at all (PostgreSQL cannot hold one): the whole table.
        assert shown is not None and shown.status == (200 if odd == "\x00" else 400), odd
        shown = await boss.goto(f"{web_hub.url}/admin/prices?" + urlencode({"offset": odd}))
        assert shown is not None and shown.status == 200, odd
    await boss.goto(f"{web_hub.url}/admin/prices")
    csrf = await boss.locator("input[name=csrf]").first.get_attribute("value")
    forms = [
        ("/admin/prices", {"country": "7", "service": "vk", "index": "1"}),
        ("/admin/stoplist", {"phone": "79001234567", "reason": "x"}),
        ("/admin/stoplist/remove", {"phone": "79001234567"}),
        ("/admin/account/limits", {"name": "bob", "max_open": "1"}),
    ]
    for path, form in forms:
        for field in form:
            for odd in ODD:
                sent: dict[str, str | float | bool] = {"csrf": csrf or "", **form, field: odd}
                answer = await boss.request.post(f"{web_hub.url}{path}", form=sent, max_redirects=0)
                assert answer.status in (303, 400, 404), (path, field, odd, answer.status)
    assert (await web_hub.api("getPrice", buyer_key, service="vk", country=7))["price"] == 14
