"""Two rentals with `smsactivate` (the official sync client, requests): the first reads a
code, asks for another, reads it and finishes; the second is cancelled.

Runs in the client environment: `python smsactivate_driver.py BASE_URL API_KEY`. Prints one
JSON object. The library keeps its URL in a private attribute with no setter; reassigning
it is the only way to point it at another hub.
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any

from smsactivate.api import SMSActivateAPI  # type: ignore[import-not-found]

POLL_SECONDS = 0.1
WAIT_SECONDS = 30


def wait_code(api: Any, activation_id: int) -> str:
    """Poll getStatus (the library returns its text) until STATUS_OK:<code>."""
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        status = api.getStatus(id=activation_id)
        if isinstance(status, str) and status.startswith("STATUS_OK:"):
            return status.split(":", 1)[1]
        time.sleep(POLL_SECONDS)
    raise TimeoutError(f"no code for {activation_id}")


def main() -> None:
    base_url, api_key = sys.argv[1:3]
    api = SMSActivateAPI(api_key)
    api._SMSActivateAPI__api_url = f"{base_url}/stubs/handler_api.php"
    before = api.getBalance()["balance"]
    rented = api.getNumber(service="vk", country=0)
    sold = rented["activation_id"]
    first = wait_code(api, sold)
    retry = api.setStatus(id=sold, status=3)
    waiting = api.getStatus(id=sold)
    second = wait_code(api, sold)
    finish = api.setStatus(id=sold, status=6)
    after_sale = api.getBalance()["balance"]
    other = api.getNumberV2(service="vk", country=0)
    cancel = api.setStatus(id=other["activationId"], status=8)
    after_cancel = api.getBalance()["balance"]
    result = {
        "before": before,
        "after_sale": after_sale,
        "after_cancel": after_cancel,
        "sold": sold,
        "phone": rented["phone"],
        "codes": [first, second],
        "cancelled": other["activationId"],
        "replies": {"retry": retry, "waiting": waiting, "finish": finish, "cancel": cancel},
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
