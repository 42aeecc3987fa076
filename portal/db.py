"""The database engine, the session factory and the per-request unit of work."""

from __future__ import annotations

import asyncio
import uuid
from collections import defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from portal.audit import pending

T = TypeVar("T")


def create_engine(database_url: str, *, echo: bool = False) -> AsyncEngine:
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        return create_async_engine(url, echo=echo, pool_pre_ping=True)
    if url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_async_engine(url, echo=echo, connect_args={"timeout": 30})
    event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    event.listen(engine.sync_engine, "begin", _begin_immediate)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # SQLite ignores foreign keys unless asked; WAL lets pages read while a write commits.
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()
    # The driver's own BEGIN is deferred; ours (below) takes the write lock up front.
    dbapi_connection.isolation_level = None


def _begin_immediate(connection: Any) -> None:
    """SQLite allows one writer. A transaction that read first and writes later fails if another wrote in
    between, so each one takes the write lock as it begins; the embedded default serves a few people."""
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def create_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


class UnitOfWork:
    """One transaction for one request: committed at the end unless something failed.

    Strawberry resolves sibling fields concurrently, and graphql-core cancels the siblings of a field that
    fails. An AsyncSession must neither run two statements at once nor be interrupted in the middle of
    one (its connection is then unusable), so all work on the session goes through ``run``: serialised by
    a lock, and shielded from cancellation, so it finishes even if the field that asked for it is gone.
    """

    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self._lock = asyncio.Lock()
        self._running: set[asyncio.Future[Any]] = set()
        self.failed = False

    async def run(self, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
        async def locked() -> T:
            async with self._lock:
                return await work(self._session)

        task = asyncio.ensure_future(locked())
        self._running.add(task)
        task.add_done_callback(self._running.discard)
        return await asyncio.shield(task)

    async def settle(self) -> None:
        """Wait for work whose caller was cancelled, so the transaction ends in a known state."""
        while self._running:
            await asyncio.gather(*self._running, return_exceptions=True)

    def fail(self) -> None:
        """Mark the request as failed: nothing it wrote will be committed."""
        self.failed = True


@asynccontextmanager
async def unit_of_work(factory: async_sessionmaker[AsyncSession]) -> AsyncIterator[UnitOfWork]:
    async with factory() as session:
        uow = UnitOfWork(session)
        try:
            yield uow
        except BaseException:
            await uow.settle()
            await pending.rollback(session)
            raise
        await uow.settle()
        if uow.failed:
            await pending.rollback(session)
        else:
            await session.commit()


async def grouped(session: AsyncSession, stmt: sa.Select[tuple[uuid.UUID, T]]) -> dict[uuid.UUID, list[T]]:
    """Rows of (key, record), in the statement's order, as a list of records per key: what a DataLoader
    fetches for many parents in one query."""
    found: dict[uuid.UUID, list[T]] = defaultdict(list)
    for key, record in await session.execute(stmt):
        found[key].append(record)
    return found
