"""The dashboards' statements, built once for each scope and kept: building one (its CTEs and their columns)
and keying it for SQLAlchemy's compiled cache cost the portal more than running it did. What a section's
statement depends on besides the viewer's scope is bound at execution (sql.py's period and bank holidays) or
named in its key (the dialect, the grouping).

A statement is kept under the scope as the SQL it is, managed_cases' own cache key with the values it binds
(the organisation): two viewers share one only when their scopes are the same SQL with the same values, so
nothing of one viewer's can reach another's answer, whatever portal/access decides a scope is."""

from __future__ import annotations

import functools
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

import sqlalchemy as sa

from portal.access.repository import managed_cases
from portal.auth.actor import Actor

# A SELECT (or a UNION) of any columns.
Statement = sa.Select[*tuple[Any, ...]] | sa.CompoundSelect[*tuple[Any, ...]]

# Statements kept, the least recently used dropped first: a few sections and groupings for each scope.
KEPT = 512
_kept: OrderedDict[Hashable, Statement] = OrderedDict()


def _frozen(value: object) -> Hashable:
    if isinstance(value, list | tuple):
        return tuple(_frozen(item) for item in value)
    if isinstance(value, set | frozenset):
        return frozenset(_frozen(item) for item in value)
    if not isinstance(value, Hashable):
        raise TypeError(value)
    return value


# Each actor's scope, worked out once for all of a request's sections (an actor is frozen, made per request).
_scopes: dict[int, tuple[weakref.ref[Actor], Hashable | None]] = {}


def scope_of(actor: Actor) -> Hashable | None:
    """The viewer's scope as the SQL it is and the values it binds; None if it cannot be told apart so."""
    n = id(actor)
    found = _scopes.get(n)
    if found is not None and found[0]() is actor:
        return found[1]
    scope = _scope_of(actor)
    _scopes[n] = (weakref.ref(actor, functools.partial(_forget, n)), scope)
    return scope


def _forget(n: int, _gone: object) -> None:
    _scopes.pop(n, None)


def _scope_of(actor: Actor) -> Hashable | None:
    key = managed_cases(actor)._generate_cache_key()
    if key is None:  # an element SQLAlchemy cannot key: built afresh each time
        return None
    try:
        values = tuple(_frozen(bind.effective_value) for bind in key.bindparams)
        hash(values)
    except TypeError:
        return None
    return key.key, values


def kept(actor: Actor, name: Hashable, build: Callable[[], Statement]) -> Statement:
    """The statement ``name`` (a section's, with what it depends on) for the viewer's scope: ``build()``'s,
    built the first time."""
    scope = scope_of(actor)
    if scope is None:
        return build()
    key = (name, scope)
    statement = _kept.get(key)
    if statement is None:
        statement = _kept[key] = build()
        if len(_kept) > KEPT:
            _kept.popitem(last=False)
    else:
        _kept.move_to_end(key)
    return statement
