"""The dashboards' statements, built once and kept: building one (its CTEs and their columns) and keying it
for SQLAlchemy's compiled cache cost the portal more than running it did.

Each is a ``Template`` of the read layer (portal/access/repository.py), for the manager's scope
(``Permission.VIEW_ADHERENCE``): built once per shape of that scope (which manager roles the viewer holds)
and run with the viewer's own values (their organisation) as parameters, like every read of case data. What
else a section's statement depends on is bound at execution (sql.py's period and bank holidays) or named in
its key (the dialect, the grouping)."""

from __future__ import annotations

import functools
from collections.abc import Callable, Hashable
from typing import Any

import sqlalchemy as sa

from portal.access.policy import Permission
from portal.access.repository import Template, managed_cases
from portal.auth.actor import Actor

# A SELECT (or a UNION) of any columns.
Statement = sa.Select[*tuple[Any, ...]] | sa.CompoundSelect[*tuple[Any, ...]]
# The cases in the viewer's scope, as a predicate on a column holding a case's id.
Scope = Callable[[sa.SQLColumnExpression[Any]], sa.ColumnElement[bool]]

_templates: dict[Hashable, Template[Statement]] = {}


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
