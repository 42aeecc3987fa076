"""Strawberry decorators that take descriptions from docstrings, which are the API's documentation.

``object_type`` and ``input_type`` wrap ``strawberry.type`` and ``strawberry.input``; ``dataclass_transform``
tells type checkers that they make dataclasses as those do (keyword-only ``__init__``, with ``field`` and
strawberry's own field specifiers), so constructing a type is checked against its fields.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from enum import Enum
from typing import Any, TypeVar, dataclass_transform

import strawberry
from strawberry.types.field import StrawberryField

T = TypeVar("T", bound=type)
E = TypeVar("E", bound=type[Enum])


def field(description: str, **kwargs: Any) -> Any:
    """A field documented by ``description``; ``kwargs`` go to ``strawberry.field`` (``default``, ...)."""
    return strawberry.field(description=description, **kwargs)


@dataclass_transform(kw_only_default=True, field_specifiers=(field, strawberry.field, StrawberryField))
def object_type(cls: T) -> T:
    return strawberry.type(cls, description=inspect.getdoc(cls))


@dataclass_transform(kw_only_default=True, field_specifiers=(field, strawberry.field, StrawberryField))
def input_type(cls: T) -> T:
    return strawberry.input(cls, description=inspect.getdoc(cls))


def enum_type(enum: E, description: str | None = None, name: str | None = None) -> E:
    return strawberry.enum(enum, name=name, description=description or inspect.getdoc(enum))


def resolver(fn: Callable[..., object]) -> StrawberryField:
    """A field computed by ``fn``, documented by its docstring."""
    return strawberry.field(fn, description=inspect.getdoc(fn))


def mutation(fn: Callable[..., object]) -> StrawberryField:
    """A mutation run by ``fn``, documented by its docstring."""
    return strawberry.mutation(fn, description=inspect.getdoc(fn))
