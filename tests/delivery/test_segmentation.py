"""Part counting and part bodies: GSM-7 160/153 with the extension table counting double,
UCS-2 70/67 in UTF-16 code units, never splitting an escape pair or a surrogate pair."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from simgate.delivery.segmentation import (
    DATA_CODING_GSM7,
    DATA_CODING_UCS2,
    GSM_BASIC,
    GSM_EXTENSION,
    concat_udh,
    decode_part,
    segment,
)


def test_gsm_basic_table_has_128_codes() -> None:
    assert len(GSM_BASIC) == 128
    assert GSM_BASIC[0x1B] == "\x1b"


@pytest.mark.parametrize(
    ("text", "encoding", "parts"),
    [
        ("", "gsm7", 1),
        ("a" * 160, "gsm7", 1),
        ("a" * 161, "gsm7", 2),
        ("a" * 306, "gsm7", 2),
        ("a" * 307, "gsm7", 3),
        ("€" * 80, "gsm7", 1),  # 160 septets
        ("€" * 81, "gsm7", 2),  # 162 septets
        ("a" * 159 + "^", "gsm7", 2),  # the escape pair pushes it over 160
        ("\f" * 80, "gsm7", 1),  # form feed is in the extension table too
        ("я" * 70, "ucs2", 1),
        ("я" * 71, "ucs2", 2),
        ("я" * 134, "ucs2", 2),
        ("я" * 135, "ucs2", 3),
        ("я" * 200, "ucs2", 3),
        ("😀" * 35, "ucs2", 1),  # 70 UTF-16 code units
        ("😀" * 36, "ucs2", 2),
        ("a" * 160 + "ё", "ucs2", 3),  # one non-GSM letter turns the whole text into UCS-2
    ],
)
def test_part_counts(text: str, encoding: str, parts: int) -> None:
    result = segment(text)
    assert (result.encoding, result.count) == (encoding, parts)


def test_gsm_parts_hold_153_septets_and_keep_escape_pairs_whole() -> None:
    text = "a" * 152 + "{" + "b" * 10
    result = segment(text)
    assert [len(p) for p in result.parts] == [152, 12]  # "{" (2 septets) moved to part 2
    assert result.parts[1][:2] == bytes([0x1B, 0x28])
    assert result.data_coding == DATA_CODING_GSM7


def test_ucs2_parts_keep_surrogate_pairs_whole() -> None:
    text = "я" * 66 + "😀" + "я" * 5  # 73 code units: two parts
    result = segment(text)
    assert [len(p) for p in result.parts] == [132, 14]
    assert result.data_coding == DATA_CODING_UCS2


def test_concat_udh() -> None:
    assert concat_udh(0x1234, 3, 2) == bytes([0x05, 0x00, 0x03, 0x34, 3, 2])


_gsm_text = st.text(
    alphabet=st.sampled_from([c for c in GSM_BASIC if c != "\x1b"] + list(GSM_EXTENSION))
)


@given(_gsm_text)
def test_gsm_round_trip_and_limits(text: str) -> None:
    result = segment(text)
    assert "".join(decode_part(p, result.data_coding) for p in result.parts) == text
    limit = 160 if result.count == 1 else 153
    assert all(len(p) <= limit for p in result.parts)


@given(st.text(min_size=1).filter(lambda t: not all(c in GSM_BASIC for c in t)))
def test_ucs2_round_trip_and_limits(text: str) -> None:
    result = segment(text)
    joined = "".join(decode_part(p, result.data_coding) for p in result.parts)
    assert joined == text
    if result.encoding == "ucs2":
        limit = 140 if result.count == 1 else 134
        assert all(len(p) <= limit for p in result.parts)
