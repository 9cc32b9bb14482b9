"""Call forwardings in the cabinet: the account's forwardings with their payments, and the
onlinesim forwarding actions (confirm, save, remove) through the same flows."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from playwright.async_api import expect

from simgate.hub.server import running_server
from simgate.suppliers import service as suppliers
from simgate.worker import jobs
from tests.forwarding.standin import ForwardingStandin
from tests.web.conftest import WebHub, log_in, snap
from tests.web.page_checks import check_page


@pytest.fixture
async def standin(web_hub: WebHub) -> AsyncIterator[ForwardingStandin]:
    """A FORWARD_*-speaking agent on loopback, registered with the hub, its stock loaded."""
    agent = ForwardingStandin(key="standin-key")
    async with running_server(agent.app()) as url:
        async with web_hub.ctx.db.transaction() as session:
            await suppliers.add(
                session, "standin", url + "/", agent.key, web_hub.clock.now(), timeout_seconds=1.0
            )
        await jobs.poll_stock(web_hub.ctx)
        yield agent


async def forwarded_rental(hub: WebHub, key: str) -> int:
    """A rental with forwarding to 7 900 123-45-67, topped up below 5 minutes; its tzid."""
    rented = await hub.api(
        "getNum", key, service="vk", forward_number="9001234567", forward_minutes=5
    )
    assert rented["response"] == 1, rented
    return int(rented["tzid"])


async def test_list_confirm_pay_save_and_remove(web_hub, make_web_buyer, standin, new_page):
    key = await make_web_buyer("fred")
    await web_hub.give_password("fred")
    tzid = await forwarded_rental(web_hub, key)
    page = await new_page()
    await log_in(page, web_hub.url, "fred")
    await page.get_by_role("link", name="Forwarding").click()
    rows = page.locator("tr.forwarding-row")
    await expect(rows).to_have_count(1)
    await expect(rows.first).to_contain_text("+79001234567")
    await expect(rows.first).to_contain_text("awaiting confirmation")
    await snap(page, "forwardings")
    await check_page(page)

    await rows.first.get_by_role("link").click()
    await page.get_by_role("button", name="Confirm it works").click()
    await expect(page.get_by_role("status")).to_contain_text("Forwarding confirmed")
    await expect(page.locator("#forward-status")).to_have_text("active")
    state = await web_hub.api("getState", key, tzid=tzid)
    assert state[0]["forward_status"] == "active"
    # The agent reports 0 minutes, under the buyer's 5: one top-up is bought at once.
    payments = page.locator("tr.payment-row")
    await expect(payments).to_have_count(1)
    await expect(payments.first).to_contain_text("created")
    forwarding_id = int(await page.locator("#forwarding").get_attribute("data-id") or 0)
    listed = await web_hub.api("getForwardPaymentsList", key, id=forwarding_id)
    assert len(listed["forwardPaymentsList"]) == 1
    await snap(page, "forwarding")
    await check_page(page)

    # The browser keeps the field within 0..50; the hub checks again what reaches it.
    csrf = await page.locator("input[name=csrf]").first.get_attribute("value")
    refused = await page.request.post(
        f"{web_hub.url}/forwardings/{forwarding_id}/save",
        form={"csrf": csrf or "", "minutes": "51"},
        max_redirects=0,
    )
    assert refused.status == 400 and "0 to 50" in await refused.text()
    await page.get_by_label("Top up when minutes fall below").fill("10")
    await page.get_by_label("Keep it after the rental ends").check()
    await page.get_by_role("button", name="Save").click()
    await expect(page.get_by_role("status")).to_contain_text("Saved")
    saved = (await web_hub.api("forwardingList", key, id=forwarding_id))["forwarding"]
    assert (saved["auto_minutes"], saved["extension"]) == (10, True)
    await expect(page.get_by_label("Keep it after the rental ends")).to_be_checked()

    # A new number to forward to: the agent re-points the forwarding (FORWARD_SET again).
    await page.get_by_label("Forward to").fill("12345")
    await page.get_by_role("button", name="Save").click()
    await expect(page.get_by_role("alert")).to_contain_text("10 digits")
    await page.get_by_label("Forward to").fill("89007654321")
    await page.get_by_role("button", name="Save").click()
    await expect(page.locator("#forward-number")).to_have_text("+79007654321")
    assert standin.forwards[standin.actions("FORWARD_SET")[-1]] == 79007654321

    await page.get_by_role("button", name="Remove").click()
    await expect(page.get_by_role("status")).to_contain_text("Forwarding removed")
    await expect(page.locator("#forward-status")).to_have_text("finished")
    await expect(page.get_by_role("button", name="Save")).to_have_count(0)
    # The unsent top-up is dropped with the forwarding, its hold released.
    await expect(payments).to_have_count(0)
    assert (await web_hub.api("getBalance", key))["zbalance"] == float(state[0]["sum"])


async def test_another_buyers_forwarding_is_not_found(web_hub, make_web_buyer, standin, new_page):
    owner_key = await make_web_buyer("owner")
    await make_web_buyer("intruder")
    await web_hub.give_password("intruder")
    await forwarded_rental(web_hub, owner_key)
    listed = await web_hub.api("forwardingList", owner_key)
    forwarding_id = listed["forwardingList"]["data"][0]["id"]

    page = await new_page()
    await log_in(page, web_hub.url, "intruder")
    await page.goto(f"{web_hub.url}/forwardings")
    await expect(page.locator("tr.forwarding-row")).to_have_count(0)
    for path in (f"/forwardings/{forwarding_id}", "/forwardings/99999999999999999999"):
        shown = await page.goto(f"{web_hub.url}{path}")
        assert shown is not None and shown.status == 404, path
    assert "79001234567" not in await page.content()
    csrf = await page.locator("input[name=csrf]").first.get_attribute("value")
    for action in ("confirm", "save", "remove"):
        forged = await page.request.post(
            f"{web_hub.url}/forwardings/{forwarding_id}/{action}",
            form={"csrf": csrf or "", "minutes": "0"},
            max_redirects=0,
        )
        assert forged.status == 404, action
    kept = (await web_hub.api("forwardingList", owner_key, id=forwarding_id))["forwarding"]
    assert kept["forward_status"] == "pending"
    assert [a for a, _ in standin.log] == ["FORWARD_SET"]
