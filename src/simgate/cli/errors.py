"""The one place where a failed command becomes `error: <one line>` on stderr and exit 1.

Services raise DomainError for bad input or state; binding a port, opening a database or
locking the agent's folder raise operational errors. An operator gets a sentence either way,
never a traceback; anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

from typing import Any

import pydantic
import typer
from sqlalchemy import exc as sa
from typer.core import TyperGroup

from simgate.agent.db import AgentLockedError
from simgate.core.errors import DomainError

MAX_LINE = 300

EXPECTED: tuple[type[BaseException], ...] = (
    DomainError,
    AgentLockedError,
    OSError,  # a busy port, an unreachable database server, a folder that cannot be created
    sa.ArgumentError,  # a database URL SQLAlchemy cannot parse or load
    sa.OperationalError,
    sa.InterfaceError,
    sa.IntegrityError,  # a concurrent command stored the same name first
    pydantic.ValidationError,  # a SIMGATE_* setting of the wrong type
)


def one_line(exc: BaseException) -> str:
    """The reason, on one line and short enough to read."""
    if isinstance(exc, pydantic.ValidationError):
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        text = f"invalid setting {where}: {first['msg']}"
    elif isinstance(exc, sa.DBAPIError):
        text = f"database: {exc.orig}"
    elif isinstance(exc, OSError) and exc.strerror:
        text = f"{exc.strerror}: {exc.filename}" if exc.filename else exc.strerror
    else:
        text = str(exc) or type(exc).__name__
    text = " ".join(text.split())
    return text if len(text) <= MAX_LINE else text[: MAX_LINE - 1] + "…"


class ReportingGroup(TyperGroup):
    """The root command group: runs every sub-command inside the one error handler."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except EXPECTED as exc:
            typer.echo(f"error: {one_line(exc)}", err=True)
            raise typer.Exit(1) from exc
