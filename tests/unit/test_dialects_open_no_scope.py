"""Dialects and the web cabinet only translate: no module under simgate/dialects or
simgate/web opens a database scope.

import-linter sees imports, not calls, so this walks the syntax tree of every dialect module
for calls that open one: `<anything>.transaction(…)`, `<anything>.session(…)`,
`<anything>.begin_nested(…)`, and `.read(…)` on a database (`db.read()`, `ctx.db.read()`).
A dialect that needs data calls a domain flow or query, which opens its own scope.
"""

from __future__ import annotations

import ast
from pathlib import Path

import simgate.dialects
import simgate.web

DIALECTS = Path(simgate.dialects.__file__).parent
WEB = Path(simgate.web.__file__).parent
ALWAYS_A_SCOPE = {"transaction", "session", "begin_nested"}


def _is_database(node: ast.expr) -> bool:
    return (isinstance(node, ast.Name) and node.id == "db") or (
        isinstance(node, ast.Attribute) and node.attr == "db"
    )


def scope_calls(source: str, filename: str = "<source>") -> list[str]:
    """`file:line: call` for each call in `source` that opens a database scope."""
    found = []
    for node in ast.walk(ast.parse(source, filename)):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
            continue
        name, receiver = node.func.attr, node.func.value
        if name in ALWAYS_A_SCOPE or (name == "read" and _is_database(receiver)):
            found.append(f"{filename}:{node.lineno}: {ast.unparse(node.func)}(…)")
    return found


def test_no_dialect_module_opens_a_scope() -> None:
    modules = sorted(DIALECTS.rglob("*.py"))
    assert len(modules) > 10  # the walk really covers the dialects
    offenders = [
        line
        for path in modules
        for line in scope_calls(path.read_text(encoding="utf-8"), str(path.relative_to(DIALECTS)))
    ]
    assert offenders == []


def test_no_web_module_opens_a_scope() -> None:
    modules = sorted(WEB.rglob("*.py"))
    assert len(modules) > 5  # the walk really covers the cabinet
    offenders = [
        line
        for path in modules
        for line in scope_calls(path.read_text(encoding="utf-8"), str(path.relative_to(WEB)))
    ]
    assert offenders == []


def test_every_way_of_opening_a_scope_is_seen() -> None:
    source = """
async def method(call, ctx, db, session):
    async with call.ctx.db.read() as s: ...
    async with ctx.db.transaction() as s: ...
    async with db.read() as s: ...
    async with ctx.db.session() as s: ...
    async with session.begin_nested(): ...
    body = await request.read()   # not a database: allowed
    text = handle.read()          # nor this
"""
    assert [line.split(": ", 1)[1] for line in scope_calls(source)] == [
        "call.ctx.db.read(…)",
        "ctx.db.transaction(…)",
        "db.read(…)",
        "ctx.db.session(…)",
        "session.begin_nested(…)",
    ]
