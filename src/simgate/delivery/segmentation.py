"""How a text becomes SMS parts: alphabet choice, part counting and the bytes of each part.

GSM 03.38 default alphabet (data_coding 0): 160 septets in one SMS, 153 per part of a
concatenated one (the 6-byte UDH takes 7 septets); the extension table characters cost two
septets (escape + code) and an escape pair is never split between parts. Anything outside
the alphabet goes as UCS-2 (data_coding 8): 70 UTF-16 code units, 67 per part; a surrogate
pair is never split. Parts are sent unpacked, one septet per octet, as SMPP expects.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

GSM_BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENSION = {
    "\f": 0x0A,
    "^": 0x14,
    "{": 0x28,
    "}": 0x29,
    "\\": 0x2F,
    "[": 0x3C,
    "~": 0x3D,
    "]": 0x3E,
    "|": 0x40,
    "€": 0x65,
}
ESCAPE = 0x1B
_BASIC_CODES = {char: code for code, char in enumerate(GSM_BASIC) if code != ESCAPE}
_GSM_CHARS = frozenset(_BASIC_CODES) | frozenset(GSM_EXTENSION)
# Each character to its septets as a str of code points below 128, for str.translate.
_GSM_TABLE = {ord(char): chr(code) for char, code in _BASIC_CODES.items()} | {
    ord(char): chr(ESCAPE) + chr(code) for char, code in GSM_EXTENSION.items()
}

GSM_SINGLE, GSM_PART = 160, 153
UCS2_SINGLE, UCS2_PART = 70, 67
DATA_CODING_GSM7, DATA_CODING_UCS2 = 0x00, 0x08

Encoding = Literal["gsm7", "ucs2"]


@dataclass(frozen=True)
class Segmentation:
    encoding: Encoding
    parts: tuple[bytes, ...]  # each part's short_message body, without UDH

    @property
    def count(self) -> int:
        return len(self.parts)

    @property
    def data_coding(self) -> int:
        return DATA_CODING_GSM7 if self.encoding == "gsm7" else DATA_CODING_UCS2


def is_gsm7(text: str) -> bool:
    return _GSM_CHARS.issuperset(text)


def _gsm_units(text: str) -> list[bytes]:
    """One entry per character: its septets (an escape pair stays together)."""
    return [
        bytes([ESCAPE, GSM_EXTENSION[char]])
        if char in GSM_EXTENSION
        else bytes([_BASIC_CODES[char]])
        for char in text
    ]


def _ucs2_units(text: str) -> list[bytes]:
    """One entry per character: its UTF-16 code units (a surrogate pair stays together)."""
    return [char.encode("utf-16-be") for char in text]


def _pack(units: list[bytes], single: int, per_part: int, unit_size: int) -> tuple[bytes, ...]:
    total = sum(len(u) for u in units) // unit_size
    if total <= single:
        return (b"".join(units),)
    parts: list[bytes] = []
    current: list[bytes] = []
    used = 0
    for unit in units:
        size = len(unit) // unit_size
        if used + size > per_part:
            parts.append(b"".join(current))
            current, used = [], 0
        current.append(unit)
        used += size
    parts.append(b"".join(current))
    return tuple(parts)


def segment(text: str) -> Segmentation:
    """Split `text` into the bodies of its SMS parts, in the cheapest alphabet that fits."""
    if is_gsm7(text):
        septets = text.translate(_GSM_TABLE).encode("ascii")
        if len(septets) <= GSM_SINGLE:
            # One part, no escape pair to keep whole: every message passes here on its way
            # to the SMSC, so the common case skips the per-character split.
            return Segmentation("gsm7", (septets,))
        return Segmentation("gsm7", _pack(_gsm_units(text), GSM_SINGLE, GSM_PART, 1))
    return Segmentation("ucs2", _pack(_ucs2_units(text), UCS2_SINGLE, UCS2_PART, 2))


def concat_udh(reference: int, total: int, seq: int) -> bytes:
    """The 8-bit-reference concatenation header (IEI 0x00) of part `seq` of `total`."""
    return bytes([0x05, 0x00, 0x03, reference & 0xFF, total, seq])


def decode_part(body: bytes, data_coding: int) -> str:
    """The text of one part body (tests and the log transport read what was sent)."""
    if data_coding == DATA_CODING_UCS2:
        return body.decode("utf-16-be")
    reverse_ext = {code: char for char, code in GSM_EXTENSION.items()}
    chars: list[str] = []
    escaped = False
    for octet in body:
        if escaped:
            chars.append(reverse_ext.get(octet, " "))
            escaped = False
        elif octet == ESCAPE:
            escaped = True
        else:
            chars.append(GSM_BASIC[octet])
    return "".join(chars)
