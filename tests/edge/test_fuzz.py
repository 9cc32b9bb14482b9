"""A seeded fuzz over the hub's whole input edge: every onlinesim method, the sandbox,
PUSH_SMS and the delivery-api get overflowing, non-ASCII, NUL, malformed-JSON and huge
inputs. No answer may be a 5xx, and every onlinesim answer is JSON carrying `response`.

A seeded loop rather than hypothesis: the request mix is fixed and reproducible by seed,
its size (and so its run time) is bounded, and a failure names the exact request.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
import pytest

from simgate.core.settings import Settings
from simgate.delivery import auth, signature
from simgate.dialects.onlinesim import router as _methods  # noqa: F401  (fills the table)
from simgate.dialects.onlinesim.registry import METHODS, PUBLIC_METHODS
from simgate.dialects.onlinesim.sandbox import SANDBOX_METHODS
from tests.delivery.conftest import make_customer
from tests.hub.conftest import Hub

SEED = 20261130
PER_TARGET = {"api": 700, "demo": 150, "push": 150, "delivery": 150}
PARALLEL = 4

ONLINESIM_NAMES = [
    "apikey", "service", "country", "tzid", "form", "type", "number", "region", "extension",
    "operator", "simoperator", "reject", "page", "id", "forward_number", "forward_minutes",
    "minutes", "max_minutes", "auto", "sort", "clean", "clean_call", "msg_list",
    "message_to_code", "orderby", "ban", "income", "terms", "username", "password", "email",
    "err",
]  # fmt: skip
# What each method reads, so most requests reach the code behind the key check.
METHOD_NAMES = {
    "getState": ["tzid", "form", "type", "clean", "message_to_code", "msg_list", "orderby"],
    "getOperations": ["clean", "message_to_code", "msg_list", "orderby"],
    "setOperationOk": ["tzid", "ban"],
    "setOperationRevise": ["tzid"],
    "setForwardStatusEnable": ["tzid"],
    "getNum": ["service", "country", "form", "region", "extension", "operator", "simoperator",
               "reject", "number", "forward_number", "forward_minutes", "clean_call"],
    "getNumRepeat": ["service", "number"],
    "getServiceList": ["country"],
    "getNumbersStats": ["country"],
    "getPrice": ["service", "country"],
    "getServiceNumber": ["service"],
    "forwardingList": ["id", "page", "sort"],
    "forwardingSave": ["id", "forward_number", "minutes", "auto", "max_minutes"],
    "forwardingRemove": ["id"],
    "getForwardPaymentsList": ["id"],
    "register": ["username", "password", "email", "terms"],
    "login": ["username", "password"],
}  # fmt: skip
DELIVERY_NAMES = ["login", "signature", "timestamp", "phone", "text", "sender", "state", "name"]
DELIVERY_METHODS = ["timestamp", "balance", "status", "template", "senders", "send",
                    "add_template", "add_sender"]  # fmt: skip
PUSH_NAMES = ["smsId", "smsID", "sms_id", "phone", "phoneFrom", "phone_from", "text", "key"]

AWKWARD: list[Any] = [
    str(2**63), str(2**64), "-" + str(2**63), str(2**31), "9" * 60, "-1", "0", "+7", "1e400",
    "²", "١٢٣", "１２３", "߁", "٣٤", "1_000", " 7 ", "7\x00", "\x00", "a\x00b", "NaN", "Infinity",
    "", "vk", "VKcom", "mts", "25001", "index", "1", "3", "true", "[1,2]", '{"number":"DESC"}',
    "\U0001f600", "ж" * 300, "x" * 4000, "%00", "\\", "\uffff0",
]  # fmt: skip
JSON_ONLY: list[Any] = ["\ud800", 2**64, -(2**63) - 1, 1.5, True, None, [1, "²"], {"a": 1}, 10**30]
RAW_BODIES = [
    b'{"apikey": "k", "tzid": 1e400}', b'{"apikey": ', b"\xff\xfe\xfd", b"[1, 2, 3]", b"42",
    b'"text"', b'{"a": "\\ud800"}', b"null", b"{}" * 1000, b"\x1f\x8b\x08\x00garbage",
]  # fmt: skip


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    # Cheap password hashing: the fuzz measures the edge, not argon2's budget.
    return Settings(
        data_dir=tmp_path, database_url=database_url, argon2_memory_kib=1024, argon2_time_cost=1
    )


def _value(rng: random.Random, *, json_body: bool) -> Any:
    if json_body and rng.random() < 0.2:
        return rng.choice(JSON_ONLY)
    return rng.choice(AWKWARD)


def _fields(rng: random.Random, names: list[str], key: str, *, json_body: bool) -> dict[str, Any]:
    count = rng.randint(1, min(6, len(names)))
    fields = {name: _value(rng, json_body=json_body) for name in rng.sample(names, count)}
    if "apikey" in names and rng.random() < 0.6:
        fields["apikey"] = key
    return fields


def _as_text(fields: dict[str, Any]) -> dict[str, str]:
    """Query and form values are text; a lone surrogate cannot be sent there."""
    return {k: str(v).encode("utf-8", "replace").decode() for k, v in fields.items()}


def _request(rng: random.Random, path: str, fields: dict[str, Any]) -> dict[str, Any]:
    """One request in one of the shapes clients send: query, form, JSON, raw or huge body."""
    shape = rng.choices(["get", "form", "json", "multipart", "raw", "huge"], [4, 2, 3, 1, 1, 1])[0]
    if shape == "get":
        return {"method": "GET", "url": path, "params": _as_text(fields)}
    if shape == "form":
        return {"method": "POST", "url": path, "data": _as_text(fields)}
    if shape == "json":
        return {
            "method": "POST",
            "url": path,
            "content": json.dumps(fields).encode(),
            "headers": {"content-type": "application/json"},
        }
    if shape == "multipart":
        bad = rng.random() < 0.5  # half of them without a boundary
        content_type = "multipart/form-data" + ("" if bad else "; boundary=zz")
        body = b"".join(
            b'--zz\r\nContent-Disposition: form-data; name="%s"\r\n\r\n%s\r\n'
            % (k.encode(), str(v).encode("utf-8", "surrogatepass"))
            for k, v in fields.items()
        )
        return {
            "method": "POST",
            "url": path,
            "content": body + b"--zz--\r\n",
            "headers": {"content-type": content_type},
        }
    if shape == "raw":
        return {
            "method": "POST",
            "url": path,
            "content": rng.choice(RAW_BODIES),
            "headers": {"content-type": rng.choice(["application/json", "text/plain", ""])},
        }
    size = rng.choice([(1 << 20) - 100, (1 << 20) + 1, 3 << 20])
    return {
        "method": "POST",
        "url": path,
        "content": b'{"a": "' + b"9" * size + b'"}',
        "headers": {"content-type": "application/json"},
    }


def _plan(
    key: str, push_key: str, sign: Callable[[dict[str, str]], dict[str, str]]
) -> list[tuple[str, dict[str, Any]]]:
    rng = random.Random(SEED)
    api_names = sorted(METHODS) + sorted(PUBLIC_METHODS)
    plan = []
    for _ in range(PER_TARGET["api"]):
        name = rng.choice(api_names)
        fields = _fields(rng, ONLINESIM_NAMES, key, json_body=True)
        fields.update(_fields(rng, METHOD_NAMES.get(name, ONLINESIM_NAMES), key, json_body=True))
        plan.append(("api", _request(rng, f"/api/{name}.php", fields)))
    for _ in range(PER_TARGET["demo"]):
        path = f"/demo/api/{rng.choice(sorted(SANDBOX_METHODS))}.php"
        plan.append(
            ("demo", _request(rng, path, _fields(rng, ONLINESIM_NAMES, key, json_body=True)))
        )
    for _ in range(PER_TARGET["push"]):
        path = rng.choice(["/push_sms_webhook", "/agent/api/sms"])
        fields = {
            "smsId": rng.randint(1, 10**6),
            "phone": 79001234567,
            "phoneFrom": "VK",
            "text": "VK: 12345",
            "key": push_key,
        }
        fields.update(_fields(rng, PUSH_NAMES, key, json_body=True))
        request = _request(rng, path, fields)
        if request["method"] == "GET":  # PUSH_SMS is POST only; a GET is a plain 405
            request["method"] = "POST"
        plan.append(("push", request))
    for _ in range(PER_TARGET["delivery"]):
        path = f"/delivery-api/get/{rng.choice(DELIVERY_METHODS)}.php"
        fields = _fields(rng, DELIVERY_NAMES, key, json_body=True)
        if rng.random() < 0.5:  # signed, so the values get past the signature check
            signed = sign(_as_text(fields))
            how = "params" if rng.random() < 0.5 else "data"
            request = {"method": "GET" if how == "params" else "POST", "url": path, how: signed}
        else:
            request = _request(rng, path, fields)
        plan.append(("delivery", request))
    rng.shuffle(plan)
    return plan


def _is_word(text: str) -> bool:
    return bool(text) and set(text) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZ_")


def _problem(target: str, status: int, content: bytes) -> str | None:
    """What is wrong with one answer, or None."""
    if status >= 500:
        return f"HTTP {status}"
    try:
        body = orjson.loads(content)
    except orjson.JSONDecodeError:
        return "not JSON"
    if target in ("api", "demo"):
        if status != 200:
            return f"HTTP {status}"
        if isinstance(body, list) or (isinstance(body, dict) and "response" not in body):
            return None  # a listing (getState, getServiceList, getNumbersStats)
        word = body.get("response") if isinstance(body, dict) else None
        if word == 1 or isinstance(word, dict) or (isinstance(word, str) and _is_word(word)):
            return None  # success, register's field messages, or an error word
        return "no response word"
    if target == "push":
        return None if status == 200 and isinstance(body, dict) and "status" in body else "shape"
    if status == 413 or (status == 200 and isinstance(body, dict)):
        return None
    return f"HTTP {status}"


async def test_fuzzed_requests_never_answer_5xx_and_always_in_the_dialects_shape(
    hub: Hub, buyer: str, connect_agent: Any, caplog: pytest.LogCaptureFixture
) -> None:
    agent = await connect_agent()
    customer = await make_customer(hub.ctx, "fuzzer")

    def sign(fields: dict[str, str]) -> dict[str, str]:
        stamp = str(auth.epoch_seconds(hub.clock.now()))
        full = {**fields, "login": customer.name, "timestamp": stamp}
        full["signature"] = signature.compute(full, customer.secret)
        return full

    plan = _plan(buyer, agent.key, sign)
    assert len(plan) >= 1000
    gate = asyncio.Semaphore(PARALLEL)
    problems: list[str] = []

    async def send(target: str, request: dict[str, Any]) -> None:
        request = {**request, "url": hub.url + request["url"]}
        async with gate:
            response = await hub.client.request(**request)
        problem = _problem(target, response.status_code, response.content)
        if problem:
            problems.append(f"{problem}: {str(request)[:300]} -> {response.content[:200]!r}")

    await asyncio.gather(*(send(target, request) for target, request in plan))
    assert problems == [], f"{len(problems)} bad answers, first: {problems[:5]}"
    # A value that reached SQL and failed there is answered politely but logged as an error.
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors == [], f"{len(errors)} errors logged, first: {errors[:5]}"
