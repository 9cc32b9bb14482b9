"""SMS-DELIVER PDU decoding (3GPP TS 23.040 / 23.038), written here on purpose.

The library candidates did not fit: smspdudecoder 2.2.0 fails to import with bitstring 5
(it imports `BitStream`, which bitstring 5 removed; its requirement is unbounded), pulls pytz,
and raises on UCS-2 text whose surrogate pair is split between two parts. What a modem hands
over is small and well specified, so this module reads it directly: numeric and alphanumeric
senders, the data coding groups, GSM 7-bit (default alphabet, extension table, UDH fill
bits), 8-bit and UCS-2 user data, and concatenation headers with 8-bit (IEI 0x00) and 16-bit
(IEI 0x08) references.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

GSM7_BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = {
    0x0A: "\f", 0x14: "^", 0x28: "{", 0x29: "}", 0x2F: "\\",
    0x3C: "[", 0x3D: "~", 0x3E: "]", 0x40: "|", 0x65: "€",
}  # fmt: skip
_ESC = 0x1B
assert len(GSM7_BASIC) == 128


class PduError(ValueError):
    """A PDU that cannot be decoded."""


@dataclass(frozen=True, slots=True)
class DecodedPdu:
    """What the outbox needs from one received PDU."""

    sender: str
    text: str
    part: tuple[int, int, int] | None  # (reference, total, number) of a concatenated SMS
    digest: str


class _Cursor:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def byte(self) -> int:
        return self.take(1)[0]

    def take(self, n: int) -> bytes:
        if n < 0 or self.pos + n > len(self.data):
            raise PduError("PDU is shorter than its fields")
        chunk = self.data[self.pos : self.pos + n]
        self.pos += n
        return chunk


def decode_deliver(pdu_hex: str) -> DecodedPdu:
    """Decode one SMS-DELIVER PDU with its SMSC prefix, as AT+CMGR and AT+CMGL print it."""
    pdu_hex = pdu_hex.strip().upper()
    try:
        data = bytes.fromhex(pdu_hex)
    except ValueError as exc:
        raise PduError("PDU is not hex") from exc
    cur = _Cursor(data)
    cur.take(cur.byte())  # SMSC address
    first = cur.byte()
    if first & 0x03 != 0:
        raise PduError("not an SMS-DELIVER")
    sender = _address(cur)
    cur.take(1)  # TP-PID
    dcs = cur.byte()
    cur.take(7)  # TP-SCTS
    udl = cur.byte()
    user_data = cur.data[cur.pos :]
    text, part = _user_data(user_data, udl, dcs, udhi=bool(first & 0x40))
    return DecodedPdu(sender, text, part, hashlib.sha256(pdu_hex.encode()).hexdigest())


def _address(cur: _Cursor) -> str:
    digits = cur.byte()
    toa = cur.byte()
    raw = cur.take((digits + 1) // 2)
    ton = (toa >> 4) & 0x07
    if ton == 0x05:  # alphanumeric, GSM 7-bit packed
        return gsm7_decode(unpack_septets(raw, digits * 4 // 7)).strip()
    number = "".join(f"{b & 0x0F:x}{b >> 4:x}" for b in raw)[:digits].rstrip("f")
    return ("+" if ton == 0x01 else "") + number


def alphabet(dcs: int) -> str:
    """'gsm7', '8bit' or 'ucs2' for a TP-DCS value (TS 23.038 section 4)."""
    group = dcs >> 4
    if group <= 0x07:  # general data coding (0x), with or without auto-deletion (01xx)
        if dcs & 0x20:
            return "8bit"  # compressed text: not decodable here, passed on as bytes
        return ("gsm7", "8bit", "ucs2", "gsm7")[(dcs >> 2) & 0x03]
    if group in (0x0C, 0x0D):
        return "gsm7"
    if group == 0x0E:
        return "ucs2"
    if group == 0x0F:
        return "8bit" if dcs & 0x04 else "gsm7"
    return "gsm7"


def _user_data(
    ud: bytes, udl: int, dcs: int, udhi: bool
) -> tuple[str, tuple[int, int, int] | None]:
    coding = alphabet(dcs)
    header_len = (ud[0] + 1) if udhi and ud else 0
    part = _concatenation(ud[1:header_len]) if header_len else None
    if coding == "gsm7":
        septets = unpack_septets(ud, udl)
        skip = -(-header_len * 8 // 7)  # the header plus fill bits, in septets
        return gsm7_decode(septets[skip:]), part
    payload = ud[header_len:udl]
    if coding == "ucs2":
        # A surrogate pair split across two parts decodes as replacement characters rather
        # than losing the whole message.
        return payload.decode("utf-16-be", errors="replace"), part
    return payload.hex(), part


def _concatenation(header: bytes) -> tuple[int, int, int] | None:
    pos = 0
    while pos + 2 <= len(header):
        iei, length = header[pos], header[pos + 1]
        value = header[pos + 2 : pos + 2 + length]
        pos += 2 + length
        if iei == 0x00 and len(value) == 3:
            return value[0], value[1], value[2]
        if iei == 0x08 and len(value) == 4:
            return (value[0] << 8) | value[1], value[2], value[3]
    return None


def unpack_septets(data: bytes, count: int) -> list[int]:
    """The first `count` 7-bit values packed LSB first in `data`."""
    septets = []
    for i in range(count):
        bit = i * 7
        index, shift = divmod(bit, 8)
        if index >= len(data):
            break
        value = data[index] >> shift
        if shift > 1 and index + 1 < len(data):
            value |= data[index + 1] << (8 - shift)
        septets.append(value & 0x7F)
    return septets


def gsm7_decode(septets: list[int]) -> str:
    """Text from GSM default-alphabet septets, with the extension table after ESC."""
    out: list[str] = []
    escaped = False
    for septet in septets:
        if escaped:
            out.append(GSM7_EXTENSION.get(septet, GSM7_BASIC[septet]))
            escaped = False
        elif septet == _ESC:
            escaped = True
        else:
            out.append(GSM7_BASIC[septet])
    return "".join(out)
