"""`simgate --version` names the installed package's version; `-h` is `--help` everywhere."""

from __future__ import annotations

from importlib.metadata import version

import pytest
from typer.testing import CliRunner

from simgate.cli.main import app

runner = CliRunner()


def test_version_is_the_installed_packages():
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0, result.output
    assert result.stdout == f"simgate {version('simgate')}\n"


@pytest.mark.parametrize(
    "words", [[], ["account"], ["account", "create"], ["agent", "serve"], ["serve"]]
)
def test_dash_h_is_help(words):
    short = runner.invoke(app, [*words, "-h"])
    long = runner.invoke(app, [*words, "--help"])
    assert short.exit_code == long.exit_code == 0, short.output
    assert short.stdout == long.stdout
    assert "Usage: simgate" in short.stdout
