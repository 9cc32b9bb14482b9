"""The sms-activate buyer: getNumber / getNumberV2, getStatus / getStatusV2, setStatus 3, 6
and 8, getActiveActivations, on `/stubs/handler_api.php`.

What it saw is in the dialect's own words: a rental closes with the answer to setStatus —
ACCESS_ACTIVATION (sold) or ACCESS_CANCEL (refunded) — and getStatus must then agree with it
(STATUS_OK:<code> or STATUS_CANCEL). A rental whose number request failed (adopted from the
listing while it waited for a number) is one the hub shows to no buyer: NO_ACTIVATION to both.
ERROR_SQL is the dialect's "try again".
"""

from __future__ import annotations

import asyncio
from typing import Any

from chaos.buyers import SERVICES, SMSACTIVATE, Buyer, SeenRental, Transient

PATH = "/stubs/handler_api.php"
RETRY_WORD = "ERROR_SQL"
CLOSING = {
    "ACCESS_ACTIVATION": "STATUS_OK",
    "ACCESS_CANCEL": "STATUS_CANCEL",
    "NO_ACTIVATION": "NO_ACTIVATION",
}
RUSSIA = 0


class SmsActivateBuyer(Buyer):
    dialect = SMSACTIVATE

    async def call(self, method: str, **params: Any) -> Any:
        """One action on a random hub: a text line, or a JSON object; Transient on ERROR_SQL."""
        response = await self.get(PATH, {"api_key": self.key, "action": method, **params})
        if response.headers.get("content-type", "").startswith("application/json"):
            return response.json()
        if response.text == RETRY_WORD:
            raise Transient(f"{method}: {RETRY_WORD}")
        return response.text

    # --- one rental ----------------------------------------------------------------------

    async def rent_once(self, service: str | None = None) -> None:
        action = self.rng.choice(("getNumber", "getNumberV2"))
        service = service or self.rng.choice(SERVICES)
        try:
            answer = await self.call(action, service=service, country=RUSSIA)
        except Transient:
            # The rental may exist; the next listing adopts it.
            self.record.lost_getnum += 1
            await asyncio.sleep(0.5)
            return
        if isinstance(answer, dict) and "activationId" in answer:
            tzid, phone = int(answer["activationId"]), str(answer["phoneNumber"])
        elif isinstance(answer, str) and answer.startswith("ACCESS_NUMBER:"):
            _, tzid_text, phone = answer.split(":")
            tzid = int(tzid_text)
        else:
            self.refused(str(answer))
            await asyncio.sleep(0.3 + self.rng.random())
            return
        await self.play(self.adopt(tzid, phone))

    async def play(self, seen: SeenRental) -> None:
        """Wait for a code, maybe ask for another, then finish; or cancel early."""
        plan = self.rng.random()
        if plan < 0.15:
            await asyncio.sleep(self.rng.random() * 0.5)
            word = await self.set_status(seen, 8)
            if word == "ACCESS_CANCEL":
                await self.read_final(seen, word)
                return
            # BAD_STATUS: a code came first, so the rental is paid for; read it, then finish.
            await self.wait_code(seen, within=5.0)
        else:
            got = await self.wait_code(seen, within=8.0)
            if got and plan < 0.35 and await self.set_status(seen, 3) == "ACCESS_RETRY_GET":
                await self.wait_code(seen, within=2.0)
        await self.finish(seen)

    async def set_status(self, seen: SeenRental, status: int) -> str:
        return str(await self.retrying("setStatus", id=seen.tzid, status=status))

    async def poll(self, seen: SeenRental, v2: bool = True) -> str:
        """getStatus (or getStatusV2, which shows only the code): the status word."""
        if v2 and self.rng.random() < 0.3:
            answer = await self.retrying("getStatusV2", id=seen.tzid)
            sms = answer.get("sms") if isinstance(answer, dict) else None
            if isinstance(sms, dict) and sms.get("code"):
                seen.codes.add(str(sms["code"]))
                return "STATUS_OK"
            return "STATUS_V2"
        line = str(await self.retrying("getStatus", id=seen.tzid))
        word, _, code = line.partition(":")
        if code and word in ("STATUS_OK", "STATUS_WAIT_RETRY"):
            seen.codes.add(code)
        return word

    async def wait_code(self, seen: SeenRental, within: float) -> bool:
        """Until getStatus shows a current code (after setStatus 3: a new one)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        while loop.time() < deadline:
            word = await self.poll(seen)
            if word == "STATUS_OK":
                return True
            if word == "STATUS_CANCEL":
                return False
            await asyncio.sleep(0.3)
        return False

    async def finish(self, seen: SeenRental) -> None:
        word = await self.set_status(seen, 6)
        seen.confirmed = word in CLOSING
        await self.read_final(seen, word)

    async def read_final(self, seen: SeenRental, word: str) -> None:
        """Hold the closing word to getStatus: STATUS_OK after a sale (with its code, which a
        buyer reads even when it came just before setStatus 6), STATUS_CANCEL after a refund."""
        want = CLOSING.get(word)
        status = ""
        for _ in range(20):
            status = await self.poll(seen, v2=False)  # V2 shows no state
            if status == want:
                seen.final_word = word
                return
            await asyncio.sleep(0.3)
        seen.final_word = f"{word} yet {status}"  # the check names the disagreement

    # --- listing: rentals whose getNumber answer was lost -------------------------------

    async def sweep(self) -> None:
        listing = await self.retrying("getActiveActivations")
        rows = listing.get("activeActivations") if isinstance(listing, dict) else None
        for row in rows or []:
            tzid = int(row["activationId"])
            seen = self.record.rentals.setdefault(tzid, SeenRental(tzid, dialect=self.dialect))
            if not seen.final_word:
                await self.poll(seen)
                await self.finish(seen)
