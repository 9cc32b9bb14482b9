"""Two rentals with `pysmshub` (its sync client, requests): the first reads a code, asks for
another, reads it and finishes; the second is cancelled.

Runs in the client environment: `python pysmshub_driver.py BASE_URL API_KEY`. Prints one
JSON object. The client keeps the handler URL in `base_url`, which callers reassign.
pysmshub has getNumber (text) but no getNumberV2; its get_status gives (status, code).
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any

from pysmshub import Status, SyncSmsHubApi  # type: ignore[import-not-found]

POLL_SECONDS = 0.1
WAIT_SECONDS = 30


def wait_code(api: Any, activation_id: str) -> str:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        status, code = api.get_status(activation_id)
        if status == Status.SENT:
            return str(code)
        time.sleep(POLL_SECONDS)
    raise TimeoutError(f"no code for {activation_id}")


def main() -> None:
    base_url, api_key = sys.argv[1:3]
    api = SyncSmsHubApi(api_key)
    api.base_url = f"{base_url}/stubs/handler_api.php"
    before = api.get_balance()
    sold, phone = api.get_number("vk", country=0)
    first = wait_code(api, sold)
    retry = api.set_status(sold, Status.REPEAT)
    waiting = api.get_status(sold)
    second = wait_code(api, sold)
    finish = api.set_status(sold, Status.SUCCESS)
    after_sale = api.get_balance()
    other, _ = api.get_number("vk", max_price=14)
    cancel = api.set_status(other, Status.CANCEL)
    after_cancel = api.get_balance()
    result = {
        "before": before,
        "after_sale": after_sale,
        "after_cancel": after_cancel,
        "sold": sold,
        "phone": phone,
        "codes": [first, second],
        "cancelled": other,
        "replies": {"retry": retry, "waiting": list(waiting), "finish": finish, "cancel": cancel},
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
