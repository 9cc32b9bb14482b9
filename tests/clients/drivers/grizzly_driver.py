"""Two rentals with `grizzly-sms-client` (GrizzlySms, httpx): the first reads a code, asks
for another, reads it and completes; the second is cancelled.

Runs in the client environment: `python grizzly_driver.py BASE_URL API_KEY`. Prints one
JSON object. The client appends /stubs/handler_api.php to its `base_url` itself.
"""

from __future__ import annotations

import json
import sys

from grizzly_sms import GrizzlySms  # type: ignore[import-not-found]

POLL_MS = 100
WAIT_MS = 30_000


def main() -> None:
    base_url, api_key = sys.argv[1:3]
    with GrizzlySms(api_key, base_url=base_url) as sms:
        before = sms.get_balance()
        ordered = sms.get_number_v2("vk", country=0)
        sold = ordered.activation_id
        ready = sms.ready(sold)
        first = sms.wait_for_code(sold, interval_ms=POLL_MS, timeout_ms=WAIT_MS)
        retry = sms.request_another_code(sold)
        waiting = sms.get_status(sold)
        # wait_for_code polls through STATUS_WAIT_RETRY until the next STATUS_OK
        second = sms.wait_for_code(sold, interval_ms=POLL_MS, timeout_ms=WAIT_MS)
        status_v2 = sms.get_status_v2(sold)
        finish = sms.complete(sold)
        after_sale = sms.get_balance()
        other = sms.get_number("vk", country="any", phone_exception=["7999"])
        cancel = sms.cancel(other.activation_id, status=-1)
        after_cancel = sms.get_balance()
    result = {
        "before": before,
        "after_sale": after_sale,
        "after_cancel": after_cancel,
        "sold": sold,
        "phone": ordered.phone_number,
        "codes": [first.code, second.code],
        "cancelled": other.activation_id,
        "replies": {
            "ready": ready,
            "retry": retry,
            "waiting": [waiting.status, waiting.code],
            "v2_code": status_v2["sms"]["code"],
            "finish": finish,
            "cancel": cancel,
        },
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
