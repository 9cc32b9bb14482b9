"""One GSM modem on one serial port: initialise, identify the SIM, receive SMS, recover.

SMS handling keeps one order on purpose: a PDU read from the SIM is committed to the outbox
(or to the parts table) first, and only then deleted with AT+CMGD. A crash in between leaves
the PDU on the SIM; read again, it is recognised by its digest and stored only once.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import re
from collections.abc import Awaitable, Callable

from simgate.agent.config import AgentConfig
from simgate.agent.forwarding import attach_line, detach_line
from simgate.agent.modem.at import AtChannel, AtClosed, AtError, AtTimeout
from simgate.agent.modem.forwarding import ModemLine
from simgate.agent.modem.pdu import DecodedPdu, PduError, decode_deliver
from simgate.agent.outbox import IncomingSms
from simgate.agent.services import country_for_imsi, operator_for_imsi
from simgate.agent.sims import SimInfo
from simgate.agent.store import AgentStore

log = logging.getLogger("simgate.agent.modem")

Opener = Callable[[str, int], Awaitable[tuple[asyncio.StreamReader, asyncio.StreamWriter]]]
_LIST_HEADER = re.compile(r"^\+CMGL:\s*(\d+),")
_CMTI = re.compile(r'^\+CMTI:\s*"?[A-Z]*"?,\s*(\d+)')
_DIGITS = re.compile(r"\+?(\d{6,15})")
RECOVERABLE = (AtTimeout, AtClosed, AtError, OSError, PduError)


async def open_serial(
    port: str, baudrate: int
) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """Open a serial port as asyncio streams (pyserial-asyncio-fast)."""
    import serial_asyncio_fast

    reader, writer = await serial_asyncio_fast.open_serial_connection(url=port, baudrate=baudrate)
    return reader, writer


class GsmModem:
    """Keeps one modem in service for as long as the agent runs."""

    def __init__(
        self,
        port: str,
        config: AgentConfig,
        store: AgentStore,
        on_sms: Callable[[], None],
        opener: Opener = open_serial,
    ) -> None:
        self.port = port
        self.config = config
        self.store = store
        self.on_sms = on_sms
        self.opener = opener
        self.sim: SimInfo | None = None
        self.sessions = 0  # how many times the modem was (re)initialised
        self._urcs: asyncio.Queue[str] = asyncio.Queue()
        self._timeout = config.modem_command_timeout_seconds
        self.line: ModemLine | None = None  # call forwarding while the SIM is in service

    async def run(self) -> None:
        """Open, initialise and serve the modem; on failure reopen with growing back-off."""
        backoff = self.config.modem_backoff_initial_seconds
        while True:
            try:
                await self._session()
            except RECOVERABLE as exc:
                message = f"{type(exc).__name__}: {exc}"
                log.warning("modem %s: %s; reopening in %.1f s", self.port, message, backoff)
                await self.store.port_offline(self.port, message)
            if self.sim is not None:  # the last session got as far as serving: start over
                backoff = self.config.modem_backoff_initial_seconds
                self.sim = None
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, self.config.modem_backoff_max_seconds)

    async def _session(self) -> None:
        reader, writer = await self.opener(self.port, self.config.modem_baudrate)
        self._urcs = asyncio.Queue()
        channel = AtChannel(reader, writer, self._urcs.put_nowait)
        channel.start()
        try:
            await self._initialise(channel)
            sim = await self._identify(channel)
            await self.store.sim_online(sim)
            self.sim = sim
            self.sessions += 1
            log.info(
                "modem %s: SIM %s (%s %s) online", self.port, sim.phone, sim.country, sim.operator
            )
            self.line = ModemLine(channel, self._timeout, self.config.forwarding_options())
            attach_line(self.store, self.port, self.line)
            await self._serve(channel, sim)
        finally:
            if self.line is not None:
                detach_line(self.store, self.port, self.line)
                self.line = None
            await channel.close()

    async def _initialise(self, ch: AtChannel) -> None:
        # The first AT after opening may meet a half-sent line or echo: a second try is normal.
        with contextlib.suppress(AtError, AtTimeout):
            await ch.command("AT", self._timeout)
        storage = self.config.sms_storage
        for command in (
            "ATE0",
            "AT+CMEE=1",
            "AT+CMGF=0",
            f'AT+CPMS="{storage}","{storage}","{storage}"',
            "AT+CNMI=2,1,0,0,0",
        ):
            await ch.command(command, self._timeout)

    async def _identify(self, ch: AtChannel) -> SimInfo:
        imsi = next(
            (line for line in await ch.command("AT+CIMI", self._timeout) if line.isdigit()), ""
        )
        phone = await self._own_number(ch, imsi)
        with contextlib.suppress(AtError):
            cops = await ch.command("AT+COPS?", self._timeout)
            log.info("modem %s: network %s", self.port, " ".join(cops))
        signal = await self._signal(ch)
        return SimInfo(
            sim_key=imsi or f"port:{self.port}",
            port=self.port,
            phone=phone,
            imsi=imsi,
            country=country_for_imsi(imsi, self.config.modem_country),
            operator=operator_for_imsi(imsi, self.config.operator_names),
            signal=signal,
        )

    async def _own_number(self, ch: AtChannel, imsi: str) -> int | None:
        configured = self.config.sim_numbers.get(imsi) or self.config.sim_numbers.get(self.port)
        if configured:
            return configured
        try:
            lines = await ch.command("AT+CNUM", self._timeout)
        except AtError:
            return None
        for line in lines:
            match = _DIGITS.search(line.partition(",")[2])
            if line.startswith("+CNUM:") and match:
                return int(match.group(1))
        return None

    async def _signal(self, ch: AtChannel) -> int | None:
        for line in await ch.command("AT+CSQ", self._timeout):
            if line.startswith("+CSQ:"):
                rssi = int(line.split(":")[1].split(",")[0])
                return None if rssi == 99 else rssi
        return None

    async def _serve(self, ch: AtChannel, sim: SimInfo) -> None:
        loop = asyncio.get_running_loop()
        await self._read_stored(ch, sim)
        next_poll = loop.time() + self.config.modem_poll_seconds
        next_health = loop.time() + self.config.modem_health_seconds
        while True:
            wait = max(0.0, min(next_poll, next_health) - loop.time())
            try:
                urc = await asyncio.wait_for(self._urcs.get(), wait)
            except TimeoutError:
                urc = None
            if urc == "" or ch.closed:
                raise AtClosed("port closed")
            if urc is not None:
                await self._on_urc(ch, sim, urc)
            if loop.time() >= next_poll:
                await self._read_stored(ch, sim)
                next_poll = loop.time() + self.config.modem_poll_seconds
            if loop.time() >= next_health:
                await self.store.set_signal(sim.sim_key, await self._signal(ch))
                next_health = loop.time() + self.config.modem_health_seconds

    async def _on_urc(self, ch: AtChannel, sim: SimInfo, urc: str) -> None:
        if self.line is not None and self.line.take_urc(urc):
            return
        match = _CMTI.match(urc)
        if match is None:
            return
        index = int(match.group(1))
        lines = await ch.command(f"AT+CMGR={index}", self._timeout)
        pdu = next((line for line in lines if not line.startswith("+CMGR:")), None)
        if pdu is not None:
            await self._take(ch, sim, index, pdu)

    async def _read_stored(self, ch: AtChannel, sim: SimInfo) -> None:
        """AT+CMGL=4: every message on the SIM, in case an indication was missed."""
        lines = await ch.command("AT+CMGL=4", self._timeout * 4)
        index: int | None = None
        for line in lines:
            header = _LIST_HEADER.match(line)
            if header:
                index = int(header.group(1))
            elif index is not None:
                await self._take(ch, sim, index, line)
                index = None

    async def _take(self, ch: AtChannel, sim: SimInfo, index: int, pdu: str) -> None:
        try:
            decoded = decode_deliver(pdu)
        except PduError as exc:
            # Kept rather than dropped: the hub (or a person) may still make sense of it.
            await self.store.event("error", self.port, str(exc))
            digest = hashlib.sha256(pdu.encode()).hexdigest()
            decoded = DecodedPdu("unknown", f"PDU:{pdu}", None, digest)
        incoming = IncomingSms(
            sim_key=sim.sim_key,
            phone=sim.phone or 0,
            sender=decoded.sender,
            text=decoded.text,
            part=decoded.part,
            digest=f"{sim.sim_key}:{decoded.digest}",
        )
        sms_id = await self.store.receive_sms(incoming)
        await ch.command(f"AT+CMGD={index}", self._timeout)
        if sms_id is not None:
            log.info("modem %s: SMS %s from %s stored", self.port, sms_id, decoded.sender)
            self.on_sms()
