"""Nobody can lock a username out without a valid dev key and a real ciphertext: only an
attempt that could be the owner's spends the username's attempt budget."""

from __future__ import annotations

import base64

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from simgate.accounts import login as logins
from simgate.accounts.registration import InvalidFields
from tests.auth.conftest import PASSWORD, AuthHub


async def owner_registered(auth_hub: AuthHub, username: str) -> None:
    auth_hub.ctx.settings = auth_hub.ctx.settings.model_copy(update={"email_confirmation": False})
    assert (await auth_hub.register(username))["response"] == "1"


async def modulus_bytes(auth_hub: AuthHub) -> int:
    key = serialization.load_pem_public_key(await auth_hub.pem())
    assert isinstance(key, rsa.RSAPublicKey)
    return key.key_size // 8


async def test_bad_dev_keys_and_garbage_cannot_lock_a_user_out(auth_hub: AuthHub) -> None:
    await owner_registered(auth_hub, "olga")
    size = await modulus_bytes(auth_hub)
    real_ciphertext = await auth_hub.encrypt("a guess")
    bad_forms = {
        "wrong dev key": logins.LoginForm("olga", real_ciphertext, "dev_not_issued"),
        "not base64": logins.LoginForm("olga", "garbage!", auth_hub.dev_key),
        "wrong length": logins.LoginForm(
            "olga", base64.b64encode(b"x" * 10).decode(), auth_hub.dev_key
        ),
        # The right length, but above the modulus: no padding can ever decrypt it.
        "undecryptable": logins.LoginForm(
            "olga", base64.b64encode(b"\xff" * size).decode(), auth_hub.dev_key
        ),
    }
    budget = auth_hub.ctx.settings.login_attempts_per_window
    before = auth_hub.verifications()
    for number in range(budget * 2):
        for index, (what, form) in enumerate(bad_forms.items()):
            # A fresh address each time: only the username's budget could stop the owner.
            address = f"10.3.{index}.{number}"
            try:
                await logins.login(auth_hub.ctx.deps, form, address)
            except InvalidFields as invalid:
                assert list(invalid.fields) == [
                    "dev_key" if what == "wrong dev key" else "password"
                ]
            else:
                raise AssertionError(f"{what} was accepted")
    assert auth_hub.verifications() == before

    owner = logins.LoginForm("olga", await auth_hub.encrypt(PASSWORD), auth_hub.dev_key)
    assert (await logins.login(auth_hub.ctx.deps, owner, "10.9.9.9")).api_key


async def test_malformed_logins_spend_nothing_of_the_address_either(auth_hub: AuthHub) -> None:
    await owner_registered(auth_hub, "petr")
    secret = await auth_hub.encrypt("a guess")
    for _ in range(auth_hub.ctx.settings.login_attempts_per_window * 2):
        reply = await auth_hub.post("login", username="petr", password=secret, dev_key="dev_x")
        assert list(reply["response"]) == ["dev_key"]
        reply = await auth_hub.post(
            "login", username="petr", password="AAAA", dev_key=auth_hub.dev_key
        )
        assert list(reply["response"]) == ["password"]
    assert (await auth_hub.login("petr"))["response"] == "1"
