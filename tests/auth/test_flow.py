"""The whole story of issue 5's accounts part, over real HTTP and real SMTP."""

from __future__ import annotations

from tests.auth.conftest import AuthHub


async def test_register_confirm_login_and_use_the_key(auth_hub: AuthHub) -> None:
    pem = await auth_hub.pem()
    assert pem.startswith(b"-----BEGIN PUBLIC KEY-----")
    assert await auth_hub.pem() == pem  # one key, generated on first use and kept

    assert await auth_hub.register("alice") == {"response": "1", "active": "true"}

    messages = await auth_hub.mailbox.wait(1)
    assert messages[0]["To"] == "alice@example.org"
    link = await auth_hub.confirm_link()
    assert link.startswith(auth_hub.url + "/confirm-email/")

    assert await auth_hub.login("alice") == {"response": "ERROR_ACCOUNT_NOT_ACTIVATE"}

    page = await auth_hub.client.get(link)
    assert page.status_code == 200 and "Адрес подтверждён" in page.text
    again = await auth_hub.client.get(link)
    assert again.status_code == 200 and "уже" in again.text
    unknown = await auth_hub.client.get(f"{auth_hub.url}/confirm-email/not-a-token")
    assert unknown.status_code == 404

    reply = await auth_hub.login("alice")
    assert reply["response"] == "1" and reply["active"] == "true"
    balance = await auth_hub.client.get(
        f"{auth_hub.url}/api/getBalance.php", params={"apikey": reply["apikey"]}
    )
    assert balance.status_code == 200
    body = balance.json()
    assert body["response"] == 1 and float(body["balance"]) == 0


async def test_json_body_and_oaep_are_accepted(auth_hub: AuthHub) -> None:
    for number, scheme in enumerate(("oaep-sha1", "oaep-sha256")):
        secret = await auth_hub.encrypt("another long password", scheme)
        reply = await auth_hub.post(
            "register",
            as_json=True,
            name="Боб",
            username=f"bob{number}",
            email=f"bob{number}@example.org",
            password=secret,
            password_confirmation=secret,
            dev_key=auth_hub.dev_key,
            terms=True,
        )
        assert reply == {"response": "1", "active": "true"}
        link = await auth_hub.confirm_link(number)
        assert (await auth_hub.client.get(link)).status_code == 200
        login = await auth_hub.post(
            "login",
            as_json=True,
            username=f"bob{number}",
            password=await auth_hub.encrypt("another long password", scheme),
            dev_key=auth_hub.dev_key,
        )
        assert login["response"] == "1" and login["apikey"]


async def test_confirmation_off_logs_in_at_once(auth_hub: AuthHub) -> None:
    auth_hub.ctx.settings = auth_hub.ctx.settings.model_copy(update={"email_confirmation": False})
    assert await auth_hub.register("carol") == {"response": "1", "active": "false"}
    reply = await auth_hub.login("carol")
    assert reply["response"] == "1" and reply["apikey"]
    assert auth_hub.mailbox.messages == []
