"""The delivery-api over real HTTP: reply shapes, and every spec error code that applies to
these methods produced by a real bad request."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select, update

from simgate.core.clock import FrozenClock
from simgate.core.db import Database
from simgate.delivery import admin, auth
from simgate.hub.context import HubContext
from simgate.ledger import service as ledger
from simgate.models import Account
from simgate.models.delivery import OutboundMessage
from tests.delivery.conftest import SENDER, Customer, DeliveryClient, make_customer

PHONE = "79087156685"


async def message_count(db: Database) -> int:
    async with db.read() as session:
        return int((await session.execute(select(func.count(OutboundMessage.id)))).scalar_one())


async def send(api: DeliveryClient, **overrides: str) -> Any:
    params = {"phone": PHONE, "text": "hello world", "sender": SENDER, **overrides}
    return await api.call("send", post=False, **params)


async def test_timestamp_and_balance(api: DeliveryClient, ctx: HubContext) -> None:
    assert await api.raw("timestamp", {}) == {"timestamp": auth.epoch_seconds(ctx.clock.now())}
    assert await api.call("balance") == {"money": "100", "currency": "RUR"}
    assert await api.call("balance", post=True) == {"money": "100", "currency": "RUR"}


async def test_json_body_is_accepted(api: DeliveryClient) -> None:
    response = await api.http.post("/delivery-api/get/balance.php", json=api.signed())
    assert response.json() == {"money": "100", "currency": "RUR"}


async def test_send_reply_shape_and_hold(api: DeliveryClient, ctx: HubContext) -> None:
    reply = await send(api, phone=f"{PHONE},+7 (912) 000-11-22")
    first = reply[PHONE]
    assert first["error"] == "0" and first["cost"] == "0.5" and first["count_sms"] == "1"
    assert len(first["id_sms"]) == 22 and first["id_sms"].isdigit()
    assert reply["+7 (912) 000-11-22"]["id_sms"] != first["id_sms"]
    assert await api.call("balance") == {"money": "99", "currency": "RUR"}
    assert await api.call("status", state=first["id_sms"]) == {first["id_sms"]: "wait"}


@pytest.mark.parametrize(
    ("drop", "code"),
    [("signature", "1"), ("login", "2"), ("timestamp", "24")],
)
async def test_missing_auth_parameters(api: DeliveryClient, drop: str, code: str) -> None:
    params = api.signed(phone=PHONE, text="hi", sender=SENDER)
    del params[drop]
    assert await api.raw("send", params) == {"error": code}


async def test_unknown_login_and_bad_signature(api: DeliveryClient, ctx: HubContext) -> None:
    params = api.signed()
    assert await api.raw("balance", {**params, "login": "nobody"}) == {"error": "7"}
    assert await api.raw("balance", {**params, "signature": "0" * 32}) == {"error": "6"}
    assert await api.raw("balance", {**params, "extra": "x"}) == {"error": "6"}
    assert await api.raw("balance", {**params, "timestamp": "soon"}) == {"error": "24"}


@pytest.mark.parametrize("shift", [-61, 61])
async def test_stale_or_future_signature_sends_nothing(
    api: DeliveryClient, ctx: HubContext, clock: FrozenClock, shift: int
) -> None:
    params = api.signed(phone=PHONE, text="hi", sender=SENDER)
    clock.advance(shift)
    assert await api.raw("send", params) == {"error": "6"}
    clock.advance(-shift + (shift // abs(shift)) * 59)
    assert (await api.raw("send", params))[PHONE]["error"] == "0"  # inside the window again
    assert await message_count(ctx.db) == 1


async def test_wrong_signature_sends_nothing(api: DeliveryClient, ctx: HubContext) -> None:
    params = api.signed(phone=PHONE, text="hi", sender=SENDER)
    assert await api.raw("send", {**params, "text": "changed"}) == {"error": "6"}
    assert await message_count(ctx.db) == 0
    async with ctx.db.read() as session:
        assert (await ledger.balance(session, api.customer.account_id)).held == 0


async def test_replay_is_answered_but_not_executed(api: DeliveryClient, ctx: HubContext) -> None:
    params = api.signed(phone=PHONE, text="once", sender=SENDER)
    first = await api.raw("send", params)
    again = await api.raw("send", params, post=True)
    assert first == again
    assert await message_count(ctx.db) == 1
    assert await api.call("balance") == {"money": "99.5", "currency": "RUR"}


async def test_service_disabled_and_blocked_account(api: DeliveryClient, ctx: HubContext) -> None:
    async with ctx.db.transaction() as session:
        await session.execute(update(Account).values(blocked=True))
    assert await api.call("balance") == {"error": "000"}
    ctx.settings = ctx.settings.model_copy(update={"delivery_enabled": False})
    assert await api.raw("timestamp", {}) == {"error": "000"}


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"text": ""}, "3"),
        ({"phone": ""}, "4"),
        ({"sender": ""}, "5"),
        ({"sender": "far too long name"}, "8"),
        ({"sender": "Unknown"}, "9"),
        ({"phone": ",".join(f"7900000{i:04d}" for i in range(51))}, "14"),
        ({"phone": "12,abc"}, "27"),
        ({"text": "x" * 1531}, "12"),  # 11 parts; at most 10
    ],
)
async def test_send_request_errors(
    api: DeliveryClient, ctx: HubContext, overrides: dict[str, str], code: str
) -> None:
    assert await send(api, **overrides) == {"error": code}
    assert await message_count(ctx.db) == 0


async def test_sender_awaiting_moderation_is_error_10(
    api: DeliveryClient, ctx: HubContext, clock: FrozenClock
) -> None:
    assert await api.call("add_sender", sender="NewName") == {"NewName": "moderation"}
    assert await send(api, sender="NewName") == {"error": "10"}
    assert await api.call("senders") == {"NewName": "moderation", SENDER: "completed"}
    async with ctx.db.transaction() as session:
        await admin.decide_sender(
            session, api.customer.account_id, "NewName", "completed", ctx.clock.now()
        )
    clock.advance(1)  # a new timestamp: the same values in the same second are one signature
    assert (await send(api, sender="NewName"))[PHONE]["error"] == "0"


async def test_forbidden_words_error_11(api: DeliveryClient, ctx: HubContext) -> None:
    ctx.settings = ctx.settings.model_copy(update={"sms_forbidden_words": ["казино", "free money"]})
    assert await send(api, text="Лучшее КАЗИНО тут") == {"error": "11"}
    assert (await send(api, text="get FREE   money"))[PHONE]["error"] == "0"  # exact phrase
    assert await send(api, text="Free money now") == {"error": "11"}
    assert (await send(api, text="казиновед"))[PHONE]["error"] == "0"  # whole words only


async def test_per_number_errors(api: DeliveryClient, ctx: HubContext) -> None:
    async with ctx.db.transaction() as session:
        await admin.stop_list_add(session, "+7 900 111 22 33", "opt-out", ctx.clock.now())
    reply = await send(api, phone=f"{PHONE},79001112233,12345")
    assert reply[PHONE]["error"] == "0"
    assert reply["79001112233"] == {"error": "13"}
    assert reply["12345"] == {"error": "16"}
    assert await message_count(ctx.db) == 1


async def test_insufficient_funds_per_number(ctx: HubContext, api: DeliveryClient) -> None:
    poor = await make_customer(ctx, "poor", balance=120)  # 1.20 pays for two parts
    api.customer = poor
    reply = await send(api, phone="79000000001,79000000002,79000000003")
    assert [reply[p]["error"] for p in sorted(reply)] == ["0", "0", "12"]
    assert await api.call("balance") == {"money": "0.2", "currency": "RUR"}


async def test_status_errors_and_other_accounts(api: DeliveryClient, ctx: HubContext) -> None:
    assert await api.call("status") == {"error": "17"}
    assert await api.call("status", state="123,456") == {"error": "18"}
    own = (await send(api))[PHONE]["id_sms"]
    other: Customer = await make_customer(ctx, "bob")
    mine = api.customer
    api.customer = other
    assert await api.call("status", state=own) == {"error": "18"}  # not bob's message
    api.customer = mine
    assert await api.call("status", state=f"{own}, 999") == {own: "wait"}


async def test_templates(api: DeliveryClient, ctx: HubContext, clock: FrozenClock) -> None:
    assert await api.call("template") == {"error": "19"}
    assert await api.call("add_template", name="", text="x") == {"error": "21"}
    assert await api.call("add_template", name="greet", text="") == {"error": "3"}
    created = await api.call("add_template", name="greet", text="Hello {name}!")
    assert created["id"].isdigit()
    assert await api.call("add_template", name="greet", text="again") == {"error": "22"}
    stamp = ctx.clock.now().strftime("%Y-%m-%d %H:%M:%S")
    clock.advance(1)  # `template` with the same timestamp would be a replay of the first one
    listed = await api.call("template")
    assert listed == {"greet": {"template": "Hello {name}!", "up_time": stamp}}


async def test_senders_empty_is_error_19(
    api: DeliveryClient, ctx: HubContext, clock: FrozenClock
) -> None:
    api.customer = await make_customer(ctx, "carol", sender=False)
    assert await api.call("senders") == {"error": "19"}
    assert await api.call("add_sender", sender="bad name!") == {"error": "8"}
    clock.advance(1)  # login + timestamp alone signed `senders` in this second already
    assert await api.call("add_sender") == {"error": "5"}


async def test_unknown_method_is_404_json(api: DeliveryClient) -> None:
    response = await api.http.get("/delivery-api/get/nothing.php")
    assert response.status_code == 404
    assert response.json() == {"error": "unknown method"}


async def test_storage_failure_is_error_25(
    api: DeliveryClient, ctx: HubContext, tmp_path: Any
) -> None:
    broken = Database(f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}")  # no tables at all
    real, ctx.db = ctx.db, broken
    try:
        assert await api.call("balance") == {"error": "25"}
    finally:
        ctx.db = real
        await broken.dispose()
