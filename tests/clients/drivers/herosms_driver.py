"""Two rentals with `herosms` (httpx, pydantic, tenacity): the first reads a code, asks for
another, reads it and completes; the second is cancelled.

Runs in the client environment: `python herosms_driver.py BASE_URL API_KEY`. Prints one
JSON object. The client takes the handler URL as `base_url`. HeroSMS reads codes only
through getStatusV2 (`wait_for_sms`), and its setStatus calls return nothing: what the
hub did is checked by the test in the hub's records.
"""

from __future__ import annotations

import asyncio
import json
import sys

from herosms import HeroSMSClient  # type: ignore[import-not-found]

POLL_SECONDS = 0.1
WAIT_SECONDS = 30


async def main() -> None:
    base_url, api_key = sys.argv[1:3]
    client = HeroSMSClient(
        api_key, base_url=f"{base_url}/stubs/handler_api.php", poll_interval=POLL_SECONDS
    )
    before = (await client.get_balance()).amount
    activation = await client.activations.create(service="vk", country=0)
    first = await activation.wait_for_sms(timeout=WAIT_SECONDS)
    # request_sms is setStatus 3: getStatusV2 shows no SMS again until the next one, so
    # wait_for_sms returns the new code, not the old one.
    await activation.request_sms()
    second = await activation.wait_for_sms(timeout=WAIT_SECONDS)
    active = await client.activations.list_active()
    await activation.complete()
    after_sale = (await client.get_balance()).amount
    other = await client.activations.create(service="vk", country=0, max_price=14)
    await other.cancel()
    after_cancel = (await client.get_balance()).amount
    result = {
        "before": before,
        "after_sale": after_sale,
        "after_cancel": after_cancel,
        "sold": activation.id,
        "phone": activation.phone_number,
        "codes": [first.code, second.code],
        "cancelled": other.id,
        "replies": {
            "active": [(row.activation_id, row.activation_status) for row in active],
            "cost": activation.cost,
        },
    }
    print(json.dumps(result))


if __name__ == "__main__":
    asyncio.run(main())
