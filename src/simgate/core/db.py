"""Engines and the transaction scope.

Entry points (HTTP handlers, worker jobs, CLI commands) open exactly one transaction with
`Database.transaction()`; services only flush. SQLite gets two engines: writers share one
connection and start with BEGIN IMMEDIATE (so a second process waits on the file lock instead of
failing on a stale snapshot), readers use a small pool with deferred BEGIN.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Table, event, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.dialects.sqlite.aiosqlite import SQLiteDialect_aiosqlite
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from simgate.core import changes, sqlite_driver
from simgate.core.change_sources import CHANNEL, record_sqlite_topics, source_for
from simgate.core.changes import ChangeFeed, Changes, TrackedSession
from simgate.core.errors import InvalidInput
from simgate.core.memo import Memo

SQLITE_BUSY_TIMEOUT_MS = 30_000
# How long an in-memory read may live at most when no commit changes it (a safety net for
# writes made behind simgate's back; see core.memo).
MEMO_SECONDS = 30.0


# Sent by nearly every transaction on PostgreSQL: built once, as a statement made anew costs
# more CPU than the round trip (the other statements of a rental are built once too).
_NOTIFY = text("SELECT pg_notify(:c, :p)")
_ADVISORY_LOCK = text("SELECT pg_advisory_xact_lock(:k)")
_NO_DISK_WAIT = text("SET LOCAL synchronous_commit TO OFF")


class DatabaseUnreachable(OperationalError):
    """The database server refused or reset the connection (a restart, a network cut). The
    driver raises those as a bare ConnectionError; as an OperationalError every entry point
    already answers them as the storage failure they are — "try again later" — instead of an
    unhandled exception (an HTTP 500)."""

    def __init__(self, orig: ConnectionError) -> None:
        super().__init__(None, None, orig, connection_invalidated=True)


@asynccontextmanager
async def _socket_errors_as_storage_errors() -> AsyncIterator[None]:
    try:
        yield
    except ConnectionError as exc:
        raise DatabaseUnreachable(exc) from exc


def mark_account_changed(session: AsyncSession, account_id: int) -> None:
    """Note that this transaction changes what `account_id` sees; every process hears it on
    commit (core.changes)."""
    changes.mark(session, changes.account_topic(account_id))


def _prepare_sqlite(engine: AsyncEngine, begin: str | None) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Take over transaction control from the driver so BEGIN is ours to emit.
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    if begin is None:
        return

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql(begin)


def _sqlite_engine(url: str, *, pool_size: int) -> AsyncEngine:
    """An engine whose connections make one trip to their thread per statement
    (core.sqlite_driver), opened with the arguments SQLAlchemy derives from `url`."""
    args, kwargs = SQLiteDialect_aiosqlite().create_connect_args(make_url(url))
    return create_async_engine(
        url,
        async_creator=lambda: sqlite_driver.connect(args, kwargs),
        pool_size=pool_size,
        max_overflow=0,
        pool_timeout=60,
    )


# The async drivers simgate ships with; any other URL fails on first use, far from its cause.
SUPPORTED_DRIVERS = ("sqlite+aiosqlite", "postgresql+asyncpg")


def check_url(url: str) -> str:
    """`url`, or InvalidInput naming what is wrong with it."""
    try:
        driver = make_url(url).drivername
    except ArgumentError as exc:
        raise InvalidInput(f"not a database URL: {url[:60]!r}") from exc
    if driver not in SUPPORTED_DRIVERS:
        supported = " or ".join(f"{d}://" for d in SUPPORTED_DRIVERS)
        raise InvalidInput(f"unsupported database driver {driver!r}; use {supported}")
    return url


def is_sqlite_url(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def ensure_sqlite_dir(url: str) -> None:
    database = make_url(url).database
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)


class Database:
    def __init__(
        self, url: str, *, pool_size: int = 32, memo_seconds: float = MEMO_SECONDS
    ) -> None:
        self.url = check_url(url)
        self.is_sqlite = is_sqlite_url(url)
        if self.is_sqlite:
            ensure_sqlite_dir(url)
            self.write_engine = _sqlite_engine(url, pool_size=1)
            self.read_engine = _sqlite_engine(url, pool_size=4)
            _prepare_sqlite(self.write_engine, "BEGIN IMMEDIATE")
            # Reads run in autocommit: each SELECT sees committed data, without the round trips
            # of BEGIN and ROLLBACK around it.
            _prepare_sqlite(self.read_engine, None)
        else:
            # No overflow: a connection opened past the pool is closed again when returned, so
            # under a steady load above the pool size every request would pay a new session.
            self.write_engine = create_async_engine(
                url, pool_size=pool_size, max_overflow=0, pool_timeout=60, pool_recycle=1800
            )
            self.read_engine = self.write_engine.execution_options(isolation_level="AUTOCOMMIT")
        # Hears what each commit changed, this process's and (once started) the others'.
        self.changes = ChangeFeed()
        self.memo_seconds = memo_seconds
        self._memos: dict[str, Memo] = {}
        self._writer = async_sessionmaker(
            self.write_engine, expire_on_commit=False, sync_session_class=TrackedSession
        )
        self._reader = async_sessionmaker(self.read_engine, expire_on_commit=False)

    def memo(self, name: str) -> Memo:
        """The in-memory reads kept under `name` (one per name and database)."""
        found = self._memos.get(name)
        if found is None:
            found = self._memos[name] = Memo(self.changes, self.memo_seconds)
        return found

    async def start_feed(self) -> None:
        """Hear other processes' commits (until `dispose`); caches are used only meanwhile."""
        await self.changes.start(source_for(self.changes, self.url))

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """The one read-write transaction of a request or job: commit on success."""
        async with _socket_errors_as_storage_errors(), self._writer() as session:
            async with session.begin():
                yield session
                topics = await self._announce(session)
            if topics:
                self.changes.publish(Changes(frozenset(topics)))

    async def _announce(self, session: AsyncSession) -> set[str]:
        """The topics this transaction changed, told to the other processes inside the
        transaction, so they hear exactly the commits that happen (core.change_sources):
        PostgreSQL NOTIFYs them, SQLite bumps their rows in `change_topics`."""
        await session.flush()  # a pending write marks its table's topic as it flushes
        topics = changes.marked(session)
        changes.clear_marks(session)
        if not topics:
            return topics
        if self.is_sqlite:
            await record_sqlite_topics(session, self.changes.origin, topics)
        else:
            payload = changes.encode(self.changes.origin, topics)
            await session.execute(_NOTIFY, {"c": CHANNEL, "p": payload})
        return topics

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        """Read-only work in autocommit mode: each query sees what is committed at that moment."""
        async with _socket_errors_as_storage_errors(), self._reader() as session:
            yield session

    async def dispose(self) -> None:
        await self.changes.stop()
        await self.write_engine.dispose()
        if self.is_sqlite:
            await self.read_engine.dispose()


def dialect_name(session: AsyncSession) -> str:
    return session.get_bind().dialect.name


async def insert_ignore(
    session: AsyncSession,
    table: Table,
    values: Mapping[str, Any],
    conflict_columns: Sequence[str],
) -> bool:
    """INSERT that does nothing on a unique conflict; True when a row was written."""
    stmt = _insert_ignoring(dialect_name(session), table, tuple(conflict_columns))
    result = await session.execute(stmt, dict(values))
    return bool(getattr(result, "rowcount", 0))


@functools.cache
def _insert_ignoring(dialect: str, table: Table, conflict_columns: tuple[str, ...]) -> Any:
    """The INSERT … ON CONFLICT DO NOTHING of `insert_ignore`, built once per table."""
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return insert(table).on_conflict_do_nothing(index_elements=list(conflict_columns))


# LOCK ORDER — every transaction takes the locks it needs in this order, skipping the ones
# it does not need, so no two can each hold what the other waits for (a PostgreSQL deadlock,
# answered to a buyer as TRY_AGAIN_LATER):
#   1. advisory `account:<id>` (getNum's limit check, activations/rent.py)
#   2. advisory `phone:<supplier>:<number>` (PUSH_SMS intake; getNum's tx 2)
#   3. the activation row (FOR UPDATE, or the compare-and-set UPDATE itself)
#   4. the hold row, then 5. the account's balance row (ledger; a new hold row is no wait)
#   6. outbox rows (new rows only)
# Suppliers and their stock are a second, separate group that no transaction holding any
# of 1–6 touches: 7. supplier rows in id order, each before 8. its own stock rows (the stock
# poll, agents' health and stock after a rental, operators' changes). getNum writes them in
# a transaction of their own after its money transaction (activations/flows.py).
# Rows created in the transaction (getNum's activation, hold, ledger entries) are nobody
# else's to wait on and do not count.


async def commit_without_waiting_for_disk(session: AsyncSession) -> None:
    """Let this transaction's COMMIT return before its WAL reaches the disk (PostgreSQL's
    `synchronous_commit = off`, for this transaction only), releasing its row locks at once.
    Only for writes a crash may lose: hints that the next poll rewrites anyway."""
    if dialect_name(session) == "postgresql":
        await session.execute(_NO_DISK_WAIT)


async def lock_key(session: AsyncSession, key: str) -> None:
    """Serialise transactions that touch the same logical thing (e.g. one phone of one agent).

    PostgreSQL: a transaction-scoped advisory lock. SQLite: writers are already serialised.
    """
    if dialect_name(session) != "postgresql":
        return
    digest = hashlib.blake2b(key.encode(), digest_size=8).digest()
    number = int.from_bytes(digest, "big", signed=True)
    await session.execute(_ADVISORY_LOCK, {"k": number})
