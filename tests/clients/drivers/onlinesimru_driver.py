"""Rent, read the code, finish — with `onlinesimru` (sync, httpx) pointed at a hub.

Runs in the client environment: `python onlinesimru_driver.py BASE_URL API_KEY SERVICE`.
Prints one JSON object. onlinesimru takes the hub through its own `base_url` parameter.
"""

from __future__ import annotations

import json
import sys

from onlinesimru import Driver  # type: ignore[import-not-found]

# wait_code sleeps this long between its (at most ten) getState polls; the simulated pool
# sends its SMS within a fraction of a second.
POLL_SECONDS = 0.3


def main() -> None:
    base_url, apikey, service = sys.argv[1:4]
    client = Driver(apikey=apikey, base_url=base_url)
    numbers = client.numbers()
    before = client.user().balance()["balance"]
    stats = numbers.tariffsOne(7)
    rented = numbers.get(service, country=7, number=True)
    # wait_code polls getState until a code arrives, then closes the operation itself
    # (setOperationOk), as a user of the library would let it.
    code = numbers.wait_code(rented["tzid"], timeout=POLL_SECONDS)
    after = client.user().balance()["balance"]
    result = {
        "before": before,
        "after": after,
        "price": stats["services"][f"service_{service}"]["price"],
        "tzid": rented["tzid"],
        "number": rented["number"],
        "code": code,
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
