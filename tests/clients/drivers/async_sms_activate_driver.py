"""Two rentals with `async-sms-activate` (aiohttp): the first reads a code, asks for
another, reads it and finishes; the second is cancelled.

Runs in the client environment: `python async_sms_activate_driver.py BASE_URL API_KEY`.
Prints one JSON object. The client keeps the handler URL in `api_url`, which callers
reassign. It rents only through getNumberV2 and reads getStatus as text.
"""

from __future__ import annotations

import asyncio
import json
import sys
from typing import Any

from async_sms_activate import SmsActivateClient  # type: ignore[import-not-found]

WAIT_SECONDS = 30


async def wait_new_code(activation: Any) -> str:
    """wait_for_code returns whatever status is neither WAIT_CODE nor OK as if it were the
    code: after "another code" that is STATUS_WAIT_RETRY:<old code>, so wait past it."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + WAIT_SECONDS
    while loop.time() < deadline:
        code: str = await activation.wait_for_code(timeout=WAIT_SECONDS)
        if not code.startswith("STATUS_WAIT_RETRY"):
            return code
        await asyncio.sleep(0.1)
    raise TimeoutError("no new code")


async def main() -> None:
    base_url, api_key = sys.argv[1:3]
    client = SmsActivateClient(api_key)
    client.api_url = f"{base_url}/stubs/handler_api.php"
    try:
        before = await client.get_balance()
        activation = await client.buy_number_by_country("vk", 0)
        ready = await activation.sms_sent()
        first = await activation.wait_for_code()
        retry = await activation.request_another_sms()
        second = await wait_new_code(activation)
        finish = await activation.complete_activation()
        after_sale = await client.get_balance()
        other = await client.buy_number_free_price("vk", 14)
        cancel = await other.cancel_activation()
        after_cancel = await client.get_balance()
    finally:
        await client.close()
    result = {
        "before": before,
        "after_sale": after_sale,
        "after_cancel": after_cancel,
        "sold": activation.activation_id,
        "phone": activation.phone_number,
        "codes": [first, second],
        "cancelled": other.activation_id,
        "replies": {"ready": ready, "retry": retry, "finish": finish, "cancel": cancel},
    }
    print(json.dumps(result))


if __name__ == "__main__":
    asyncio.run(main())
