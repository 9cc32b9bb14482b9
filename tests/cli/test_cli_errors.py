"""Bad input to any command gets one line on stderr and exit 1: never a traceback, and
nothing is stored."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from simgate.cli.main import app

runner = CliRunner()
LONG = "x" * 5000


def run(database_url: str, *args: str) -> Result:
    return runner.invoke(app, [*args, "--database-url", database_url])


def assert_refused(result: Result, *words: str) -> None:
    """Exit 1 with exactly one `error: …` line that mentions `words`; nothing on stdout."""
    assert not isinstance(result.exception, Exception) or isinstance(
        result.exception, SystemExit
    ), result.exception
    assert result.exit_code == 1, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert len(lines[0]) <= len("error: ") + 300
    assert result.stdout == ""
    for word in words:
        assert word in lines[0], lines[0]


@pytest.fixture
def seeded(db, database_url: str) -> str:
    """An account `alice` and a supplier `bank1` to aim commands at."""
    assert run(database_url, "account", "create", "alice", "--balance", "10").exit_code == 0
    added = run(
        database_url, "supplier", "add", "bank1", "--url", "http://127.0.0.1:9/", "--key", "k1"
    )
    assert added.exit_code == 0, added.output
    return database_url


BAD_COMMANDS = {
    "empty account name": (["account", "create", ""], "empty"),
    "blank account name": (["account", "create", "   "], "empty"),
    "long account name": (["account", "create", LONG], "at most 64"),
    "negative opening balance": (["account", "create", "bob", "--balance", "-5"], "negative"),
    "huge opening balance": (["account", "create", "bob", "--balance", "1e30"], "more than"),
    "too many decimals": (["account", "create", "bob", "--balance", "1.001"], "decimal"),
    "huge credit": (["account", "credit", "alice", "99999999999999999999"], "more than"),
    "zero credit": (["account", "credit", "alice", "0"], "deposit"),
    "negative limit": (["account", "limits", "alice", "--max-open", "-1"], "open activations"),
    "huge limit": (["account", "limits", "alice", "--per-minute", str(2**40)], "getNum"),
    "empty supplier name": (["supplier", "add", "", "--url", "http://a/", "--key", "k2"], "empty"),
    "long supplier name": (
        ["supplier", "add", LONG, "--url", "http://a/", "--key", "k2"],
        "at most 64",
    ),
    "ftp supplier URL": (["supplier", "add", "b2", "--url", "ftp://a/", "--key", "k2"], "http"),
    "URL without host": (["supplier", "add", "b2", "--url", "http://", "--key", "k2"], "host"),
    "not a URL": (["supplier", "add", "b2", "--url", "bank.example", "--key", "k2"], "http"),
    "bad port in URL": (["supplier", "add", "b2", "--url", "http://a:x/", "--key", "k2"], "URL"),
    "empty supplier key": (["supplier", "add", "b2", "--url", "http://a/", "--key", ""], "key"),
    "long supplier key": (["supplier", "add", "b2", "--url", "http://a/", "--key", LONG], "key"),
    "key of another supplier": (
        ["supplier", "add", "b2", "--url", "http://a/", "--key", "k1"],
        "bank1",
    ),
    "zero timeout": (
        ["supplier", "add", "b2", "--url", "http://a/", "--key", "k2", "--timeout", "0"],
        "timeout",
    ),
    "unknown currency": (
        ["supplier", "add", "b2", "--url", "http://a/", "--key", "k2", "--currency", "1"],
        "currency",
    ),
    "re-point to a file URL": (["supplier", "set", "bank1", "--url", "file:///etc/x"], "http"),
    "negative price": (["price", "set", "--country", "7", "--service", "vk", "--price", "-1"], ""),
    "huge price": (
        ["price", "set", "--country", "7", "--service", "vk", "--price", "1" + "0" * 20],
        "more than",
    ),
    "payout above price": (
        ["price", "set", "--country", "7", "--service", "vk", "--price", "10", "--payout", "11"],
        "payout",
    ),
    "huge country code": (
        ["price", "set", "--country", str(2**64), "--service", "vk", "--price", "1"],
        "country code",
    ),
    "huge activation id": (["activation", "refund", str(2**64)], "activation id"),
    "huge dev key id": (["devkey", "revoke", str(2**64)], "dev key id"),
    "port out of range": (["serve", "--port", "65536"], "port"),
    "long dev key note": (["devkey", "issue", "--note", LONG], "at most 255"),
    "long sender name": (["sender", "request", LONG, "--account", "alice"], "sender"),
    "empty sender name": (["sender", "request", "", "--account", "alice"], "sender"),
    "debit beyond the balance": (["account", "debit", "alice", "10.01", "--reason", "x"], "10.00"),
    "huge debit": (["account", "debit", "alice", "1" + "0" * 20, "--reason", "x"], "more than"),
    "long debit reason": (["account", "debit", "alice", "1", "--reason", LONG], "at most 64"),
    "zero account limit": (["account", "list", "--limit", "0"], "limit"),
    "huge activation limit": (["activation", "list", "--limit", str(2**40)], "limit"),
    "unknown activation state": (["activation", "list", "--state", "over"], "unknown state"),
    "huge tzid to show": (["activation", "show", str(2**64)], "activation id"),
    "huge country to list": (["price", "list", "--country", "9" * 30], "country code"),
    "unknown supplier to remove": (["supplier", "remove", "nobody"], "no supplier"),
    "long stop-list reason": (
        ["stoplist", "add", "79001234567", "--reason", LONG],
        "at most 255",
    ),
}


@pytest.mark.parametrize("args,word", BAD_COMMANDS.values(), ids=BAD_COMMANDS.keys())
def test_bad_input_is_one_line_and_exit_1(seeded: str, args: list[str], word: str) -> None:
    assert_refused(run(seeded, *args), word)


def test_refused_input_stores_nothing(seeded: str) -> None:
    assert_refused(run(seeded, "account", "create", ""))
    assert_refused(run(seeded, "account", "create", "bob", "--balance", "-5"))
    assert_refused(run(seeded, "account", "show", "bob"), "no account")
    assert_refused(run(seeded, "supplier", "add", "b2", "--url", "ftp://a/", "--key", "k2"))
    assert "b2" not in run(seeded, "supplier", "list").stdout
    assert_refused(run(seeded, "supplier", "set", "bank1", "--url", "file:///etc/x"))
    assert "file" not in run(seeded, "supplier", "list").stdout


BAD_AGENT_OPTIONS = {
    "port out of range": (["--port", "65536"], "port"),
    "empty key": (["--key", ""], "key"),
    "ftp hub URL": (["--hub-url", "ftp://hub/push"], "hub_url"),
    "hub URL without host": (["--hub-url", "http:///push"], "hub_url"),
    "unknown currency": (["--currency", "5"], "currency"),
}


@pytest.mark.parametrize("args,word", BAD_AGENT_OPTIONS.values(), ids=BAD_AGENT_OPTIONS.keys())
def test_bad_agent_option(tmp_path: Path, args: list[str], word: str) -> None:
    command = ["agent", "serve", "--key", "k", "--data-dir", str(tmp_path), *args]
    assert_refused(runner.invoke(app, command), word)


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize(
    "url,word",
    [
        ("mysql+aiomysql://u@localhost/x", "unsupported database driver"),
        ("postgresql://u@localhost/x", "unsupported database driver"),
        ("not a url", "not a database URL"),
        (
            f"postgresql+asyncpg://postgres@127.0.0.1:{_closed_port()}/x",
            "cannot open the database: [Errno 111] Connect call failed",
        ),
    ],
    ids=["unknown driver", "sync driver", "garbage", "unreachable server"],
)
def test_bad_database_url_is_one_line_and_exit_1(url: str, word: str) -> None:
    assert_refused(run(url, "account", "show", "alice"), word)


def test_a_file_that_is_not_a_database(tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("not SQLite\n" * 100)
    url = f"sqlite+aiosqlite:///{notes}"
    assert_refused(run(url, "account", "show", "alice"), "cannot open the database")


def test_a_config_file_that_is_not_toml_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from simgate.core.settings import get_settings

    broken = tmp_path / "simgate.toml"
    broken.write_text("port = = 1\n")
    monkeypatch.setenv("SIMGATE_CONFIG", str(broken))
    get_settings.cache_clear()
    try:
        assert_refused(runner.invoke(app, ["config", "show"]), "not valid TOML")
    finally:
        get_settings.cache_clear()
    agent = ["agent", "config", "show", "--config", str(broken)]
    assert_refused(runner.invoke(app, agent), "not valid TOML")
