"""Delivery receipts: the SMPP 3.4 appendix B text (`id:… stat:DELIVRD …`) and the
receipted_message_id / message_state TLVs, turned into a final state of one part."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

TLV_RECEIPTED_MESSAGE_ID = 0x001E
TLV_MESSAGE_STATE = 0x0427
RECEIPT_ESM_MASK, RECEIPT_ESM = 0x3C, 0x04

# message_state values of SMPP 3.4 §5.2.28, as the stat words of appendix B.
MESSAGE_STATES = {
    1: "ENROUTE",
    2: "DELIVRD",
    3: "EXPIRED",
    4: "DELETED",
    5: "UNDELIV",
    6: "ACCEPTD",
    7: "UNKNOWN",
    8: "REJECTD",
}
FINAL = {
    "DELIVRD": "delivered",
    "EXPIRED": "undelivered",
    "DELETED": "undelivered",
    "UNDELIV": "undelivered",
    "UNKNOWN": "undelivered",
    "REJECTD": "undelivered",
}
_ID = re.compile(rb"\bid:(\S+)", re.I)
_STAT = re.compile(rb"\bstat:(\w+)", re.I)


@dataclass(frozen=True)
class Receipt:
    smsc_message_id: str
    stat: str
    final_state: str | None  # delivered | undelivered; None while the message is under way


def is_receipt(esm_class: int) -> bool:
    return esm_class & RECEIPT_ESM_MASK == RECEIPT_ESM


def parse(short_message: bytes, tlvs: Iterable[tuple[int, bytes]]) -> Receipt | None:
    """The receipt a deliver_sm carries, or None when it names no message. TLVs win over
    the text, which SMSCs format loosely."""
    tags = dict(tlvs)
    smsc_id = tags.get(TLV_RECEIPTED_MESSAGE_ID, b"").rstrip(b"\x00").decode("latin-1")
    stat = MESSAGE_STATES.get(int.from_bytes(tags.get(TLV_MESSAGE_STATE, b""), "big"), "")
    if not smsc_id and (found := _ID.search(short_message)):
        smsc_id = found.group(1).decode("latin-1")
    if not stat and (found := _STAT.search(short_message)):
        stat = found.group(1).decode("latin-1").upper()
    if not smsc_id or not stat:
        return None
    return Receipt(smsc_id, stat[:16], FINAL.get(stat))


def id_forms(smsc_message_id: str) -> list[str]:
    """The forms one SMSC message id takes: many SMSCs answer submit_sm with a hex id and
    quote it in decimal in the receipt (or the reverse)."""
    forms = {smsc_message_id}
    text = smsc_message_id.strip()
    if text.isdecimal() and len(text) < 30:
        forms.update({format(int(text), "x"), format(int(text), "X")})
    if re.fullmatch(r"[0-9A-Fa-f]{1,24}", text):
        forms.add(str(int(text, 16)))
    return sorted(forms)
