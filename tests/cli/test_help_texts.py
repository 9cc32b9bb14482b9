"""Every command, option and argument of `simgate` explains itself in --help."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import typer

from simgate.cli.main import app


def _walk(command: Any, path: str) -> Iterator[tuple[str, Any]]:
    """Every command under `command` (typer bundles its own click: groups are duck-typed)."""
    yield path, command
    for name, sub in getattr(command, "commands", {}).items():
        yield from _walk(sub, f"{path} {name}")


def test_every_command_and_parameter_has_help() -> None:
    missing = []
    for path, command in _walk(typer.main.get_command(app), "simgate"):
        if not (command.help or command.short_help):
            missing.append(path)
        for param in command.params:
            if not getattr(param, "help", None):
                missing.append(f"{path} {param.name}")
    assert missing == []


def test_the_walk_reaches_nested_commands() -> None:
    paths = {path for path, _ in _walk(typer.main.get_command(app), "simgate")}
    assert {"simgate agent config show", "simgate account list", "simgate db upgrade"} <= paths
