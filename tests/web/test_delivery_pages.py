"""Outbound SMS in the cabinet: the signing secret, sender names, templates and sent messages,
each the delivery-api's own data; another buyer sees none of it."""

from __future__ import annotations

from typing import Any

from playwright.async_api import Page, expect

from simgate.accounts import service as accounts
from simgate.delivery import admin, auth, signature
from simgate.delivery import cabinet as delivery
from tests.web.conftest import WebHub, log_in, snap
from tests.web.page_checks import check_page


async def account_id_of(hub: WebHub, name: str) -> int:
    async with hub.ctx.db.read() as session:
        return (await accounts.get(session, name)).id


async def delivery_call(hub: WebHub, method: str, login: str, secret: str, **params: str) -> Any:
    """One signed delivery-api request, as a customer's program sends it."""
    stamp = str(auth.epoch_seconds(hub.clock.now()))
    full = {"login": login, "timestamp": stamp, **params}
    full["signature"] = signature.compute(full, secret)
    response = await hub.client.get(f"{hub.url}/delivery-api/get/{method}.php", params=full)
    assert response.status_code == 200
    return response.json()


async def approve(hub: WebHub, name: str, sender: str) -> None:
    """What an operator's `simgate sender approve` does."""
    async with hub.ctx.db.transaction() as session:
        account_id = await account_id_of(hub, name)
        await admin.decide_sender(session, account_id, sender, "completed", hub.clock.now())


async def open_delivery(page: Page, url: str) -> None:
    await page.get_by_role("link", name="Sending SMS").click()
    await page.wait_for_url(f"{url}/delivery")


async def test_senders_templates_secret_and_sent_sms(web_hub, make_web_buyer, new_page):
    await make_web_buyer("alice")
    await web_hub.give_password("alice")
    page = await new_page()
    await log_in(page, web_hub.url, "alice")
    await open_delivery(page, web_hub.url)
    await expect(page.locator("#secret-state")).to_contain_text("No separate signing secret")

    # A sender name: refused when malformed, then requested and awaiting an operator.
    await page.get_by_label("Sender", exact=True).fill("no such name!")
    await page.get_by_role("button", name="Request the name").click()
    await expect(page.get_by_role("alert")).to_contain_text("up to 11 letters")
    await page.get_by_label("Sender", exact=True).fill("MyShop")
    await page.get_by_role("button", name="Request the name").click()
    await expect(page.get_by_role("status")).to_contain_text("Name requested")
    await expect(page.locator("tr.sender-row")).to_contain_text("awaiting approval")
    await approve(web_hub, "alice", "MyShop")
    await page.reload()
    await expect(page.locator("tr.sender-row")).to_contain_text("approved")

    # A template, seen by the delivery-api's `template`; a second of the same name refused.
    for _ in range(2):
        await page.get_by_label("Template name").fill("welcome")
        await page.get_by_label("Text", exact=True).fill("Welcome to MyShop")
        await page.get_by_role("button", name="Add template").click()
    await expect(page.get_by_role("alert")).to_contain_text("A template of that name exists")
    await expect(page.locator("tr.template-row")).to_have_count(1)

    # The signing secret: shown once when made; replacing it retires the old one.
    await page.get_by_role("button", name="Make a signing secret").click()
    first = await page.locator("#new-secret").inner_text()
    templates = await delivery_call(web_hub, "template", "alice", first)
    assert templates["welcome"]["template"] == "Welcome to MyShop", templates
    await page.get_by_role("button", name="Replace the signing secret").click()
    secret = await page.locator("#new-secret").inner_text()
    assert secret != first
    web_hub.clock.advance(1)  # a fresh timestamp: the first call's signature is spent
    assert (await delivery_call(web_hub, "balance", "alice", first))["error"] == "6"
    await snap(page, "delivery")
    await check_page(page)

    sent = await delivery_call(
        web_hub, "send", "alice", secret, phone="79001234567", sender="MyShop", text="Hi there"
    )
    assert sent["79001234567"]["error"] == "0", sent
    await page.goto(f"{web_hub.url}/delivery")
    await expect(page.locator("#secret-state")).to_contain_text("in use since")
    await page.get_by_role("link", name="Sent SMS").click()
    rows = page.locator("tr.sent-row")
    await expect(rows).to_have_count(1)
    await expect(rows.first).to_contain_text("79001234567")
    await expect(rows.first.locator(".sms-state")).to_have_text("queued")
    await snap(page, "sent-sms")
    await check_page(page)
    await rows.first.get_by_role("link").click()
    await expect(page.locator("#sent-message")).to_contain_text(sent["79001234567"]["id_sms"])
    await expect(page.locator("#sent-message")).to_contain_text("Hi there")
    await snap(page, "sent-message")
    await check_page(page)


async def test_sent_sms_pages_follow_each_other_by_keyset(web_hub, make_web_buyer, new_page):
    await make_web_buyer("carol", balance=1_000_00)
    await web_hub.give_password("carol")
    await approve(web_hub, "carol", "Shop")
    async with web_hub.ctx.db.transaction() as session:
        secret = await auth.issue_secret(
            session, await account_id_of(web_hub, "carol"), web_hub.clock.now()
        )
    phones = ",".join(f"7900000{n:04d}" for n in range(1, 51))
    for second in range(2):  # 100 messages: two full pages of 50
        web_hub.clock.advance(1)
        sent = await delivery_call(
            web_hub, "send", "carol", secret, phone=phones, sender="Shop", text=f"batch {second}"
        )
        assert all(r["error"] == "0" for r in sent.values()), sent
    page = await new_page()
    await log_in(page, web_hub.url, "carol")
    await page.goto(f"{web_hub.url}/delivery/sent")
    first_page = await page.locator("tr.sent-row").evaluate_all("rs => rs.map(r => r.dataset.id)")
    assert len(first_page) == 50
    await page.get_by_role("link", name="Older").click()
    second_page = await page.locator("tr.sent-row").evaluate_all("rs => rs.map(r => r.dataset.id)")
    assert len(second_page) == 50
    ids = [int(i) for i in first_page + second_page]
    assert ids == sorted(ids, reverse=True) and len(set(ids)) == 100
    await expect(page.get_by_role("link", name="Older")).to_have_count(0)


async def test_another_buyers_messages_are_not_found(web_hub, make_web_buyer, new_page):
    await make_web_buyer("alice")
    await make_web_buyer("mallory")
    await web_hub.give_password("mallory")
    await approve(web_hub, "alice", "MyShop")
    async with web_hub.ctx.db.transaction() as session:
        secret = await auth.issue_secret(
            session, await account_id_of(web_hub, "alice"), web_hub.clock.now()
        )
    sent = await delivery_call(
        web_hub, "send", "alice", secret, phone="79001234567", sender="MyShop", text="secret"
    )
    assert sent["79001234567"]["error"] == "0", sent

    page = await new_page()
    await log_in(page, web_hub.url, "mallory")
    await open_delivery(page, web_hub.url)
    await expect(page.locator("tr.sender-row")).to_have_count(0)
    await page.goto(f"{web_hub.url}/delivery/sent")
    await expect(page.locator("tr.sent-row")).to_have_count(0)
    alices = await delivery.sent(web_hub.ctx.deps, await account_id_of(web_hub, "alice"), None, 1)
    message_id = alices.messages[0].id
    for path in (f"/delivery/sent/{message_id}", "/delivery/sent/99999999999999999999"):
        shown = await page.goto(f"{web_hub.url}{path}")
        assert shown is not None and shown.status == 404, path
        assert "79001234567" not in await page.content()
    # Her forms carry her own token: one without it changes nothing.
    refused = await page.request.post(
        f"{web_hub.url}/delivery/senders", form={"sender": "Mallory"}, max_redirects=0
    )
    assert refused.status == 403
