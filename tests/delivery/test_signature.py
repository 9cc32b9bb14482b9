"""The md5 signature of the spec (PHP ksort + implode + key) and its constant-time check."""

from __future__ import annotations

import hashlib

from simgate.delivery import signature

KEY = "ab2ec4b50c2b00b003c93ea99c19228f89e50b0e"


def test_values_sorted_by_name_then_key() -> None:
    params = {
        "timestamp": "1477404711",
        "login": "YourLogin",
        "phone": "79087156685",
        "text": "Long text",
    }
    # The spec's worked example: "YourLogin79087156685Long text1477404711" + key.
    expected = hashlib.md5(
        ("YourLogin79087156685Long text1477404711" + KEY).encode(), usedforsecurity=False
    ).hexdigest()
    assert signature.compute(params, KEY) == expected
    assert signature.compute({**params, "signature": "ignored"}, KEY) == expected


def test_utf8_text_and_comparison() -> None:
    params = {"login": "u", "text": "Привет", "timestamp": "1"}
    good = signature.compute(params, KEY)
    assert signature.matches(params, KEY, good)
    assert signature.matches(params, KEY, good.upper())
    assert not signature.matches(params, KEY, good[:-1] + ("0" if good[-1] != "0" else "1"))
    assert not signature.matches(params, "other", good)
    assert not signature.matches(params, KEY, "пусто")
