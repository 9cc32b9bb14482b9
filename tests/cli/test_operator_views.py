"""Lists, inspections and removals an operator runs against a hub that has sold numbers."""

from __future__ import annotations

import asyncio

from typer.testing import CliRunner, Result

from simgate.cli.main import app
from tests.hub.conftest import Hub

runner = CliRunner()


def run(database_url: str, *args: str) -> Result:
    return runner.invoke(app, [*args, "--database-url", database_url])


async def arun(database_url: str, *args: str) -> Result:
    # The command runs its own event loop, so it goes to a thread beside the test's.
    return await asyncio.to_thread(run, database_url, *args)


def refused(result: Result) -> str:
    """The one `error:` line of a refused command."""
    assert result.exit_code == 1, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert "Traceback" not in result.output
    return lines[0]


def test_account_list_filters_and_shows_balances(db, database_url):
    assert run(database_url, "account", "create", "alice", "--balance", "100.50").exit_code == 0
    assert run(database_url, "account", "create", "alfred").exit_code == 0
    assert run(database_url, "account", "create", "bob", "--balance", "1").exit_code == 0
    assert run(database_url, "account", "limits", "alfred", "--blocked", "--no-api").exit_code == 0

    everyone = run(database_url, "account", "list")
    assert everyone.exit_code == 0, everyone.output
    assert all(name in everyone.stdout for name in ("alice", "alfred", "bob"))
    assert "100.50" in everyone.stdout and "blocked" in everyone.stdout

    some = run(database_url, "account", "list", "--name", "AL")
    assert "alice" in some.stdout and "alfred" in some.stdout and "bob" not in some.stdout
    blocked = run(database_url, "account", "list", "--blocked")
    assert "alfred" in blocked.stdout and "alice" not in blocked.stdout
    assert "no-api" in blocked.stdout
    with_api = run(database_url, "account", "list", "--api", "--unblocked")
    assert "alice" in with_api.stdout and "alfred" not in with_api.stdout
    assert "alice" not in run(database_url, "account", "list", "--operator").stdout
    assert "bob" in run(database_url, "account", "list", "--buyer", "--limit", "3").stdout
    assert "limit" in refused(run(database_url, "account", "list", "--limit", "0"))


def test_account_debit_is_a_ledger_entry_within_the_available_balance(db, database_url):
    assert run(database_url, "account", "create", "alice", "--balance", "100").exit_code == 0
    taken = run(database_url, "account", "debit", "alice", "30.25", "--reason", "wrong credit")
    assert taken.exit_code == 0, taken.output
    assert "69.75" in run(database_url, "account", "show", "alice").stdout

    line = refused(run(database_url, "account", "debit", "alice", "70", "--reason", "too much"))
    assert "69.75 available" in line
    assert "69.75" in run(database_url, "account", "show", "alice").stdout
    assert "reason" in refused(run(database_url, "account", "debit", "alice", "1", "--reason", ""))
    assert "debit" in refused(run(database_url, "account", "debit", "alice", "0", "--reason", "x"))
    assert "no account" in refused(
        run(database_url, "account", "debit", "nobody", "1", "--reason", "x")
    )
    checked = run(database_url, "ledger", "check")
    assert checked.exit_code == 0 and checked.stdout == "ledger OK\n", checked.output


def test_price_list_by_country_and_service(db, database_url):
    assert run(database_url, "price", "set", "--country", "7", "--service", "vk", "--price",
               "12.50", "--payout", "8.00").exit_code == 0  # fmt: skip
    vk = run(database_url, "price", "list", "--country", "7", "--service", "vk")
    assert vk.exit_code == 0, vk.output
    assert "12.50" in vk.stdout and "8.00" in vk.stdout and "VKcom" in vk.stdout
    assert "Google" not in vk.stdout
    russia = run(database_url, "price", "list", "--country", "russia")
    assert "VKcom" in russia.stdout and "Google" in russia.stdout
    assert "ukraine" not in russia.stdout
    assert "ukraine" in run(database_url, "price", "list").stdout
    assert "no country" in refused(run(database_url, "price", "list", "--country", "atlantis"))
    assert "no service" in refused(run(database_url, "price", "list", "--service", "nosuch"))


def test_supplier_remove_only_when_nothing_refers_to_it(db, database_url):
    assert run(database_url, "supplier", "add", "typo", "--url", "http://127.0.0.1:9/",
               "--key", "k1").exit_code == 0  # fmt: skip
    removed = run(database_url, "supplier", "remove", "typo")
    assert removed.exit_code == 0, removed.output
    assert "typo" not in run(database_url, "supplier", "list").stdout
    assert "no supplier" in refused(run(database_url, "supplier", "remove", "typo"))


async def _rent_with_sms(hub: Hub, buyer: str, agent_key: str) -> tuple[int, int]:
    reply = await hub.api("getNum", buyer, service="vk", number=1)
    assert reply["response"] == 1, reply
    phone = int(reply["number"].lstrip("+"))
    assert (await hub.push(agent_key, 1, phone, "VK: 33708 is your code"))["status"] == "SUCCESS"
    return reply["tzid"], phone


async def test_supplier_with_rentals_is_not_removed(hub, buyer, connect_agent, database_url):
    agent = await connect_agent("bank1")
    tzid, _ = await _rent_with_sms(hub, buyer, agent.key)

    line = refused(await arun(database_url, "supplier", "remove", "bank1"))
    assert "open rentals: 1" in line and "--disabled" in line

    assert (await hub.api("setOperationOk", buyer, tzid=tzid))["response"] == 1
    assert "calls owed: 1" in refused(await arun(database_url, "supplier", "remove", "bank1"))
    await hub.tick()  # FINISH_ACTIVATION reaches the agent
    line = refused(await arun(database_url, "supplier", "remove", "bank1"))
    assert "on record" in line and "rentals: 1" in line and "SMS: 1" in line
    assert "bank1" in (await arun(database_url, "supplier", "list")).stdout


async def test_activation_list_and_show(hub, make_buyer, connect_agent, database_url):
    agent = await connect_agent("bank1")
    alice = await make_buyer("alice")
    bob = await make_buyer("bob")
    tzid, phone = await _rent_with_sms(hub, alice, agent.key)
    other = await hub.api("getNum", bob, service="vk", number=1)
    assert other["response"] == 1, other

    listed = await arun(database_url, "activation", "list")
    assert listed.exit_code == 0, listed.output
    assert str(tzid) in listed.stdout and str(other["tzid"]) in listed.stdout
    assert "answered" in listed.stdout and "bank1" in listed.stdout
    only_alice = (await arun(database_url, "activation", "list", "--account", "alice")).stdout
    assert "alice" in only_alice and "bob" not in only_alice
    waiting = (await arun(database_url, "activation", "list", "--state", "waiting")).stdout
    assert "bob" in waiting and "alice" not in waiting
    newest = (await arun(database_url, "activation", "list", "--limit", "1")).stdout
    assert "bob" in newest and "alice" not in newest
    bad_state = await arun(database_url, "activation", "list", "--state", "x")
    assert "unknown state" in refused(bad_state)
    assert "no account" in refused(
        await arun(database_url, "activation", "list", "--account", "carol")
    )

    shown = await arun(database_url, "activation", "show", str(tzid))
    assert shown.exit_code == 0, shown.output
    for expected in ("alice", "VKcom", "bank1", str(phone), "33708", "VK: 33708 is your code",
                     "hold", "14.00"):  # fmt: skip
        assert expected in shown.stdout, expected
    assert (await hub.api("setOperationOk", alice, tzid=tzid))["response"] == 1
    assert "capture" in (await arun(database_url, "activation", "show", str(tzid))).stdout
    assert "no activation" in refused(await arun(database_url, "activation", "show", "999999"))


def test_names_that_look_like_markup_are_printed_as_they_are(db, database_url):
    odd = "[/oops] [bold]"
    created = run(database_url, "account", "create", odd, "--balance", "5")
    assert created.exit_code == 0, created.output
    assert odd in created.stdout
    for args in (
        ["account", "credit", odd, "1"],
        ["account", "debit", odd, "1", "--reason", "[/why]"],
        ["account", "show", odd],
        ["supplier", "add", odd, "--url", "http://127.0.0.1:9/", "--key", "k"],
    ):
        result = run(database_url, *args)
        assert result.exit_code == 0, (args, result.output)
        assert odd in result.stdout, args
    for listing in (["account", "list"], ["supplier", "list"]):
        result = run(database_url, *listing)
        assert result.exit_code == 0 and result.exception is None, result.output
        assert "[/oops]" in result.stdout and "[bold]" in result.stdout  # folded, not parsed
    assert odd in run(database_url, "supplier", "remove", odd).stdout
    assert run(database_url, "devkey", "issue", "--note", odd).exit_code == 0
    assert run(database_url, "stoplist", "add", "79001234567", "--reason", odd).exit_code == 0
    for listing in (["devkey", "list"], ["stoplist", "list"]):
        result = run(database_url, *listing)
        assert result.exit_code == 0 and result.exception is None, result.output
        assert "[/oops]" in result.stdout, listing
