"""Schema extensions: expected errors get their stable code; unexpected ones are masked and logged."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator

from strawberry.extensions import SchemaExtension

from graphql import GraphQLError, VariableDefinitionNode
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
        if error.extensions and "code" in error.extensions:
            return error  # refused by one of our own checks, with its code
        original = error.original_error
        domain = _domain_error(error)
        if domain is not None:
            # A service's refusal, or a scalar's (a date the portal cannot handle, say), however deep
            # graphql-core wrapped it while coercing variables.
            formatted = graphql_error(domain)
            extensions = dict(formatted.extensions or {})
            if error.path is None and error.nodes:
                extensions["field"] = extensions.get("field") or _variable_of(error)
            return GraphQLError(formatted.message, nodes=error.nodes, path=error.path, extensions=extensions)
        if original is None or isinstance(original, GraphQLError):
            # A syntax or validation error, or a variable that does not fit its type: the caller's
            # mistake, safe to show and not worth a traceback.
            code = "BAD_USER_INPUT" if _variable_of(error) else "GRAPHQL_VALIDATION_FAILED"
            log.info("refused request: %s", error.message)
            return GraphQLError(
                error.message,
                nodes=error.nodes,
                path=error.path,
                extensions={"code": code, **({"field": v} if (v := _variable_of(error)) else {})},
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


def _domain_error(error: BaseException | None) -> DomainError | None:
    while error is not None:
        if isinstance(error, DomainError):
            return error
        error = getattr(error, "original_error", None) or error.__cause__
    return None


def _variable_of(error: GraphQLError) -> str | None:
    """The variable (with its path inside, e.g. ``input.occurredAt``) that failed coercion, if any."""
    for node in error.nodes or ():
        if isinstance(node, VariableDefinitionNode):
            return node.variable.name.value
    return None
