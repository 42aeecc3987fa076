"""Schema extensions: expected errors get their stable code; unexpected ones are masked and logged."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator

from strawberry.extensions import SchemaExtension

from graphql import GraphQLError
from portal.api.errors import graphql_error
from portal.errors import DomainError

log = logging.getLogger("portal.api")


class ExpectedErrors(SchemaExtension):
    """Gives expected (domain) errors their code and field in ``extensions``; masks everything else behind
    a correlation id that is logged with the traceback, and fails the request's unit of work."""

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if result is None or not result.errors:
            return
        result.errors = [self._format(error) for error in result.errors]

    def _format(self, error: GraphQLError) -> GraphQLError:
        original = error.original_error
        if original is None:
            return error  # a syntax or validation error: the caller's, and safe to show
        if isinstance(original, DomainError):
            formatted = graphql_error(original)
            return GraphQLError(
                formatted.message, nodes=error.nodes, path=error.path, extensions=formatted.extensions
            )
        correlation_id = uuid.uuid4().hex
        log.error("unexpected error %s in %s", correlation_id, error.path, exc_info=original)
        self.execution_context.context.uow.fail()
        return GraphQLError(
            "Something went wrong. If it keeps happening, quote this reference to support: " + correlation_id,
            nodes=error.nodes,
            path=error.path,
            extensions={"code": "INTERNAL", "correlationId": correlation_id},
        )
