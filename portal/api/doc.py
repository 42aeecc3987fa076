"""Strawberry decorators that take descriptions from docstrings, which are the API's documentation."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from enum import Enum
from typing import Any, TypeVar

import strawberry

T = TypeVar("T", bound=type)
E = TypeVar("E", bound=type[Enum])


def object_type(cls: T) -> T:
    return strawberry.type(cls, description=inspect.getdoc(cls))


def input_type(cls: T) -> T:
    return strawberry.input(cls, description=inspect.getdoc(cls))


def enum_type(enum: E, description: str | None = None, name: str | None = None) -> E:
    return strawberry.enum(enum, name=name, description=description or inspect.getdoc(enum))


def resolver(fn: Callable[..., Any]) -> Any:
    """A field computed by ``fn``, documented by its docstring."""
    return strawberry.field(resolver=fn, description=inspect.getdoc(fn))


def mutation(fn: Callable[..., Any]) -> Any:
    return strawberry.mutation(resolver=fn, description=inspect.getdoc(fn))


def field(description: str, **kwargs: Any) -> Any:
    return strawberry.field(description=description, **kwargs)
