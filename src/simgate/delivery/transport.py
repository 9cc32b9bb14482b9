"""What the queue runner needs from a way of sending SMS, and the `log` transport.

A transport opens a session, submits one part per call and yields delivery receipts until
its session ends. `TransportError` means the session is unusable (reconnect and resend what
was not acknowledged); an SMSC's refusal of one part is a `SubmitOutcome` with a status.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from dataclasses import dataclass
from typing import Protocol

from simgate.delivery.receipts import Receipt
from simgate.delivery.segmentation import decode_part

log = logging.getLogger("simgate.delivery.log_transport")

ESME_ROK = 0x00
ESME_RMSGQFUL = 0x14
ESME_RTHROTTLED = 0x58
ESME_RSYSERR = 0x08
# Refusals that say "not now" rather than "never": the part is sent again later.
TRANSIENT_STATUSES = frozenset({ESME_RMSGQFUL, ESME_RTHROTTLED, ESME_RSYSERR})


class TransportError(Exception):
    """The session is gone or never came up."""


@dataclass(frozen=True)
class PartPdu:
    """Everything one submit_sm carries."""

    message_id: int
    seq: int
    total: int
    source: str
    destination: str
    data_coding: int
    esm_class: int
    short_message: bytes  # UDH (when esm_class has 0x40) + body
    udh_length: int = 0


@dataclass(frozen=True)
class SubmitOutcome:
    status: int
    smsc_message_id: str | None = None

    @property
    def ok(self) -> bool:
        return self.status == ESME_ROK and bool(self.smsc_message_id)

    @property
    def transient(self) -> bool:
        return self.status in TRANSIENT_STATUSES or (
            self.status == ESME_ROK and not self.smsc_message_id
        )


class Transport(Protocol):
    name: str

    async def open(self) -> None: ...

    async def submit(self, pdu: PartPdu) -> SubmitOutcome: ...

    async def next_receipt(self) -> Receipt | None:
        """The next delivery receipt; None once the session has ended."""
        ...

    async def close(self) -> None: ...


class LogTransport:
    """Writes every part to the log and reports it delivered: for the demo and for operators
    without an SMSC. Ids are unique per process run and prefixed so they never collide with
    a real SMSC's."""

    name = "log"
    _run = itertools.count(1)

    def __init__(self) -> None:
        self._receipts: asyncio.Queue[Receipt | None] = asyncio.Queue()
        self._prefix = f"log{next(self._run)}-{id(self):x}"

    async def open(self) -> None:
        return None

    async def submit(self, pdu: PartPdu) -> SubmitOutcome:
        text = decode_part(pdu.short_message[pdu.udh_length :], pdu.data_coding)
        log.info(
            "SMS %s/%s from %s to %s: %s", pdu.seq, pdu.total, pdu.source, pdu.destination, text
        )
        smsc_id = f"{self._prefix}-{pdu.message_id}-{pdu.seq}"
        self._receipts.put_nowait(Receipt(smsc_id, "DELIVRD", "delivered"))
        return SubmitOutcome(ESME_ROK, smsc_id)

    async def next_receipt(self) -> Receipt | None:
        return await self._receipts.get()

    async def close(self) -> None:
        self._receipts.put_nowait(None)
