"""The operator console in a real browser: an operator credits a buyer, disables a supplier
and approves a sender name, each seen where it matters (the buyer's API over real HTTP, the
next getNum, the sender's state) and in the audit list; buyers never see the console."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any

from playwright.async_api import Page, expect
from typer.testing import CliRunner

from simgate.cli.main import app
from tests.web.conftest import WebHub, log_in, snap


async def run_cli(hub: WebHub, *args: str) -> str:
    """A `simgate` command against the hub's database, as an operator types it."""
    url = hub.ctx.settings.database_url or ""
    result = await asyncio.to_thread(CliRunner().invoke, app, [*args, "--database-url", url])
    assert result.exit_code == 0, result.output
    return result.output


async def make_operator(hub: WebHub, name: str = "boss") -> None:
    await run_cli(hub, "account", "create", name, "--operator")
    await hub.give_password(name)


# Form controls a screen reader could not name: no <label> and no aria-label.
UNLABELLED = """[...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
    .filter(e => !e.labels.length && !e.getAttribute('aria-label')).map(e => e.name)"""


async def look(page: Page, name: str) -> None:
    """Every control of the page has a label; a picture of it when screenshots are kept."""
    assert await page.evaluate(UNLABELLED) == [], name
    await snap(page, name)


async def audit_rows(page: Page, url: str) -> list[str]:
    await page.goto(f"{url}/admin/audit")
    return [" ".join(r.split()) for r in await page.locator("tr.audit-row").all_inner_texts()]


async def test_operator_credits_disables_a_supplier_and_approves_a_sender(
    web_hub, make_web_buyer, connect_web_agent, new_page
):
    agent = await connect_web_agent("agent1")
    buyer_key = await make_web_buyer("bob", balance=100_00)
    await run_cli(web_hub, "sender", "request", "SHOP", "--account", "bob")
    await make_operator(web_hub)
    page = await new_page()
    await log_in(page, web_hub.url, "boss")
    await page.goto(f"{web_hub.url}/admin")
    await expect(page.locator("tr.supplier-row")).to_contain_text("agent1")
    await expect(page.locator("#open-rentals")).to_have_text("0")
    # The dashboard is live: a rental made meanwhile shows up without a reload.
    await page.evaluate("window.stillTheSamePage = true")
    assert (await web_hub.api("getNum", buyer_key, service="vk"))["response"] == 1
    await expect(page.locator("#open-rentals")).to_have_text("1", timeout=15_000)
    assert await page.evaluate("window.stillTheSamePage") is True
    await look(page, "admin-overview")
    before = await web_hub.api("getBalance", buyer_key)
    expected = str(Decimal(str(before["balance"])) + Decimal("25.50"))

    # Credit: the buyer's API sees the money on its very next request.
    await page.get_by_role("link", name="Accounts").click()
    await page.get_by_label("Name contains").fill("bo")
    await page.get_by_role("button", name="Search").click()
    await look(page, "admin-accounts")
    await page.get_by_role("link", name="bob", exact=True).click()
    await page.get_by_label("Credit: Amount").fill("25.50")
    await page.get_by_label("Credit: Reason").fill("welcome bonus")
    await page.get_by_role("button", name="Credit", exact=True).click()
    await expect(page.get_by_role("status")).to_have_text("Done.")
    await expect(page.locator("#available")).to_have_text(expected)
    await expect(page.locator("tr.ledger-row").first).to_contain_text("welcome bonus")
    await look(page, "admin-account")
    assert (await web_hub.api("getBalance", buyer_key))["balance"] == expected

    # Disable the only supplier: getNum stops asking it for numbers.
    asked = len(agent.get_number_calls)
    await page.get_by_role("link", name="Suppliers").click()
    card = page.locator("section.supplier", has_text="agent1")
    await card.get_by_role("button", name="Disable").click()
    await expect(card).to_contain_text("disabled")
    await look(page, "admin-suppliers")
    # With no supplier left to ask, onlinesim's word is TRY_AGAIN_LATER ("no agent
    # connected"); NO_NUMBER is for agents that were asked and had none.
    refused = await web_hub.api("getNum", buyer_key, service="vk")
    assert refused == {"response": "TRY_AGAIN_LATER"}
    assert len(agent.get_number_calls) == asked

    # Approve the sender name bob asked for.
    await page.get_by_role("link", name="Sender names").click()
    row = page.locator("tr.sender-row", has_text="SHOP")
    await expect(row).to_contain_text("awaiting decision")
    await row.get_by_role("button", name="Approve").click()
    await expect(row).to_contain_text("approved")
    await look(page, "admin-senders")

    rows = await audit_rows(page, web_hub.url)
    await look(page, "admin-audit")
    # Newest first: the console's three actions, then the command line's two.
    assert [r.split(" ", 2)[2] for r in rows] == [
        'boss sender.approve bob: SHOP {"state": "completed"}',
        'boss supplier.disable agent1 {"enabled": false}',
        'boss account.credit bob {"amount": 2550, "reason": "welcome bonus"}',
        'cli account.create boss {"balance": 0, "operator": true}',
        'cli sender.request bob: SHOP {"state": "moderation"}',
    ]

    await page.get_by_role("link", name="Check ledger").click()
    await page.get_by_role("button", name="Check ledger").click()
    await expect(page.locator("#ledger-ok")).to_have_text("The ledger balances.")
    await look(page, "admin-ledger")


async def test_a_buyer_gets_404_for_every_console_page_and_form(web_hub, make_web_buyer, new_page):
    await make_web_buyer("bob")
    await web_hub.give_password("bob")
    page = await new_page()
    for path in ("/admin", "/admin/accounts", "/admin/account?name=bob", "/admin/audit"):
        shown = await page.goto(f"{web_hub.url}{path}")
        assert shown is not None and page.url == f"{web_hub.url}/login", path

    await log_in(page, web_hub.url, "bob")
    csrf = await page.locator("input[name=csrf]").first.get_attribute("value")
    assert csrf
    paths = ["/admin", "/admin/figures", "/admin/suppliers", "/admin/accounts", "/admin/senders"]
    for path in [*paths, "/admin/account?name=bob", "/admin/audit", "/admin/ledger"]:
        shown = await page.goto(f"{web_hub.url}{path}")
        assert shown is not None and shown.status == 404, path
    forms: dict[str, dict[str, Any]] = {
        "/admin/account/credit": {"name": "bob", "amount": "1000", "reason": "mine"},
        "/admin/account/flags": {"name": "bob", "flag": "blocked", "value": "off"},
        "/admin/suppliers/disable": {"name": "agent1"},
        "/admin/senders/approve": {"account": "bob", "sender": "SHOP"},
        "/admin/ledger": {},
    }
    for path, form in forms.items():
        forged = await page.request.post(
            f"{web_hub.url}{path}", form={"csrf": csrf, **form}, max_redirects=0
        )
        assert forged.status == 404, path
    assert (await web_hub.api("getBalance", None))["response"] == "ERROR_NO_KEY"


async def test_an_operator_form_needs_the_token_and_the_flag_is_read_each_time(
    web_hub, make_web_buyer, new_page
):
    buyer_key = await make_web_buyer("bob", balance=0)
    await make_operator(web_hub)
    page = await new_page()
    await log_in(page, web_hub.url, "boss")
    credit = {"name": "bob", "amount": "5", "reason": "no token"}
    for form in (credit, {**credit, "csrf": "not-the-token"}):
        refused = await page.request.post(
            f"{web_hub.url}/admin/account/credit", form=form, max_redirects=0
        )
        assert refused.status == 403
    assert (await web_hub.api("getBalance", buyer_key))["balance"] == "0.00"
    rows = await audit_rows(page, web_hub.url)
    assert [r.split(" ", 2)[2] for r in rows] == [
        'cli account.create boss {"balance": 0, "operator": true}'
    ]

    await run_cli(web_hub, "account", "set", "boss", "--no-operator")
    shown = await page.goto(f"{web_hub.url}/admin")
    assert shown is not None and shown.status == 404


async def test_console_forms_add_and_edit_a_supplier_and_refuse_bad_input(
    web_hub, make_web_buyer, new_page
):
    await make_web_buyer("bob", balance=0)
    await make_operator(web_hub)
    page = await new_page()
    await log_in(page, web_hub.url, "boss")
    await page.goto(f"{web_hub.url}/admin/suppliers")
    await page.get_by_label("Supplier name").fill("bank2")
    await page.get_by_label("URL", exact=True).fill("not a url")
    await page.get_by_label("Key", exact=True).fill("k2")
    await page.get_by_role("button", name="Add").click()
    await expect(page.get_by_role("alert")).to_contain_text("supplier URL")
    assert await page.locator("section.supplier").count() == 0
    # The form comes back as typed, but for the key.
    await expect(page.get_by_label("Supplier name")).to_have_value("bank2")
    await expect(page.get_by_label("Key", exact=True)).to_have_value("")

    await page.get_by_label("URL", exact=True).fill("http://127.0.0.1:9/")
    await page.get_by_label("Key", exact=True).fill("k2")
    await page.get_by_role("button", name="Add").click()
    card = page.locator("section.supplier", has_text="bank2")
    await expect(card).to_have_count(1)
    await card.get_by_label("Priority").fill("7")
    await card.get_by_role("button", name="Save").click()
    await expect(page.get_by_role("status")).to_have_text("Done.")
    await expect(card.get_by_label("Priority")).to_have_value("7")
    await expect(card.get_by_label("Enabled")).to_be_checked()

    await page.goto(f"{web_hub.url}/admin/account?name=bob")
    for amount, reason, word in (("abc", "x", "Not an amount."), ("1", "", "Invalid value.")):
        await page.get_by_label("Debit: Amount").fill(amount)
        await page.get_by_label("Debit: Reason").evaluate("e => e.removeAttribute('required')")
        await page.get_by_label("Debit: Reason").fill(reason)
        await page.get_by_role("button", name="Debit", exact=True).click()
        await expect(page.get_by_role("alert")).to_contain_text(word)
    await page.get_by_label("Debit: Amount").fill("1")
    await page.get_by_label("Debit: Reason").fill("more than there is")
    await page.get_by_role("button", name="Debit", exact=True).click()
    await expect(page.get_by_role("alert")).to_contain_text("Not enough money")
    shown = await page.goto(f"{web_hub.url}/admin/account?name=nobody")
    assert shown is not None and shown.status == 404

    rows = await audit_rows(page, web_hub.url)
    assert [r.split()[3] for r in rows] == ["supplier.edit", "supplier.add", "account.create"]
