"""SMPP 3.4 transceiver session to the configured SMSC, on the `smpp34` library.

smpp34 does the framing, sequence window and enquire_link keep-alive (every 30 s, answered
both ways) in its Rust core; this module maps our parts onto submit_sm and deliver_sm
receipts back onto `Receipt`. A smpp34 Client binds once, so each session is a new Client;
the runner reconnects with backoff.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from typing import TypeVar

import smpp34

from simgate.core.settings import Settings
from simgate.delivery import receipts
from simgate.delivery.receipts import Receipt
from simgate.delivery.transport import PartPdu, SubmitOutcome, TransportError

log = logging.getLogger(__name__)
T = TypeVar("T")

TON_INTERNATIONAL, NPI_E164 = 1, 1
TON_ALPHANUMERIC, NPI_UNKNOWN = 5, 0
REGISTERED_DELIVERY_FINAL = 0x01  # ask for a receipt on success and on failure


def source_address(sender: str) -> tuple[int, int]:
    """TON/NPI of the originator: an alphanumeric name or an international number."""
    return (TON_INTERNATIONAL, NPI_E164) if sender.isdecimal() else (TON_ALPHANUMERIC, NPI_UNKNOWN)


class SmppTransport:
    name = "smpp"

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._client: smpp34.Client | None = None
        self._session: smpp34.Smsc | None = None

    def _new_client(self) -> smpp34.Client:
        s = self._settings
        return smpp34.Client(
            host=s.smsc_host,
            port=s.smsc_port,
            system_id=s.smsc_system_id,
            password=s.smsc_password,  # handed to the library only; never logged
            bind_type="TRX",
            system_type=s.smsc_system_type,
            window_size=max(1, s.smsc_window),
            connect_timeout_ms=int(s.smsc_connect_timeout_seconds * 1000),
        )

    async def open(self) -> None:
        self._client = self._new_client()
        try:
            self._session = await asyncio.wait_for(
                _awaitable(self._client.connect()), self._settings.smsc_connect_timeout_seconds + 5
            )
        except (smpp34.SmppError, OSError, TimeoutError) as exc:
            await self.close()
            raise TransportError(f"bind to {self._settings.smsc_host} failed: {exc}") from exc
        log.info("bound to SMSC %s:%s", self._settings.smsc_host, self._settings.smsc_port)

    async def submit(self, pdu: PartPdu) -> SubmitOutcome:
        if self._session is None:
            raise TransportError("not bound")
        ton, npi = source_address(pdu.source)
        call = self._session.submit_sm(
            pdu.destination,
            pdu.short_message,
            source_addr=pdu.source,
            source_addr_ton=ton,
            source_addr_npi=npi,
            dest_addr_ton=TON_INTERNATIONAL,
            dest_addr_npi=NPI_E164,
            esm_class=pdu.esm_class,
            data_coding=pdu.data_coding,
            registered_delivery=REGISTERED_DELIVERY_FINAL,
        )
        try:
            # asyncio.timeout, not wait_for: no task of its own per submit_sm.
            async with asyncio.timeout(self._settings.smsc_submit_timeout_seconds):
                resp = await call
        except (smpp34.SmppError, OSError, TimeoutError) as exc:
            # Raised only when no submit_sm_resp came back: the session is dead or stuck.
            raise TransportError(f"submit_sm failed: {exc}") from exc
        return SubmitOutcome(resp.command_status, resp.message_id or None)

    async def next_receipt(self) -> Receipt | None:
        while self._session is not None:
            try:
                event = await _awaitable(self._session.next())
            except (smpp34.SmppError, OSError) as exc:
                log.warning("SMSC session failed: %s", exc)
                return None
            if isinstance(event, smpp34.Disconnected):
                log.warning("SMSC session ended")
                return None
            if not receipts.is_receipt(event.esm_class):
                log.info("ignoring a mobile-originated deliver_sm from %s", event.source_addr)
                continue
            found = receipts.parse(event.short_message, [(t.tag, t.value) for t in event.tlvs])
            if found is not None:
                return found
            log.warning("unreadable delivery receipt: %r", event.short_message[:160])
        return None

    async def close(self) -> None:
        session, client = self._session, self._client
        self._session = self._client = None
        if session is not None and client is not None and await _alive(client):
            try:
                await asyncio.wait_for(_awaitable(session.unbind()), 2)
            except (smpp34.SmppError, OSError, TimeoutError):
                log.debug("unbind failed; closing anyway")
        if client is not None:
            try:
                await asyncio.wait_for(_awaitable(client.stop()), 2)
            except (smpp34.SmppError, OSError, TimeoutError, RuntimeError):
                log.debug("client stop failed")


async def _awaitable(future: Awaitable[T]) -> T:
    """smpp34 hands back asyncio futures, not coroutines; this wraps one in a coroutine."""
    return await future


async def _alive(client: smpp34.Client) -> bool:
    """Whether the bind still stands (an unbind on a dead session would only time out)."""
    try:
        return await asyncio.wait_for(_awaitable(client.is_alive()), 1)
    except (smpp34.SmppError, OSError, TimeoutError):
        return False
