"""A case's view served again, exactly, while nothing it shows has changed (issue 15).

A trusted query that is a case's view (portal/api/reuse.py) is kept after it runs, under the case's and the
directory's versions (models/versions.py: triggers move them in every writing transaction), today's date,
the document, its operation name and variables, and everything about the asker that can change what they
see (their person, organisation, roles, token scopes, and their membership of the case). A later request
with the same key gets the same bytes: what a fresh run would give, since nothing it reads has changed.

The versions are read before anything else the request reads, so a kept answer is never older than the
versions it is kept under. A request served again still has its access checked, as every request is, and
its looks recorded as the run that made the answer recorded them; an answer whose run recorded anything
else, or gave any error, is not kept. Answers live in the process, a bounded number and size of them.

The dashboards, which no version follows, are not kept; but a burst of the same dashboard asked with the same
token is built once (Bursts).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import uuid
from collections import OrderedDict
from dataclasses import dataclass
from datetime import date
from typing import Any

from models import Role
from portal.access.policy import Permission
from portal.access.service import may_access
from portal.audit import pending
from portal.audit import service as audit
from portal.audit.service import Look
from portal.auth.actor import Actor
from portal.db import UnitOfWork
from portal.reuse import repository

LOOKS = frozenset(look.value for look in Look)


@dataclass(frozen=True)
class Kept:
    body: bytes
    # The audit events the run that made it recorded, to record again for each request served.
    events: tuple[pending.Pending, ...]


@dataclass
class Ticket:
    """One request's place in the store: its key, and the answer kept under it if there is one."""

    key: tuple[Any, ...]
    kept: Kept | None


class Reuse:
    """The answers kept in this process. ``variables`` gives, for each document that is a case's view, the
    variable naming its case."""

    def __init__(self, variables: dict[str, str], entries: int, max_bytes: int) -> None:
        self._variables = variables
        self._entries, self._max_bytes = entries, max_bytes
        self._kept: OrderedDict[tuple[Any, ...], Kept] = OrderedDict()
        self._bytes = 0

    def case_of(self, query: str, variables: dict[str, Any] | None) -> uuid.UUID | None:
        """The case a keepable document asks for, or None (not keepable, or no valid id)."""
        name = self._variables.get(query)
        value = (variables or {}).get(name) if name else None
        if not isinstance(value, str):
            return None
        try:
            return uuid.UUID(value)
        except ValueError:
            return None

    async def look_up(
        self,
        uow: UnitOfWork,
        actor: Actor,
        query: str,
        operation_name: str | None,
        variables: dict[str, Any],
        case_id: uuid.UUID,
        today: date,
    ) -> Ticket:
        """The request's ticket, with the kept answer if there is one and the actor may still read the case
        (a run checks that itself, and records a refusal)."""
        versions = await uow.run(lambda s: repository.versions(s, case_id))
        key = (
            query,
            operation_name,
            json.dumps(variables, sort_keys=True),
            today,
            versions,
            actor.person_id,
            actor.organisation_id,
            actor.roles,
            actor.scopes,
            actor.case_roles.get(case_id),
            case_id in actor.read_only_cases,
        )
        kept = self._kept.get(key)
        if kept is not None:
            if not await uow.run(lambda s: may_access(s, actor, case_id, Permission.READ_CASE)):
                kept = None
            else:
                self._kept.move_to_end(key)
        return Ticket(key, kept)

    def keep(self, ticket: Ticket, body: bytes, events: tuple[pending.Pending, ...]) -> None:
        """Keep a run's answer, with the audit events it recorded, if it recorded only looks."""
        if any(not (p.kept and p.row["action"] in LOOKS) for p in events):
            return
        if len(body) > self._max_bytes // 4:
            return
        self._kept[ticket.key] = Kept(body, events)
        self._bytes += len(body)
        while len(self._kept) > self._entries or self._bytes > self._max_bytes:
            _, dropped = self._kept.popitem(last=False)
            self._bytes -= len(dropped.body)


def replay(uow: UnitOfWork, actor: Actor, events: tuple[pending.Pending, ...]) -> None:
    """Record for this request the audit events another run recorded for the same asker and answer."""
    for event in events:
        row = event.row
        audit.record(
            uow.session,
            actor,
            row["action"],
            subject_type=row["subject_type"],
            subject_id=row["subject_id"],
            case_id=row["case_id"],
            acting_as=Role(row["acting_as"]) if row["acting_as"] else None,
            kept=event.kept,
        )


def asker(actor: Actor) -> tuple[Any, ...]:
    """Everything about an asker that can change what a dashboard shows them."""
    return (actor.person_id, actor.organisation_id, actor.roles, actor.scopes)


@dataclass(frozen=True)
class Shared:
    """A dashboard built for a burst: its bytes, the audit events its run recorded, and who it was for."""

    body: bytes
    events: tuple[pending.Pending, ...]
    asker: tuple[Any, ...]


@dataclass(frozen=True)
class Place:
    """A request's place in a burst: the one building it (``leads``), or one waiting for its answer."""

    key: tuple[Any, ...]
    built: asyncio.Future[Shared | None]
    leads: bool


class Bursts:
    """The same dashboard asked for again, with the same token, while it is being built is built once: those
    who ask meanwhile get its answer (what they would have seen had they been served that much sooner) and
    the audit events it recorded, as their own. Nothing is kept once it is built: a later request runs.

    A request joins a burst before it takes its turn at the database, and waits without one: a burst of 32
    then holds one connection while the answer is built, not all of the process's, and each waiting request
    takes its turn afterwards only to check its token and record its looks. One whose token no longer gives
    the same asker (revoked, say, or a role gone meanwhile) is refused or builds its own answer."""

    def __init__(self, documents: frozenset[str]) -> None:
        self._documents = documents
        self._running: dict[tuple[Any, ...], asyncio.Future[Shared | None]] = {}

    def join(
        self,
        query: str,
        operation_name: str | None,
        variables: dict[str, Any] | None,
        credential: str,
        today: date,
    ) -> Place | None:
        """The request's place in the burst of the same request with the same credential (leading a new one
        if none is being built); None for a document that is not a dashboard."""
        if query not in self._documents:
            return None
        key = (
            query,
            operation_name,
            json.dumps(variables or {}, sort_keys=True),
            today,
            hashlib.sha256(credential.encode()).digest(),
        )
        running = self._running.get(key)
        if running is not None:
            return Place(key, running, leads=False)
        built: asyncio.Future[Shared | None] = asyncio.get_running_loop().create_future()
        self._running[key] = built
        return Place(key, built, leads=True)

    @staticmethod
    async def answer(place: Place) -> Shared | None:
        """The answer a waiting request shares, once built; None if its build failed."""
        return await asyncio.shield(place.built)

    def done(self, place: Place, shared: Shared | None) -> None:
        """The leader's answer (None: it failed, and each waiting request runs its own)."""
        if self._running.get(place.key) is place.built:
            del self._running[place.key]
        if not place.built.done():
            place.built.set_result(shared)
