"""A process's connections to the database: how many, how long a request waits for one, and in what order
requests get them; and checking a connection that has been idle before it is used."""

from __future__ import annotations

import asyncio
import collections
import contextlib
import time
import weakref
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine


@dataclass(frozen=True)
class PoolSize:
    """A process's connections to a database server: ``size`` kept open, up to ``overflow`` more under load,
    and how long a request waits for one before it is refused (503 with Retry-After) rather than queueing
    until its caller has given up.

    A unit of work holds its connection throughout, so the pool is also the process's queue of requests,
    served in turn (``Turns``). A few connections keep a process's CPU busy while others wait on the
    database; more only interleave more requests, each then taking as long as the slowest (one worker at
    32 clients: p99 1.8 s with 20 connections, 0.98 s with 5 taken in turn, at the same throughput).

    The process's background work (the outbox sender, which keeps a connection for a batch; the clock; the
    audit sealer; the metrics) takes no turn: it has ``background`` connections beyond the requests', so
    neither waits for the other."""

    size: int = 5
    overflow: int = 0
    timeout_seconds: float = 5.0
    background: int = 3

    def options(self) -> dict[str, Any]:
        """SQLAlchemy's names for them."""
        return {
            "pool_size": self.size,
            "max_overflow": self.overflow + self.background,
            "pool_timeout": self.timeout_seconds,
        }


DEFAULT_POOL = PoolSize()
# A connection idle this long is checked before it is used (PostgreSQL may have restarted, or a firewall
# dropped it). SQLAlchemy's pool_pre_ping would check it on every use: three round trips per request.
IDLE_PING_SECONDS = 10.0


class Turns:
    """Units of work take turns at a process's connections, first come, first served. The pool's own queue
    is not fair: a newcomer takes a connection that was being handed to one who had waited, who then waits
    again at the back (under load, p99 twice the median). A unit of work waits its turn here first, for as
    long as it would wait for a connection, then is refused as the pool would refuse it.

    One that others are waiting on (building a dashboard for a burst, portal/reuse/service.py) goes to the
    front: its build then runs while those of the previous burst record their looks, not after them."""

    def __init__(self, pool: PoolSize) -> None:
        self.pool = pool
        # Per event loop (the tests run one per test).
        self._queues: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Queue] = (
            weakref.WeakKeyDictionary()
        )

    @contextlib.asynccontextmanager
    async def turn(self, first: bool = False) -> AsyncIterator[None]:
        loop = asyncio.get_running_loop()
        queue = self._queues.get(loop)
        if queue is None:
            queue = self._queues[loop] = _Queue(self.pool.size + self.pool.overflow)
        try:
            async with asyncio.timeout(self.pool.timeout_seconds):
                await queue.take(first)
        except TimeoutError:
            raise sa.exc.TimeoutError("no database connection came free in time") from None
        try:
            yield
        finally:
            queue.give()


class _Queue:
    """``free`` turns, and those waiting for one in the order they are to get it."""

    def __init__(self, free: int) -> None:
        self.free = free
        self.waiting: collections.deque[asyncio.Future[None]] = collections.deque()

    async def take(self, first: bool) -> None:
        if self.free and not self.waiting:
            self.free -= 1
            return
        granted = asyncio.get_running_loop().create_future()
        (self.waiting.appendleft if first else self.waiting.append)(granted)
        try:
            await granted
        except BaseException:
            if granted.done() and not granted.cancelled():
                self.give()  # handed a turn as it gave up: pass it on
            else:
                self.waiting.remove(granted)
            raise

    def give(self) -> None:
        while self.waiting:
            granted = self.waiting.popleft()
            if not granted.done():
                granted.set_result(None)
                return
        self.free += 1


_TURNS: weakref.WeakKeyDictionary[sa.Engine, Turns] = weakref.WeakKeyDictionary()


def take_turns(engine: AsyncEngine, pool: PoolSize) -> None:
    """Units of work on ``engine`` take turns (an in-memory database's one connection needs none)."""
    if isinstance(engine.sync_engine.pool, sa.pool.QueuePool):
        _TURNS[engine.sync_engine] = Turns(pool)


def turn(engine: AsyncEngine, first: bool = False) -> contextlib.AbstractAsyncContextManager[None]:
    """A turn at ``engine``'s connections: waited for in order (``first``: at the front), or at once for an
    engine without turns."""
    turns = _TURNS.get(engine.sync_engine)
    return turns.turn(first) if turns else contextlib.nullcontext()


def ping_when_idle(engine: AsyncEngine) -> None:
    """Check a connection idle for IDLE_PING_SECONDS before it is used."""
    event.listen(engine.sync_engine.pool, "checkin", _idle_from_now)
    event.listen(engine.sync_engine.pool, "checkout", _ping_if_idle)


def _idle_from_now(_dbapi_connection: Any, record: Any) -> None:
    record.info["idle_since"] = time.monotonic()


def _ping_if_idle(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
    idle_since = record.info.get("idle_since")
    if idle_since is None or time.monotonic() - idle_since < IDLE_PING_SECONDS:
        return
    try:
        dbapi_connection.ping()
    except Exception as gone:
        # The pool discards this connection and checks out another.
        raise sa.exc.DisconnectionError("an idle connection has gone") from gone
