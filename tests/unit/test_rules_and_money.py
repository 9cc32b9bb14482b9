"""Pure helpers: code extraction, sender rules, money parsing and printing."""

from __future__ import annotations

from typing import Any

import pytest

from simgate.activations.rent import deferred_open
from simgate.catalog.rules import extract_code, sms_matches
from simgate.core.money import InvalidAmount, format_amount, format_fixed, parse_amount


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("VK: 33708 — код подтверждения", "33708"),
        ("Your WhatsApp code: 123-456", "123456"),
        ("Telegram code 12345", "12345"),
        ("G-482913 is your Google verification code.", "482913"),
        ("Код 7421. Никому не сообщайте", "7421"),
        ("Balance 100.50 RUB, code 991", "991"),
        ("no digits here", None),
    ],
)
def test_extract_code(text, code):
    assert extract_code(text) == code


def test_sender_rules():
    vk: dict[str, Any] = {"takes_all": False, "senders": "VK\nVKcom", "text_patterns": r"\bVK\b"}
    assert sms_matches(**vk, sender_filter=None, phone_from="vk", text="x")
    assert sms_matches(**vk, sender_filter=None, phone_from="+7900", text="VK: 123")
    assert not sms_matches(**vk, sender_filter=None, phone_from="Uber", text="Uber 1234")
    other: dict[str, Any] = {"takes_all": True, "senders": "", "text_patterns": ""}
    assert sms_matches(**other, sender_filter=None, phone_from="any", text="any")
    assert sms_matches(**other, sender_filter="Gett", phone_from="GETT", text="1234")
    assert not sms_matches(**other, sender_filter="Gett", phone_from="Uber", text="1234")


def test_money():
    assert parse_amount("12.50") == 1250
    assert parse_amount("12,5") == 1250
    assert parse_amount(7) == 700
    assert parse_amount("0.0001", 4) == 1
    assert parse_amount("10000000000000") == 10**15  # the largest amount
    for bad in ("abc", "1.005", "NaN", "inf", "1e999999", "1e16", "10000000000000.01"):
        with pytest.raises(InvalidAmount):
            parse_amount(bad)
    assert format_amount(1250) == "12.5"
    assert format_amount(1200) == "12"
    assert format_amount(5) == "0.05"
    assert format_fixed(98600) == "986.00"


def test_deferred_hours():
    import datetime as dt

    def at(hour: int) -> dt.datetime:
        return dt.datetime(2026, 1, 1, hour)

    assert deferred_open("0-24", at(3))
    assert deferred_open("8-20", at(8)) and not deferred_open("8-20", at(20))
    assert deferred_open("22-6", at(23)) and deferred_open("22-6", at(2))
    assert not deferred_open("22-6", at(12))
