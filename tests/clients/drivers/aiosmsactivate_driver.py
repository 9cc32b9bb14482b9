"""Two rentals with `aiosmsactivate` (aiohttp, pydantic; POSTs with the query): the first
reads a code, asks for another, reads it and finishes; the second is cancelled.

Runs in the client environment: `python aiosmsactivate_driver.py BASE_URL API_KEY`. Prints
one JSON object. The client takes the handler URL as `base_url`.
"""

from __future__ import annotations

import asyncio
import json
import sys

from aiosmsactivate import SetActivationStatus, SmsActivate  # type: ignore[import-not-found]

POLL_SECONDS = 0.1
WAIT_SECONDS = 30


async def main() -> None:
    base_url, api_key = sys.argv[1:3]
    client = SmsActivate(api_key, base_url=f"{base_url}/stubs/handler_api.php")
    before = await client.get_balance()
    number = await client.purchase("vk", country=0)  # getNumberV2, read into its model
    sold = number.activation_id
    # wait_sms_code sends status 1, polls getStatus until STATUS_OK, then sends status 3
    # (another code) itself: so the second call waits through STATUS_WAIT_RETRY for the
    # next code.
    first = await client.wait_sms_code(sold, timeout=WAIT_SECONDS, per_attempt=POLL_SECONDS)
    second = await client.wait_sms_code(sold, timeout=WAIT_SECONDS, per_attempt=POLL_SECONDS)
    finish = await client.set_activation_status(sold, SetActivationStatus.COMPLETE)
    status_v2 = await client.get_activation_status(sold)
    after_sale = await client.get_balance()
    line = await client.get_number("vk", country=0)  # getNumber: the library returns the text
    other = int(line.split(":")[1])
    active = await client.get_active_activations()
    cancel = await client.set_activation_status(other, SetActivationStatus.CANCEL)
    after_cancel = await client.get_balance(cashback=True)
    result = {
        "before": before,
        "after_sale": after_sale,
        "after_cancel": after_cancel,
        "sold": sold,
        "phone": number.phone_number,
        "codes": [first, second],
        "cancelled": other,
        "replies": {
            "finish": finish.value,
            "cancel": cancel.value,
            "v2_code": status_v2.sms.code if status_v2.sms else None,
            "active": [row["activationId"] for row in active["activeActivations"]],
        },
    }
    print(json.dumps(result))


if __name__ == "__main__":
    asyncio.run(main())
