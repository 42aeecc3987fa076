"""The dashboards' statements, built once and kept: building one (its CTEs and their columns) and keying it
for SQLAlchemy's compiled cache cost the portal more than running it did.

Each is a ``Template`` of the read layer (portal/access/repository.py), for the manager's scope
(``Permission.VIEW_ADHERENCE``): built once per shape of that scope (which manager roles the viewer holds)
and run with the viewer's own values (their organisation) as parameters, like every read of case data. What
else a section's statement depends on is bound at execution (sql.py's period and bank holidays) or named in
its key (the dialect, the grouping).

A kept statement run with the same values while it is already running for another request is not run
again: the second request shares the first's rows (``rows``). A dashboard is many managers' landing page,
and each section's statement is the heaviest a manager's request makes (tens of milliseconds of
PostgreSQL's time each, over a whole service area), so a burst of the same dashboard costs one run per
section rather than one per request. The rows are those of a snapshot taken moments before the second
request asked: what it would have seen had it been served that much sooner."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable, Hashable, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from portal.access.policy import Permission
from portal.access.repository import Template, managed_cases
from portal.auth.actor import Actor

# A SELECT (or a UNION) of any columns.
Statement = sa.Select[*tuple[Any, ...]] | sa.CompoundSelect[*tuple[Any, ...]]
# The cases in the viewer's scope, as a predicate on a column holding a case's id.
Scope = Callable[[sa.SQLColumnExpression[Any]], sa.ColumnElement[bool]]

_templates: dict[Hashable, Template[Statement]] = {}
# The runs in progress, by statement and values; each resolves to its rows, or to None if it failed.
_running: dict[Hashable, asyncio.Future[Sequence[sa.RowMapping] | None]] = {}


def kept(
    actor: Actor, name: Hashable, build: Callable[[Scope], Statement]
) -> tuple[Statement, dict[str, Any]]:
    """The statement ``name`` (a section's, with what it depends on), built by ``build`` with the scope the
    first time a viewer's scope has its shape, and the viewer's values to run it with."""
    template = _templates.get(name)
    if template is None:
        template = _templates[name] = Template(
            lambda filters: build(filters.managed), Permission.VIEW_ADHERENCE
        )
    return template.bound(actor)


def scope_of(actor: Actor) -> Scope:
    """The viewer's scope with their values bound in, for a statement built afresh (a drill-down's)."""
    return functools.partial(managed_cases, actor)


async def rows(
    session: AsyncSession,
    actor: Actor,
    name: Hashable,
    build: Callable[[Scope], Statement],
    values: dict[str, Any],
) -> Sequence[sa.RowMapping]:
    """The rows of the kept statement ``name`` for the viewer, run with ``values`` (the period, the day):
    shared with a request already running it with the same values, if there is one."""
    stmt, params = kept(actor, name, build)
    params |= values
    # The statement is kept for good, so its id names it for as long as the process lives.
    key = (id(stmt), id(session.get_bind().engine), _frozen(params))
    running = _running.get(key)
    if running is not None:
        shared = await asyncio.shield(running)
        if shared is not None:
            return shared
        # The run failed (or its request was cancelled): the error was its request's; try for ours.
        return (await session.execute(stmt, params)).mappings().all()
    running = _running[key] = asyncio.get_running_loop().create_future()
    found: Sequence[sa.RowMapping] | None = None
    try:
        found = (await session.execute(stmt, params)).mappings().all()
        return found
    finally:
        del _running[key]
        running.set_result(found)


def _frozen(params: dict[str, Any]) -> Hashable:
    """The values as a key: each a date, a text, a number, an id or a list of them (the bank holidays, an
    organisation's cases)."""
    return tuple(sorted((name, tuple(v) if isinstance(v, list) else v) for name, v in params.items()))
