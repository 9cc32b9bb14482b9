"""The SMS-DELIVER decoder on published vectors and on PDUs built by the test builder."""

from __future__ import annotations

from typing import Any

import pytest

from simgate.agent.modem.pdu import PduError, alphabet, decode_deliver


def test_published_gsm7_vector() -> None:
    decoded = decode_deliver(
        "07911326040000F0040B911346610089F60000208062917314080CC8F71D14969741F977FD07"
    )
    assert decoded.sender == "+31641600986"
    assert decoded.text == "How are you?"
    assert decoded.part is None


def test_ucs2_cyrillic_single(pdu: Any) -> None:
    text = "Код: 1234"
    payload = text.encode("utf-16-be")
    decoded = decode_deliver(pdu.deliver("+79001234567", 0x08, len(payload), payload, udhi=False))
    assert (decoded.sender, decoded.text, decoded.part) == ("+79001234567", text, None)


def test_gsm7_with_8bit_concatenation_header_and_fill_bits(pdu: Any) -> None:
    header = pdu.concat_header(0xA7, 2, 2, ref16=False)
    decoded = decode_deliver(pdu.gsm7("Google", "G-123456 is your code @ £5", header))
    assert decoded.sender == "Google"
    assert decoded.text == "G-123456 is your code @ £5"
    assert decoded.part == (0xA7, 2, 2)


def test_ucs2_parts_with_16bit_reference(pdu: Any) -> None:
    parts = pdu.ucs2_parts("+79001234567", "Ж" * 140, ref=0xBEEF, ref16=True)
    decoded = [decode_deliver(p) for p in parts]
    assert [d.part for d in decoded] == [(0xBEEF, 3, 1), (0xBEEF, 3, 2), (0xBEEF, 3, 3)]
    assert "".join(d.text for d in decoded) == "Ж" * 140
    assert len({d.digest for d in decoded}) == 3


def test_data_coding_groups() -> None:
    assert alphabet(0x00) == "gsm7"
    assert alphabet(0x08) == "ucs2"
    assert alphabet(0x04) == "8bit"
    assert alphabet(0x18) == "ucs2"  # class 0 flash message in UCS-2
    assert alphabet(0xF0) == "gsm7"
    assert alphabet(0xF4) == "8bit"
    assert alphabet(0xE0) == "ucs2"
    assert alphabet(0x48) == "ucs2"  # automatic deletion group


@pytest.mark.parametrize("bad", ["", "zz", "0791", "07911326040000F0010B91"])
def test_garbage_is_a_pdu_error(bad: str) -> None:
    with pytest.raises(PduError):
        decode_deliver(bad)
