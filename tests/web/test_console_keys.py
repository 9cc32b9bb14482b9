"""The console's dev keys, RSA rotation and delivery queue pages in a real browser: what an
operator does there takes effect where it matters (register/login's dev key check,
/api/public.pem, the buyer's balance) and is in the audit list, as the same actions run from
the command line are; buyers get 404 for all of it."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from playwright.async_api import expect

from simgate.accounts import service as accounts
from simgate.delivery import auth, outcomes
from simgate.models.delivery import OutboundMessage
from tests.auth.conftest import encrypt_with
from tests.web.conftest import PASSWORD, WebHub, log_in
from tests.web.test_console import audit_rows, look, make_operator, run_cli
from tests.web.test_delivery_pages import approve, delivery_call


async def api_login(hub: WebHub, username: str, secret: str, dev_key: str) -> Any:
    """onlinesim's login, as a client sends it: the password encrypted with a public key."""
    body = {"username": username, "password": secret, "dev_key": dev_key}
    response = await hub.client.post(f"{hub.url}/api/login.php", data=body)
    assert response.status_code == 200, response.text
    return response.json()


async def public_pem(hub: WebHub) -> bytes:
    response = await hub.client.get(f"{hub.url}/api/public.pem")
    assert response.status_code == 200
    return response.content


def encrypt(pem: bytes, text: str) -> str:
    key = serialization.load_pem_public_key(pem)
    assert isinstance(key, rsa.RSAPublicKey)
    return encrypt_with(key, text)


def actions_of(rows: list[str]) -> list[str]:
    """`who action subject` of each audit row (the details left out)."""
    return [" ".join(r.split()[2:5]) for r in rows]


async def test_dev_keys_and_rsa_rotation_from_the_console(web_hub, make_web_buyer, new_page):
    await make_web_buyer("bob")
    await web_hub.give_password("bob")
    await make_operator(web_hub)
    page = await new_page()
    await log_in(page, web_hub.url, "boss")
    await page.get_by_role("link", name="Console").click()
    await page.get_by_role("link", name="Dev keys").click()
    await page.get_by_label("Who the key is for").fill("acme")
    await page.get_by_role("button", name="Issue dev key").click()
    dev_key = (await page.locator("#new-dev-key").inner_text()).strip()
    assert dev_key.startswith("dev_")
    row = page.locator("tr.devkey-row", has_text="acme")
    await expect(row).to_contain_text(dev_key[:8])
    await look(page, "admin-devkeys")
    # Shown once: the list (and a reload) has the prefix only.
    await page.goto(f"{web_hub.url}/admin/devkeys")
    assert dev_key not in await page.content()

    # Rotate: /api/public.pem changes, and a password encrypted with the old key still
    # logs in while the old key is in its grace period.
    old_pem = await public_pem(web_hub)
    old_secret = encrypt(old_pem, PASSWORD)
    await page.get_by_role("link", name="RSA key").click()
    published = page.locator("tr.rsa-row.published")
    before = await published.locator(".fingerprint").inner_text()
    await page.get_by_role("button", name="Rotate").click()
    await expect(page.get_by_role("status")).to_have_text("Done.")
    await expect(published.locator(".fingerprint")).not_to_have_text(before)
    await expect(page.locator("tr.rsa-row", has_text="decrypts until")).to_contain_text(before)
    await look(page, "admin-rsa")
    assert await public_pem(web_hub) != old_pem
    assert (await api_login(web_hub, "bob", old_secret, dev_key))["response"] == "1"

    # Revoked: login refuses the dev key at once.
    await page.get_by_role("link", name="Dev keys").click()
    await row.get_by_role("button", name="Revoke").click()
    await expect(page.get_by_role("status")).to_have_text("Done.")
    await expect(row.get_by_role("button", name="Revoke")).to_have_count(0)
    new_secret = encrypt(await public_pem(web_hub), PASSWORD)
    refused = await api_login(web_hub, "bob", new_secret, dev_key)
    assert "dev_key" in refused["response"]

    rows = await audit_rows(page, web_hub.url)
    assert actions_of(rows)[:3] == [
        "boss devkey.revoke dev",
        "boss rsa.rotate rsa",
        "boss devkey.issue dev",
    ]
    assert '"note": "acme"' in rows[2] and dev_key not in " ".join(rows)


async def test_command_line_key_and_supplier_actions_are_audited(web_hub, new_page):
    await make_operator(web_hub)
    issued = await run_cli(web_hub, "devkey", "issue", "--note", "ci")
    await run_cli(web_hub, "devkey", "revoke", "1")
    await run_cli(web_hub, "rsa", "rotate")
    await run_cli(
        web_hub, "supplier", "add", "bank9", "--url", "http://127.0.0.1:9/", "--key", "k9"
    )
    await run_cli(web_hub, "supplier", "remove", "bank9")
    page = await new_page()
    await log_in(page, web_hub.url, "boss")
    rows = await audit_rows(page, web_hub.url)
    assert actions_of(rows) == [
        "cli supplier.remove bank9",
        "cli supplier.add bank9",
        "cli rsa.rotate rsa",
        "cli devkey.revoke dev",
        "cli devkey.issue dev",
        "cli account.create boss",
    ]
    assert f"dev key {issued.strip()[:8]}" in rows[4]


async def send_sms(hub: WebHub, name: str, count: int) -> None:
    """`count` messages through the signed delivery-api, as the customer's program sends."""
    async with hub.ctx.db.transaction() as session:
        account = await accounts.get(session, name)
        secret = await auth.issue_secret(session, account.id, hub.clock.now(), rotate=False)
    await approve(hub, name, "SHOP")
    phones = ",".join(f"7900{n:07d}" for n in range(count))
    sent = await delivery_call(hub, "send", name, secret, phone=phones, sender="SHOP", text="hello")
    assert all(r["error"] == "0" for r in sent.values()), sent


async def test_delivery_queue_pages_and_cancel(web_hub, make_web_buyer, new_page):
    bob_key = await make_web_buyer("bob", balance=100_00)
    await make_web_buyer("carol", balance=100_00)
    await send_sms(web_hub, "bob", 50)
    await send_sms(web_hub, "carol", 1)
    await make_operator(web_hub)
    page = await new_page()
    await log_in(page, web_hub.url, "boss")
    await page.goto(f"{web_hub.url}/admin")
    await page.get_by_role("link", name="Delivery queue").click()
    rows = page.locator("tr.queue-row")
    await expect(rows).to_have_count(50)
    await expect(rows.first).to_contain_text("carol")
    await look(page, "admin-queue")
    # Keyset paging: the 51st message, the oldest of bob's, is on the next page.
    await page.get_by_role("link", name="Older").click()
    await expect(rows).to_have_count(1)
    await expect(rows.first).to_contain_text("bob")

    await page.goto(f"{web_hub.url}/admin/queue")
    await page.get_by_label("Account").fill("carol")
    await page.get_by_label("State").select_option("queued")
    await page.get_by_role("button", name="Show").click()
    await expect(rows).to_have_count(1)
    before = (await web_hub.api("getBalance", bob_key))["balance"]
    await page.get_by_label("Account").fill("bob")
    await page.get_by_role("button", name="Show").click()
    await expect(rows).to_have_count(50)
    await rows.first.get_by_role("button", name="Cancel").click()
    await expect(page.get_by_role("status")).to_have_text("Done.")
    await expect(rows).to_have_count(49)  # still filtered on queued
    await page.get_by_label("State").select_option("failed")
    await page.get_by_role("button", name="Show").click()
    await expect(rows).to_have_count(1)
    await expect(rows.first).to_contain_text("cancelled by an operator")
    after = (await web_hub.api("getBalance", bob_key))["balance"]
    assert Decimal(after) > Decimal(before)  # the held price came back

    # A failed message cannot be cancelled again: refused, nothing recorded.
    failed_id = (await rows.first.locator("td").first.inner_text()).strip()
    csrf = await page.locator("input[name=csrf]").first.get_attribute("value")
    shown = await page.goto(f"{web_hub.url}/admin/queue?account=nobody")
    assert shown is not None and shown.status == 404
    refused = await page.request.post(
        f"{web_hub.url}/admin/queue/cancel", form={"csrf": csrf or "", "id": failed_id}
    )
    assert refused.status == 400 and "Only a queued message" in await refused.text()
    rows_now = await audit_rows(page, web_hub.url)
    assert [r for r in actions_of(rows_now) if "delivery.cancel" in r] == [
        "boss delivery.cancel message"
    ]


async def test_buyers_get_404_and_forms_need_the_token(web_hub, make_web_buyer, new_page):
    await make_web_buyer("bob")
    await web_hub.give_password("bob")
    await make_operator(web_hub)
    buyer = await new_page()
    await log_in(buyer, web_hub.url, "bob")
    await expect(buyer.locator("#console-link")).to_have_count(0)
    csrf = await buyer.locator("input[name=csrf]").first.get_attribute("value")
    for path in ("/admin/devkeys", "/admin/rsa", "/admin/queue"):
        shown = await buyer.goto(f"{web_hub.url}{path}")
        assert shown is not None and shown.status == 404, path
    forms = {
        "/admin/devkeys": {"note": "mine"},
        "/admin/devkeys/revoke": {"id": "1"},
        "/admin/rsa/rotate": {},
        "/admin/queue/cancel": {"id": "1"},
    }
    pem = await public_pem(web_hub)
    for path, form in forms.items():
        forged = await buyer.request.post(
            f"{web_hub.url}{path}", form={"csrf": csrf or "", **form}, max_redirects=0
        )
        assert forged.status == 404, path

    boss = await new_page()
    await log_in(boss, web_hub.url, "boss")
    await expect(boss.locator("#console-link")).to_have_text("Console")
    for path, form in forms.items():
        refused = await boss.request.post(f"{web_hub.url}{path}", form=form, max_redirects=0)
        assert refused.status == 403, path
    assert await public_pem(web_hub) == pem
    rows = await audit_rows(boss, web_hub.url)
    assert actions_of(rows) == ["cli account.create boss"]


async def test_a_message_a_worker_holds_is_in_flight_and_not_cancelled(
    web_hub, make_web_buyer, new_page
):
    await make_web_buyer("bob", balance=100_00)
    await send_sms(web_hub, "bob", 1)
    # A worker claims it, as the queue runner does before handing it to the SMSC.
    async with web_hub.ctx.db.transaction() as session:
        claimed = await outcomes.claim_due(session, web_hub.ctx.settings, web_hub.clock.now(), 5)
    assert len(claimed) == 1
    await make_operator(web_hub)
    page = await new_page()
    await log_in(page, web_hub.url, "boss")
    await page.goto(f"{web_hub.url}/admin/queue?state=in_flight")
    row = page.locator("tr.queue-row")
    await expect(row).to_contain_text("in flight")
    await expect(row.get_by_role("button", name="Cancel")).to_have_count(0)
    await page.goto(f"{web_hub.url}/admin/queue?state=queued")
    await expect(row).to_have_count(0)

    csrf = await page.locator("input[name=csrf]").first.get_attribute("value")
    forged = await page.request.post(
        f"{web_hub.url}/admin/queue/cancel",
        form={"csrf": csrf or "", "id": str(claimed[0].message_id)},
    )
    assert forged.status == 400
    async with web_hub.ctx.db.read() as session:
        message = await session.get(OutboundMessage, claimed[0].message_id)
    assert message is not None and message.state == "queued"
    assert actions_of(await audit_rows(page, web_hub.url)) == ["cli account.create boss"]
