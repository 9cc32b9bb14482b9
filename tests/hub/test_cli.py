"""Operator commands against a hub with real rentals."""

from __future__ import annotations

import asyncio

from typer.testing import CliRunner, Result

from simgate.cli.main import app

runner = CliRunner()


async def cli(database_url: str, *args: str) -> Result:
    # A thread: the command runs its own event loop, as it does from a shell.
    return await asyncio.to_thread(runner.invoke, app, [*args, "--database-url", database_url])


async def test_refunding_twice_is_refused_in_one_line(hub, make_buyer, connect_agent, database_url):
    agent = await connect_agent()
    key = await make_buyer()
    rented = await hub.api("getNum", key, service="vk", number=1)
    tzid, phone = rented["tzid"], int(rented["number"].lstrip("+"))
    assert (await hub.push(agent.key, 1, phone, "VK: 33708"))["status"] == "SUCCESS"
    assert await hub.api("setOperationOk", key, tzid=tzid) == {"response": 1, "tzid": tzid}

    first = await cli(database_url, "activation", "refund", str(tzid))
    assert first.exit_code == 0, first.output
    again = await cli(database_url, "activation", "refund", str(tzid))

    assert again.exit_code == 1 and again.exception is not None
    assert isinstance(again.exception, SystemExit), again.exception
    assert again.stderr == f"error: activation {tzid} is refunded; it cannot be refunded\n"
    # Refunded once: the price came back once, not twice.
    assert await hub.api("getBalance", key) == {"response": 1, "balance": "1000.00", "zbalance": 0}
