"""Telling a dependency's outage from the portal's own fault: a request that failed because the database or
the blob store cannot be reached (or is restarting, or is locked for longer than a request waits) is
answered 503 with Retry-After, and one that failed because there is no room left to keep what it wrote, 507;
anything else is a fault of the portal's, 500. The pages, the API's routes (portal/app.py) and GraphQL
(portal/api/view.py) each answer in their own way; this is the one place that decides which it was."""

from __future__ import annotations

import errno
import sqlite3
from collections.abc import Iterator
from enum import StrEnum

import asyncpg
import botocore.exceptions
import sqlalchemy as sa


class Outage(StrEnum):
    """Why a request could not be served, when it was not the portal's fault."""

    # The database or the blob store cannot be reached, or is restarting: try again shortly.
    UNAVAILABLE = "UNAVAILABLE"
    # The disk (or the database's) is full: nothing was kept.
    STORAGE_FULL = "STORAGE_FULL"


# How long a client is asked to wait before trying again when a dependency is unavailable.
RETRY_AFTER_SECONDS = 5

_FULL_ERRNOS = {errno.ENOSPC, errno.EDQUOT}
_UNREACHABLE = (
    ConnectionError,  # refused, reset, aborted, broken pipe
    TimeoutError,
    sa.exc.InterfaceError,  # the driver's connection is closed
    asyncpg.PostgresConnectionError,  # the connection is gone
    asyncpg.CannotConnectNowError,  # starting up or shutting down
    asyncpg.exceptions.OperatorInterventionError,  # the server is shutting down, or ended the connection
    botocore.exceptions.ConnectionError,
    botocore.exceptions.HTTPClientError,
)


def outage(error: BaseException) -> Outage | None:
    """The outage ``error`` (or any error it was raised from) shows, or None for the portal's own fault."""
    chain = list(_chain(error))
    for cause in chain:
        if isinstance(cause, OSError) and cause.errno in _FULL_ERRNOS:
            return Outage.STORAGE_FULL
        if isinstance(cause, sqlite3.OperationalError) and "full" in str(cause):
            return Outage.STORAGE_FULL
    for cause in chain:
        if isinstance(cause, sa.exc.DBAPIError) and cause.connection_invalidated:
            return Outage.UNAVAILABLE
        if isinstance(cause, _UNREACHABLE):
            return Outage.UNAVAILABLE
        if isinstance(cause, OSError) and cause.errno in {errno.EHOSTUNREACH, errno.ENETUNREACH}:
            return Outage.UNAVAILABLE
        if isinstance(cause, sqlite3.OperationalError) and (
            "locked" in str(cause) or "unable to open" in str(cause)
        ):
            return Outage.UNAVAILABLE
    return None


def first_line(error: BaseException) -> str:
    """What an error says, in one line for the log (its type's name if it says nothing)."""
    return (str(error).strip() or type(error).__name__).splitlines()[0]


def _chain(error: BaseException) -> Iterator[BaseException]:
    """The error, what SQLAlchemy wrapped in it, and what it was raised from, each once."""
    seen: set[int] = set()
    pending: list[BaseException | None] = [error]
    while pending:
        current = pending.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        orig = current.orig if isinstance(current, sa.exc.DBAPIError) else None
        pending += [
            orig if isinstance(orig, BaseException) else None,
            current.__cause__,
            current.__context__,
        ]
