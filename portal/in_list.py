"""``column IN (values)`` with the values bound as one parameter, whatever their number.

SQLAlchemy's ``in_`` expands a list into one placeholder per value as each statement runs: the SQL text
changes with the list's length (so PostgreSQL's prepared statements and SQLAlchemy's compiled forms are not
reused), and rendering it cost more than the rest of a case view's statement building. Here the list is one
array parameter on PostgreSQL (``= ANY($1)``) and one JSON text on SQLite (``IN (SELECT value FROM
json_each(?))``), so a statement's text is the same for one value or a thousand.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql import coercions, roles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.visitors import InternalTraversal
from sqlalchemy.types import TypeEngine


class ValueList(sa.TypeDecorator[list[Any]]):
    """A list of one column type's values, bound as a PostgreSQL array or, on SQLite, as a JSON array of
    the values each converted as the column's type converts them (a UUID's hex, a date's ISO text)."""

    impl = sa.String
    cache_ok = True

    def __init__(self, item: TypeEngine[Any]) -> None:
        super().__init__()
        self.item = item

    def load_dialect_impl(self, dialect: sa.Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(postgresql.ARRAY(self.item))
        return dialect.type_descriptor(sa.String())

    def process_bind_param(self, value: list[Any] | None, dialect: sa.Dialect) -> Any:
        if value is None or dialect.name == "postgresql":
            return value
        convert = self.item.dialect_impl(dialect).bind_processor(dialect)
        return json.dumps([convert(v) for v in value] if convert else value)


class InList(sa.ColumnElement[bool]):
    """``column`` is one of the values of ``values`` (a bound ValueList parameter)."""

    inherit_cache = True
    type = sa.Boolean()
    # A comparison in its own right: SQLite is not to be told "= 1" after it.
    _is_implicitly_boolean = True
    _traverse_internals = [  # noqa: RUF012 (SQLAlchemy's own declaration is a plain list)
        ("column", InternalTraversal.dp_clauseelement),
        ("values", InternalTraversal.dp_clauseelement),
    ]

    def __init__(self, column: sa.ColumnElement[Any], values: sa.BindParameter[Any]) -> None:
        self.column, self.values = column, values


@compiles(InList)
def _in_json(element: InList, compiler: SQLCompiler, **kw: Any) -> str:
    column, values = compiler.process(element.column, **kw), compiler.process(element.values, **kw)
    return f"{column} IN (SELECT value FROM json_each({values}))"


@compiles(InList, "postgresql")
def _in_array(element: InList, compiler: SQLCompiler, **kw: Any) -> str:
    column, values = compiler.process(element.column, **kw), compiler.process(element.values, **kw)
    return f"{column} = ANY({values})"


def in_list(column: sa.SQLColumnExpression[Any], values: Iterable[Any]) -> sa.ColumnElement[bool]:
    """``column IN values``, the values bound as one parameter."""
    element = _element(column)
    return InList(element, list_param(None, element.type, values))


def in_param(column: sa.SQLColumnExpression[Any], name: str) -> sa.ColumnElement[bool]:
    """``column IN :name``, for a statement built once and run with the list as the parameter ``name``."""
    element = _element(column)
    return InList(element, list_param(name, element.type))


def in_bound(column: sa.SQLColumnExpression[Any], values: sa.BindParameter[Any]) -> sa.ColumnElement[bool]:
    """``column IN values``, for a list parameter made with ``list_param``."""
    return InList(_element(column), values)


def list_param(
    name: str | None, item: TypeEngine[Any], values: Iterable[Any] | None = None
) -> sa.BindParameter[Any]:
    """A parameter holding a list of ``item`` values: named, to be given as the statement runs, or with
    its ``values`` bound now."""
    if values is None:
        return sa.bindparam(name, type_=ValueList(item))
    return sa.bindparam(name, list(values), type_=ValueList(item), unique=name is not None)


def _element(column: sa.SQLColumnExpression[Any]) -> sa.ColumnElement[Any]:
    element: sa.ColumnElement[Any] = coercions.expect(roles.ExpressionElementRole, column)
    return element
