"""TIME_ERROR and the argon2 budget: counted in the database, before any hashing."""

from __future__ import annotations

from tests.auth.conftest import PASSWORD, AuthHub


async def test_brute_force_stays_within_the_hashing_budget(auth_hub: AuthHub) -> None:
    budget = auth_hub.ctx.settings.login_attempts_per_window
    auth_hub.ctx.settings = auth_hub.ctx.settings.model_copy(update={"email_confirmation": False})
    assert (await auth_hub.register("hank"))["response"] == "1"
    before = auth_hub.verifications()
    replies = []
    for number in range(budget * 4):
        # Different usernames too: the per-address limit alone must stop it.
        username = "hank" if number % 2 else f"guess{number}"
        replies.append((await auth_hub.login(username, f"guess number {number}"))["response"])
    assert replies[:budget] == ["LOGIN_ERROR"] * budget
    assert set(replies[budget:]) == {"TIME_ERROR"}
    assert auth_hub.verifications() - before <= budget
    # Even the right password is not checked while the address is throttled.
    assert (await auth_hub.login("hank"))["response"] == "TIME_ERROR"
    assert auth_hub.verifications() - before <= budget

    auth_hub.clock.advance(auth_hub.ctx.settings.login_window_seconds + 1)
    assert (await auth_hub.login("hank"))["response"] == "1"


async def test_one_username_is_limited_across_addresses(auth_hub: AuthHub) -> None:
    """Simulates several replicas' worth of addresses: the username's counter is shared."""
    from simgate.accounts import login as logins
    from simgate.accounts import throttle

    budget = auth_hub.ctx.settings.login_attempts_per_window
    secret = await auth_hub.encrypt("not the password")
    form = logins.LoginForm("ivan", secret, auth_hub.dev_key)
    outcomes = []
    for number in range(budget + 2):
        try:
            await logins.login(auth_hub.ctx.deps, form, f"10.0.0.{number}")
        except (logins.LoginFailed, throttle.TooManyAttempts) as exc:
            outcomes.append(type(exc).__name__)
    assert outcomes == ["LoginFailed"] * budget + ["TooManyAttempts"] * 2


async def test_successful_logins_do_not_lock_the_user_out(auth_hub: AuthHub) -> None:
    auth_hub.ctx.settings = auth_hub.ctx.settings.model_copy(
        update={"email_confirmation": False, "login_attempts_per_window": 3}
    )
    assert (await auth_hub.register("jane"))["response"] == "1"
    from simgate.accounts import login as logins

    for number in range(6):  # from changing addresses: only the username bucket is shared
        secret = await auth_hub.encrypt(PASSWORD)
        form = logins.LoginForm("jane", secret, auth_hub.dev_key)
        assert (await logins.login(auth_hub.ctx.deps, form, f"10.1.0.{number}")).api_key


async def test_registration_flood_gets_time_error(auth_hub: AuthHub) -> None:
    limit = 3
    auth_hub.ctx.settings = auth_hub.ctx.settings.model_copy(
        update={"register_attempts_per_window": limit}
    )
    replies = [(await auth_hub.register(f"user{n}"))["response"] for n in range(limit + 2)]
    assert replies[:limit] == ["1"] * limit
    assert replies[limit:] == ["TIME_ERROR"] * 2


async def test_closed_windows_are_purged(auth_hub: AuthHub) -> None:
    from sqlalchemy import func, select

    from simgate.accounts import throttle
    from simgate.models.auth import AuthThrottle

    assert (await auth_hub.login("quinn"))["response"] == "LOGIN_ERROR"
    assert await throttle.purge_expired(auth_hub.ctx.deps) == 0
    auth_hub.clock.advance(auth_hub.ctx.settings.register_window_seconds + 1)
    assert await throttle.purge_expired(auth_hub.ctx.deps) == 2  # the address and the username
    async with auth_hub.ctx.db.read() as session:
        assert (await session.execute(select(func.count()).select_from(AuthThrottle))).scalar() == 0
