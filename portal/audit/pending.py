"""Audit events wait on the session until its transaction commits, then go in with one INSERT.

Appending takes no lock that other requests share: a trigger queues the new events for the sealer. Events
of a transaction that rolls back are dropped, except those that record a look or a refusal (``kept``):
those are written in a transaction of their own, because what someone saw, or was refused, happened
whether or not the rest of their request succeeded.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from portal.audit import repository

KEY = "audit_events"
SEEN = "audit_looks"


@dataclass(frozen=True)
class Pending:
    row: dict[str, Any]
    # Written even if the request's work is rolled back: a look, a refusal, a token's use.
    kept: bool


def add(session: AsyncSession | Session, row: dict[str, Any], *, kept: bool) -> None:
    session.info.setdefault(KEY, []).append(Pending(row, kept))


def first_time(session: AsyncSession | Session, key: tuple[Any, ...]) -> bool:
    """Whether ``key`` (a case and a kind of look) is new in this transaction: one event per look."""
    seen: set[tuple[Any, ...]] = session.info.setdefault(SEEN, set())
    if key in seen:
        return False
    seen.add(key)
    return True


@dataclass(frozen=True)
class Mark:
    """How far a session's events had got: see ``rewind``."""

    events: int
    seen: frozenset[tuple[Any, ...]]


def mark(session: AsyncSession | Session) -> Mark:
    return Mark(len(session.info.get(KEY, ())), frozenset(session.info.get(SEEN, ())))


def rewind(session: AsyncSession | Session, to: Mark) -> None:
    """Forget the events noted since ``to``: work that is thrown away and done again (a compiled query
    that falls back to graphql-core) notes them again, and must not leave two of each."""
    del session.info.get(KEY, [])[to.events :]
    session.info[SEEN] = set(to.seen)


def since(session: AsyncSession | Session, to: Mark) -> list[Pending]:
    """The events noted since ``to``."""
    return list(session.info.get(KEY, [])[to.events :])


def take(session: AsyncSession | Session) -> list[Pending]:
    session.info.pop(SEEN, None)
    events: list[Pending] = session.info.pop(KEY, [])
    return events


def put(session: AsyncSession | Session, events: list[Pending]) -> None:
    session.info[KEY] = events


@event.listens_for(Session, "before_commit")
def _append_on_commit(session: Session) -> None:
    events = take(session)
    if events:
        repository.insert_events(session, [e.row for e in events])
