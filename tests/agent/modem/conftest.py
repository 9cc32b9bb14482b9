"""Fixtures for the modem driver: an SMS-DELIVER PDU builder and a scripted GSM modem on the
master side of a pseudo-terminal."""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from simgate.agent.modem.pdu import GSM7_BASIC

# --- PDU builder (SMS-DELIVER, 3GPP TS 23.040), written independently of the decoder ----


class PduBuilder:
    SMSC = "07919730071111F1"  # +79037011111
    SCTS = "52301012000021"

    @staticmethod
    def _address(sender: str) -> str:
        if sender.startswith("+"):
            digits = sender[1:]
            padded = digits + ("F" if len(digits) % 2 else "")
            swapped = "".join(padded[i + 1] + padded[i] for i in range(0, len(padded), 2))
            return f"{len(digits):02X}91{swapped}"
        septets = [GSM7_BASIC.index(ch) for ch in sender]
        packed = PduBuilder.pack(b"", septets)
        return f"{len(packed) * 2:02X}D0{packed.hex().upper()}"

    @staticmethod
    def pack(header: bytes, septets: list[int]) -> bytes:
        acc, bits = 0, 0
        for byte in header:
            acc |= byte << bits
            bits += 8
        bits += (7 - bits % 7) % 7  # fill bits: text starts on a septet boundary
        for septet in septets:
            acc |= septet << bits
            bits += 7
        return acc.to_bytes((bits + 7) // 8, "little")

    def deliver(self, sender: str, dcs: int, udl: int, user_data: bytes, udhi: bool) -> str:
        first = 0x04 | (0x40 if udhi else 0)
        return (
            f"{self.SMSC}{first:02X}{self._address(sender)}00{dcs:02X}{self.SCTS}"
            f"{udl:02X}{user_data.hex().upper()}"
        )

    @staticmethod
    def concat_header(ref: int, total: int, seq: int, ref16: bool) -> bytes:
        if ref16:
            return bytes([6, 0x08, 4, ref >> 8, ref & 0xFF, total, seq])
        return bytes([5, 0x00, 3, ref, total, seq])

    def ucs2_parts(self, sender: str, text: str, ref: int, ref16: bool = False) -> list[str]:
        chunks = [text[i : i + 67] for i in range(0, len(text), 67)]
        pdus = []
        for seq, chunk in enumerate(chunks, start=1):
            payload = self.concat_header(ref, len(chunks), seq, ref16) + chunk.encode("utf-16-be")
            pdus.append(self.deliver(sender, 0x08, len(payload), payload, udhi=True))
        return pdus

    def gsm7(self, sender: str, text: str, header: bytes = b"") -> str:
        septets = []
        for ch in text:
            if ch in "{}[]€":
                septets += [0x1B, {"{": 0x28, "}": 0x29, "[": 0x3C, "]": 0x3E, "€": 0x65}[ch]]
            else:
                septets.append(GSM7_BASIC.index(ch))
        header_septets = -(-len(header) * 8 // 7)
        packed = self.pack(header, septets)
        return self.deliver(sender, 0x00, header_septets + len(septets), packed, bool(header))


@pytest.fixture
def pdu() -> PduBuilder:
    return PduBuilder()


# --- scripted GSM modem on a pseudo-terminal --------------------------------------------


class ScriptedModem:
    """Answers AT commands on the master side of a pty like a real modem would."""

    def __init__(self, imsi: str = "250011234567890", cnum: str = "+79281234567") -> None:
        self.master, self.slave = os.openpty()
        self.path = os.ttyname(self.slave)
        self.imsi = imsi
        self.cnum = cnum
        self.storage: dict[int, str] = {}
        self.commands: list[str] = []
        self.hung = False
        self.echo = True
        self._buffer = b""
        os.set_blocking(self.master, False)
        asyncio.get_running_loop().add_reader(self.master, self._readable)

    def close(self) -> None:
        asyncio.get_running_loop().remove_reader(self.master)
        os.close(self.master)
        os.close(self.slave)

    def store(self, pdu_hex: str) -> int:
        index = max(self.storage, default=0) + 1
        self.storage[index] = pdu_hex
        return index

    def deliver(self, pdu_hex: str) -> None:
        """A new SMS arrives: stored on the SIM and announced with +CMTI."""
        index = self.store(pdu_hex)
        self._write(f'\r\n+CMTI: "SM",{index}\r\n')

    def _write(self, text: str) -> None:
        with contextlib.suppress(OSError):
            os.write(self.master, text.encode("latin-1"))

    def _readable(self) -> None:
        try:
            self._buffer += os.read(self.master, 4096)
        except OSError:
            return
        while b"\r" in self._buffer:
            line, _, self._buffer = self._buffer.partition(b"\r")
            command = line.decode("latin-1").strip()
            if command and not self.hung:
                self.commands.append(command)
                self._answer(command)

    def _answer(self, command: str) -> None:
        if self.echo:
            self._write(command + "\r")
        lines = self._lines(command)
        body = "".join(f"\r\n{line}\r\n" for line in lines)
        self._write(body)

    def _lines(self, command: str) -> list[str]:
        if command == "ATE0":
            self.echo = False
        simple = {
            "AT+CIMI": [self.imsi],
            "AT+CNUM": [f'+CNUM: "","{self.cnum}",145'] if self.cnum else [],
            "AT+COPS?": ['+COPS: 0,0,"MTS RUS",7'],
            "AT+CSQ": ["+CSQ: 21,99"],
        }
        if command in simple:
            return [*simple[command], "OK"]
        if command.startswith("AT+CPMS="):
            return ["+CPMS: 0,30,0,30,0,30", "OK"]
        if command == "AT+CMGL=4":
            out = []
            for index, pdu_hex in sorted(self.storage.items()):
                out += [f"+CMGL: {index},0,,{len(pdu_hex) // 2 - 8}", pdu_hex]
            return [*out, "OK"]
        if command.startswith(("AT+CMGR=", "AT+CMGD=")):
            index = int(command.split("=")[1])
            if index not in self.storage:
                return ["+CMS ERROR: 321"]
            if command.startswith("AT+CMGD="):
                del self.storage[index]
                return ["OK"]
            pdu_hex = self.storage[index]
            return [f"+CMGR: 0,,{len(pdu_hex) // 2 - 8}", pdu_hex, "OK"]
        return ["OK"]


@pytest.fixture
async def modem_factory() -> AsyncIterator[Callable[..., ScriptedModem]]:
    modems: list[ScriptedModem] = []

    def make(**kwargs: Any) -> ScriptedModem:
        modem = ScriptedModem(**kwargs)
        modems.append(modem)
        return modem

    yield make
    for modem in modems:
        modem.close()
