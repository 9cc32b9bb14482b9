"""login's refusals and the keys it hands out."""

from __future__ import annotations

from typing import Any

from simgate.accounts import service as accounts
from tests.auth.conftest import PASSWORD, AuthHub


async def activated(auth_hub: AuthHub, username: str) -> None:
    count = len(auth_hub.mailbox.messages)
    assert (await auth_hub.register(username))["response"] == "1"
    link = await auth_hub.confirm_link(count)
    assert (await auth_hub.client.get(link)).status_code == 200


async def balance(auth_hub: AuthHub, key: str) -> Any:
    response = await auth_hub.client.get(
        f"{auth_hub.url}/api/getBalance.php", params={"apikey": key}
    )
    return response.json()["response"]


async def test_unknown_user_and_wrong_password_look_the_same(auth_hub: AuthHub) -> None:
    await activated(auth_hub, "erin")
    before = auth_hub.verifications()
    assert await auth_hub.login("erin", "wrong password!") == {"response": "LOGIN_ERROR"}
    assert await auth_hub.login("nobody", PASSWORD) == {"response": "LOGIN_ERROR"}
    # The unknown user was verified against a dummy hash, like a real one.
    assert auth_hub.verifications() - before == 2


async def test_missing_fields_and_bad_dev_key(auth_hub: AuthHub) -> None:
    reply = await auth_hub.post("login", username="erin")
    assert set(reply["response"]) == {"password", "dev_key"}
    secret = await auth_hub.encrypt(PASSWORD)
    reply = await auth_hub.post("login", username="erin", password=secret, dev_key="dev_x")
    assert list(reply["response"]) == ["dev_key"]
    reply = await auth_hub.post(
        "login", username="erin", password="garbage", dev_key=auth_hub.dev_key
    )
    assert list(reply["response"]) == ["password"]


async def test_blocked_account_is_refused(auth_hub: AuthHub) -> None:
    await activated(auth_hub, "frank")
    async with auth_hub.ctx.db.transaction() as session:
        (await accounts.get(session, "frank")).blocked = True
    assert await auth_hub.login("frank") == {"response": "ACCOUNT_BLOCKED"}


async def test_only_the_newest_login_keys_stay_valid(auth_hub: AuthHub) -> None:
    auth_hub.ctx.settings = auth_hub.ctx.settings.model_copy(update={"login_keys_kept": 2})
    await activated(auth_hub, "gina")
    keys = [(await auth_hub.login("gina"))["apikey"] for _ in range(3)]
    assert len(set(keys)) == 3
    assert await balance(auth_hub, keys[0]) == "ERROR_WRONG_KEY"
    assert await balance(auth_hub, keys[1]) == 1
    assert await balance(auth_hub, keys[2]) == 1
