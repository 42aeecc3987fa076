"""Expected errors in the schema: stable codes on mutation payloads and on query errors."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable
from typing import TypeVar

from sqlalchemy.exc import IntegrityError

from graphql import GraphQLError
from portal.api.context import Context
from portal.api.doc import enum_type, field, object_type
from portal.errors import DomainError, ErrorCode, Problem

T = TypeVar("T")
CONFLICT_MESSAGE = "Someone else changed this case at the same moment. Reload it and try again."

ErrorCodeEnum = enum_type(ErrorCode, "A stable code for an expected error. Codes are never renamed.")


@object_type
class UserError:
    """Something wrong with a mutation's input or with the state of the case; nothing was written."""

    code: ErrorCode = field("The stable code: match on this, not on the message.")
    message: str = field("What went wrong, in words to show a user.")
    field_name: str | None = field(
        "The input field at fault (dotted for nested fields, e.g. newChildren.0.dateOfBirth).", name="field"
    )

    @staticmethod
    def of(problem: Problem) -> UserError:
        return UserError(code=problem.code, message=problem.message, field_name=problem.field)


async def attempt(context: Context, work: Awaitable[T]) -> tuple[T | None, list[UserError]]:
    """Run a mutation's service call. Expected errors become payload errors and the request's unit of work
    is marked failed, so nothing the request wrote is committed."""
    try:
        return await work, []
    except DomainError as error:
        context.uow.fail()
        return None, [UserError.of(p) for p in error.problems]
    except IntegrityError:
        # The checks passed, but a concurrent request got there first and a constraint caught it.
        context.uow.fail()
        return None, [UserError(code=ErrorCode.CONFLICT, message=CONFLICT_MESSAGE, field_name=None)]


def graphql_error(error: DomainError) -> GraphQLError:
    first = error.problems[0]
    return GraphQLError(first.message, extensions={"code": first.code.value, "field": first.field})


def parse_id(value: str, field_name: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except (ValueError, TypeError, AttributeError):
        raise DomainError.one(ErrorCode.INVALID_ID, "That is not a valid id", field_name) from None
