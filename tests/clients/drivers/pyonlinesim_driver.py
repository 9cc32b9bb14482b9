"""Rent, read the code, finish — with `pyonlinesim` (async, aiohttp, pydantic 1) at a hub.

Runs in the pydantic-1 client environment:
`python pyonlinesim_driver.py BASE_URL API_KEY SERVICE`. Prints one JSON object.
pyonlinesim has no URL parameter: its clients read the class attribute `BASE_URL`
(hard-coded to onlinesim.ru), so a subclass overrides it, as a user would.
"""

from __future__ import annotations

import asyncio
import json
import sys

from pyonlinesim import OnlineSMS  # type: ignore[import-not-found]
from pyonlinesim.types.sms.state import OrderStatus  # type: ignore[import-not-found]

POLLS = 100
POLL_SECONDS = 0.1


async def wait_for_code(client: OnlineSMS, tzid: int) -> str:
    for _ in range(POLLS):
        info = await client.get_order_info(tzid)
        order = info.orders[0]
        # Not `order.message`: its model reads the spec's "msg": false (nothing yet) as the
        # string "False", so the state is the client's only reliable signal.
        if order.response == OrderStatus.RECEIVED_ANSWER:
            return str(order.message)
        await asyncio.sleep(POLL_SECONDS)
    raise SystemExit(f"no code for {tzid}: {info}")


async def run(base_url: str, apikey: str, service: str) -> dict[str, object]:
    class HubSMS(OnlineSMS):  # type: ignore[misc]
        BASE_URL = f"{base_url}/api/"

    client = HubSMS(apikey)
    before = await client.get_balance()
    stats = await client.get_services(country="7")
    price = next(s.price for s in stats.services if s.slug == service)
    order = await client.order_number(service, country=7, number=True)
    code = await wait_for_code(client, order.operation_id)
    finished = await client.finish_order(order.operation_id)
    after = await client.get_balance()
    return {
        "before": before.balance,
        "after": after.balance,
        "price": price,
        "tzid": order.operation_id,
        "number": order.number,
        "code": code,
        "finished": finished.response,
    }


def main() -> None:
    print(json.dumps(asyncio.run(run(*sys.argv[1:4]))))


if __name__ == "__main__":
    main()
