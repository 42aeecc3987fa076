"""The loops of the portal's background work (the outbox's sender, the clock, the audit sealer), in a web
process or a command of their own: each round of work, then a pause; and, on the embedded SQLite, which one
process does that work.

A round that fails because the database (or another dependency) cannot be used is one line in the log
with the cause, and the rounds after it wait longer each time, up to five minutes, until one succeeds: an
outage must not fill the log with a traceback every few seconds. Any other failure is the portal's own,
logged in full; the next round comes as usual."""

from __future__ import annotations

import asyncio
import fcntl
import logging
import os
from collections.abc import Awaitable, Callable
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from portal.outage import first_line, outage

log = logging.getLogger("portal")
# The longest pause between rounds while they keep failing.
LONGEST_PAUSE_SECONDS = 300.0


async def repeat(name: str, work: Callable[[], Awaitable[object]], every: float) -> None:
    """Run ``work`` every ``every`` seconds, for ever; ``name`` says whose rounds they are in the log."""
    failing = 0
    while True:
        try:
            await work()
            failing = 0
        except Exception as error:
            if outage(error) is None and not isinstance(error, sa.exc.DBAPIError):
                log.exception("%s failed a round", name)
            else:
                failing += 1
                log.warning(
                    "%s cannot use the database (%s); trying again in %.0f s",
                    name,
                    first_line(error),
                    pause(every, failing),
                )
        await asyncio.sleep(pause(every, failing))


def pause(every: float, failing: int) -> float:
    """How long to wait before the next round, after ``failing`` failed rounds in a row."""
    return min(every * float(2 ** min(failing, 16)), max(every, LONGEST_PAUSE_SECONDS))


class Held:
    """The right to run the background work on a database, until released (or the process ends)."""

    def __init__(self, fd: int | None = None) -> None:
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing it drops the lock
            self._fd = None


def hold(database_url: str) -> Held | None:
    """Take the right to run the background work on the database, or None if another process has it.

    SQLite has one writer: a sender or a clock in a process of its own only queues behind the web
    process's writes (with 16 writers, nearly SQLite's 30 s limit), so on SQLite one process does it all, the
    first to take a lock on a file beside the database. PostgreSQL takes any number, so there it is always
    given."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return Held()
    path = Path(url.database).with_name(Path(url.database).name + ".background-lock")
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    return Held(fd)
