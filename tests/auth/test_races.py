"""Concurrent requests: the limits hold because they are conditional UPDATEs, not checks."""

from __future__ import annotations

import asyncio

from tests.auth.conftest import AuthHub


async def test_parallel_brute_force_stays_within_the_budget(auth_hub: AuthHub) -> None:
    budget = auth_hub.ctx.settings.login_attempts_per_window
    before = auth_hub.verifications()
    secret = await auth_hub.encrypt("wrong password here")
    replies = await asyncio.gather(
        *(
            auth_hub.post("login", username=f"u{n}", password=secret, dev_key=auth_hub.dev_key)
            for n in range(budget * 3)
        )
    )
    words = [reply["response"] for reply in replies]
    assert words.count("LOGIN_ERROR") == budget
    assert words.count("TIME_ERROR") == budget * 2
    assert auth_hub.verifications() - before <= budget


async def test_parallel_registrations_of_one_username(auth_hub: AuthHub) -> None:
    replies = await asyncio.gather(
        *(auth_hub.register("olga", email=f"olga{n}@example.org") for n in range(4))
    )
    assert [reply["response"] for reply in replies].count("1") == 1
    refused = [reply for reply in replies if reply["response"] != "1"]
    assert all(list(reply["response"]) == ["username"] for reply in refused)


async def test_odd_json_never_breaks_the_hub(auth_hub: AuthHub) -> None:
    reply = await auth_hub.post(
        "register",
        as_json=True,
        name=["x"],
        username={"a": 1},
        email=5,
        password=None,
        password_confirmation=True,
        dev_key=3.5,
        terms="maybe",
    )
    assert {"name", "username", "email", "password", "terms"} <= set(reply["response"])
    login = await auth_hub.post("login", as_json=True, username=[1], password={}, dev_key=None)
    assert set(login["response"]) == {"username", "password", "dev_key"}
