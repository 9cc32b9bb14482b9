"""register's refusals: each field error from a real condition, never an HTTP 500."""

from __future__ import annotations

import base64
import os

from simgate.accounts import devkeys
from tests.auth.conftest import AuthHub

REQUIRED = "Поле {} обязательно для заполнения."


async def test_empty_body_names_every_field(auth_hub: AuthHub) -> None:
    reply = await auth_hub.post("register")
    fields = ("name", "username", "email", "password", "password_confirmation", "dev_key", "terms")
    assert set(reply["response"]) == set(fields)
    assert reply["email"] == [REQUIRED.format("адрес электронной почты")]
    assert reply["response"]["email"] == reply["email"]


async def test_password_rules(auth_hub: AuthHub) -> None:
    short = await auth_hub.encrypt("short")
    reply = await auth_hub.register(password=short, password_confirmation=short)
    assert reply["password"] == ["Количество символов в поле пароль должно быть не меньше 10."]
    other = await auth_hub.encrypt("a different password")
    reply = await auth_hub.register(password_confirmation=other)
    assert reply["password"] == ["Поле пароль не совпадает с подтверждением."]


async def test_garbage_ciphertext_is_a_field_error(auth_hub: AuthHub) -> None:
    random_block = base64.b64encode(os.urandom(256)).decode()
    for garbage in ("not base64 at all!", random_block, base64.b64encode(b"plain").decode()):
        reply = await auth_hub.register(password=garbage)
        assert list(reply["response"]) == ["password"], garbage
        assert "зашифровано" in reply["password"][0]


async def test_email_terms_and_dev_key(auth_hub: AuthHub) -> None:
    reply = await auth_hub.register(email="not-an-email", terms="false", dev_key="dev_nope")
    assert set(reply["response"]) == {"email", "terms", "dev_key"}
    assert reply["terms"] == ["Вы должны принять правила сервиса."]
    assert reply["dev_key"] == ["Выбранное значение для ключ разработчика некорректно."]

    async with auth_hub.ctx.db.transaction() as session:
        revoked = await devkeys.issue(session, auth_hub.clock.now(), "to revoke")
        keys = await devkeys.listing(session)
        assert await devkeys.revoke(session, keys[-1].id, auth_hub.clock.now())
    reply = await auth_hub.register(dev_key=revoked)
    assert list(reply["response"]) == ["dev_key"]


async def test_username_and_email_are_unique(auth_hub: AuthHub) -> None:
    assert (await auth_hub.register("dora"))["response"] == "1"
    reply = await auth_hub.register("dora", email="Dora@Example.org")
    assert reply["username"] == ["Такое значение поля имя пользователя уже существует."]
    assert reply["email"] == ["Такое значение поля адрес электронной почты уже существует."]
    reply = await auth_hub.register("dora two", email="dora2@example.org")
    assert list(reply["response"]) == ["username"]
    assert "только буквы" in reply["username"][0]
