"""Call forwarding on a real GSM modem (3GPP TS 27.007): AT+CCFC sets, queries and erases
the forwarding; the SIM's balance is read with a USSD request (AT+CUSD) whose answer is
operator-specific text, so the code and the patterns that find minutes and money in it are
settings (`forward_*` in the agent's config file, or `SIMGATE_AGENT_FORWARD_*`).

What a modem cannot do: pay its operator, or filter calls by caller (`cleanCall` is kept by
the agent but changes nothing on the network). See `simgate.agent.forwarding`.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from simgate.agent.forwarding import LineError, LineState
from simgate.agent.modem.at import AtChannel, AtClosed, AtError, AtTimeout

_CCFC = re.compile(r'^\+CCFC:\s*(\d+),\s*(\d+)(?:,\s*"?\+?(\d*)"?)?')
_CUSD = re.compile(r'^\+CUSD:\s*(\d+)(?:,\s*"([^"]*)"(?:,\s*(\d+))?)?')
VOICE_CLASS = 1
UCS2_DCS = (0x08, 0x11, 0x48)  # 3GPP TS 23.038 data coding schemes that mean UCS2


@dataclass(frozen=True)
class ForwardingOptions:
    """How a modem forwards calls and reads its balance (operator-specific); set by the
    agent's `forward_*` settings (simgate.agent.config)."""

    # 27.007 reason: 0 unconditional, 4 all forwarding, 5 all conditional (busy, no answer,
    # unreachable — the SIM still rings first).
    reason: int = 0
    balance_ussd: str = "*100#"
    # Below the hub's FORWARD_STATUS deadline (15 s), with room for the AT+CCFC query.
    ussd_timeout_seconds: float = 8.0
    minutes_pattern: str = r"(\d+)\s*(?:мин|min)"
    money_pattern: str = r"(-?\d+(?:[.,]\d{1,2})?)\s*(?:р|руб|rub|r\.|₽)"


class ModemLine:
    """Forwarding for the one SIM in one modem, over the driver's AT channel."""

    def __init__(
        self, channel: AtChannel, timeout: float, options: ForwardingOptions | None = None
    ) -> None:
        self.channel = channel
        self.timeout = timeout
        self.options = options or ForwardingOptions()
        self._ussd: asyncio.Future[str] | None = None

    async def set_forward(self, phone: int, number: int, clean_call: bool) -> None:
        """Register the forwarding, then check the network holds it."""
        reason = self.options.reason
        await self._command(f'AT+CCFC={reason},3,"+{number}",145')
        state = await self.read_forwarding()
        if not state.active or state.forward_number != number:
            raise LineError("the network did not keep the forwarding")

    async def cancel_forward(self, phone: int) -> None:
        await self._command(f"AT+CCFC={self.options.reason},4")

    async def read(self, phone: int) -> LineState:
        """The forwarding as the network reports it, with the balance when USSD gives one."""
        state = await self.read_forwarding()
        text = await self.balance_text()
        if text is None:
            return state
        minutes, balance = parse_balance(text, self.options)
        return LineState(state.active, state.forward_number, minutes, balance)

    async def credit(self, phone: int, minutes: int) -> int | None:
        return None  # paid minutes are the SIM owner's to put on the SIM (see the agent docs)

    async def read_forwarding(self) -> LineState:
        lines = await self._command(f"AT+CCFC={self.options.reason},2")
        for line in lines:
            match = _CCFC.match(line)
            if match and match.group(1) == "1" and int(match.group(2)) & VOICE_CLASS:
                digits = match.group(3)
                return LineState(True, int(digits) if digits else None)
        return LineState(False, None)

    async def balance_text(self) -> str | None:
        """The operator's USSD answer to the balance code, or None if none came."""
        loop = asyncio.get_running_loop()
        self._ussd = loop.create_future()
        try:
            await self._command(f'AT+CUSD=1,"{self.options.balance_ussd}",15')
            return await asyncio.wait_for(self._ussd, self.options.ussd_timeout_seconds)
        except (TimeoutError, LineError):
            return None
        finally:
            self._ussd = None

    def take_urc(self, urc: str) -> bool:
        """The driver offers every unsolicited line; True when it was our USSD answer."""
        match = _CUSD.match(urc)
        if match is None:
            return False
        if self._ussd is not None and not self._ussd.done():
            self._ussd.set_result(decode_ussd(match.group(2) or "", int(match.group(3) or 15)))
        return True

    async def _command(self, command: str) -> list[str]:
        try:
            return await self.channel.command(command, self.timeout)
        except (AtError, AtTimeout, AtClosed) as exc:
            raise LineError(str(exc)) from exc


def decode_ussd(text: str, dcs: int) -> str:
    """USSD text arrives plain, or as UCS2 hex when the operator writes Cyrillic."""
    if dcs in UCS2_DCS:
        try:
            return bytes.fromhex(text).decode("utf-16-be")
        except ValueError:
            return text
    return text


def parse_balance(text: str, options: ForwardingOptions) -> tuple[int | None, Decimal | None]:
    """(minutes, money) found in a balance message by the configured patterns."""
    minutes = re.search(options.minutes_pattern, text, re.IGNORECASE)
    money = re.search(options.money_pattern, text, re.IGNORECASE)
    amount = None
    if money:
        try:
            amount = Decimal(money.group(1).replace(",", "."))
        except InvalidOperation:
            amount = None
    return (int(minutes.group(1)) if minutes else None), amount
