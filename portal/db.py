"""The database engine, the session factory and the per-request unit of work."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections import defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from portal.audit import pending
from portal.pool import DEFAULT_POOL, PoolSize, ping_when_idle, take_turns, turn
from portal.storage.private import create_private_file, private_folder

T = TypeVar("T")
log = logging.getLogger("portal.db")


def create_engine(database_url: str, *, echo: bool = False, pool: PoolSize = DEFAULT_POOL) -> AsyncEngine:
    engine = _create_engine(database_url, echo=echo, pool=pool)
    take_turns(engine, pool)
    return engine


def _create_engine(database_url: str, *, echo: bool, pool: PoolSize) -> AsyncEngine:
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        engine = create_async_engine(url, echo=echo, **pool.options())
        ping_when_idle(engine)
        return engine
    if url.database and url.database != ":memory:" and not url.database.startswith("file:"):
        # Made here, readable by the portal's user only; SQLite gives its -wal and -shm files the same mode.
        private_folder(Path(url.database).parent)
        create_private_file(Path(url.database))
    # An in-memory database has one connection, which no sizes apply to.
    memory = url.database in (None, "", ":memory:")
    sizes = {} if memory else pool.options()
    engine = create_async_engine(url, echo=echo, connect_args={"timeout": 30}, **sizes)
    event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    event.listen(engine.sync_engine, "begin", _sqlite_begin)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # SQLite ignores foreign keys unless asked; WAL lets pages read while a write commits.
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()
    # The driver's own BEGIN is deferred; ours (below) says what the transaction is for.
    dbapi_connection.isolation_level = None


# An execution option on a session's connection: the transaction only reads.
READ_ONLY = "portal_read_only"
_READING = {READ_ONLY: True, "postgresql_readonly": True}
_WRITING = {READ_ONLY: False, "postgresql_readonly": False}


def snapshot(dialect: str) -> dict[str, Any]:
    """Execution options for a transaction that reads every table as of one moment (a backup): read-only,
    and on PostgreSQL repeatable read; SQLite's WAL gives a reading transaction its snapshot as it is."""
    return _READING | ({"isolation_level": "REPEATABLE READ"} if dialect == "postgresql" else {})


def _sqlite_begin(connection: Any) -> None:
    """SQLite allows one writer. A transaction that read first and writes later fails if another wrote in
    between, so a writing transaction takes the write lock as it begins. A reading one takes no lock at all
    (WAL gives it a snapshot), and the database refuses it any write, so none can creep in."""
    read_only = bool(connection.get_execution_options().get(READ_ONLY))
    connection.exec_driver_sql(f"PRAGMA query_only = {int(read_only)}")
    connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def create_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


class Intent(StrEnum):
    """What a request's transaction is for. A read runs in a read-only transaction (on SQLite, one that
    holds no lock) and its looks are written after it, in a short transaction of their own."""

    READ = "read"
    WRITE = "write"


AfterWork = Callable[[AsyncSession], Awaitable[None]]


class UnitOfWork:
    """One transaction for one request: committed at the end unless something failed.

    Strawberry resolves sibling fields concurrently, and graphql-core cancels the siblings of a field that
    fails. An AsyncSession must neither run two statements at once nor be interrupted in the middle of
    one (its connection is then unusable), so all work on the session goes through ``run``: serialised by
    a lock, and shielded from cancellation, so it finishes even if the field that asked for it is gone.
    """

    def __init__(self, session: AsyncSession, intent: Intent = Intent.WRITE) -> None:
        self._session = session
        self._lock = asyncio.Lock()
        self._running: set[asyncio.Future[Any]] = set()
        self.intent = intent
        self.failed = False
        self.afterwards: dict[object, AfterWork] = {}

    async def run(self, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
        async def locked() -> T:
            async with self._lock:
                return await work(self._session)

        task = asyncio.ensure_future(locked())
        self._running.add(task)
        task.add_done_callback(self._finished)
        return await asyncio.shield(task)

    def _finished(self, task: asyncio.Future[Any]) -> None:
        self._running.discard(task)
        if not task.cancelled():
            # Its caller may have been cancelled (a sibling field failed): the error is theirs, not a
            # "never retrieved" warning in the log.
            task.exception()

    async def settle(self) -> None:
        """Wait for work whose caller was cancelled, so the transaction ends in a known state."""
        while self._running:
            await asyncio.gather(*self._running, return_exceptions=True)

    @property
    def session(self) -> AsyncSession:
        """The session, for bookkeeping that runs no statement (noting an audit event to write). Anything
        that talks to the database goes through ``run``."""
        return self._session

    def fail(self) -> None:
        """Mark the request as failed: nothing it wrote will be committed (its looks and refusals are)."""
        self.failed = True

    def after(self, key: object, work: AfterWork) -> None:
        """Bookkeeping to do after the request, outside its transaction, once per ``key``: stamping a
        token's or a session's last use must not make every request with it queue on one row."""
        self.afterwards.setdefault(key, work)


@asynccontextmanager
async def unit_of_work(
    factory: async_sessionmaker[AsyncSession], intent: Intent = Intent.WRITE, first: bool = False
) -> AsyncIterator[UnitOfWork]:
    """The request's unit of work. Its audit events are written before the caller goes on to send anything:
    if they cannot be, this raises, and the caller must send no data.

    It holds one connection throughout, the read and the write of its looks after it: the pool hands out
    connections in turn, and a request that waited for one should not wait again, at the back of the
    queue, to record what it read. One that others wait on takes the ``first`` turn free (portal/pool.py)."""
    engine: AsyncEngine = factory.kw["bind"]
    async with (
        turn(engine, first),
        engine.connect() as connection,
        factory(bind=connection) as session,
    ):
        if intent is Intent.READ:
            await session.connection(execution_options=_READING)
        uow = UnitOfWork(session, intent)
        try:
            yield uow
        except BaseException:
            await uow.settle()
            await _end(session, uow, failed=True)
            raise
        await uow.settle()
        await _end(session, uow, failed=uow.failed)
        for work in uow.afterwards.values():
            await _afterwards(session, work)


async def _end(session: AsyncSession, uow: UnitOfWork, *, failed: bool) -> None:
    """A write that succeeded commits with its events. Otherwise the work is rolled back, and the events
    that must outlive it (all of a read's; a failed request's looks and refusals) are written on their own."""
    if uow.intent is Intent.WRITE and not failed:
        await session.commit()
        return
    events = pending.take(session)
    await session.rollback()
    kept = [e for e in events if e.kept or not failed]
    if kept:
        pending.put(session, kept)
        await session.connection(execution_options=_WRITING)
        await session.commit()


async def _afterwards(session: AsyncSession, work: AfterWork) -> None:
    """Bookkeeping in a transaction of its own, on the request's connection (so it does not queue for
    another), after the request's own has ended."""
    try:
        await session.connection(execution_options=_WRITING)
        await work(session)
        await session.commit()
    except Exception:  # bookkeeping: the request itself has succeeded
        await session.rollback()
        log.warning("after-request bookkeeping failed", exc_info=True)


async def grouped(
    session: AsyncSession, stmt: sa.Select[uuid.UUID, T], params: dict[str, Any] | None = None
) -> dict[uuid.UUID, list[T]]:
    """Rows of (key, record), in the statement's order, as a list of records per key: what a DataLoader
    fetches for many parents in one query."""
    found: dict[uuid.UUID, list[T]] = defaultdict(list)
    for key, record in await session.execute(stmt, params):
        found[key].append(record)
    return found
