"""Schema extensions: documents come prepared (portal/api/documents.py); expected errors get their stable
code; unexpected ones are masked and logged."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator

from strawberry.extensions import SchemaExtension

from graphql import GraphQLError
from portal import logs
from portal.api.errors import graphql_error
from portal.errors import domain_error_in

log = logging.getLogger("portal.api")
# graphql-core's words for a variable that does not fit: "Variable '$input' has invalid value at .channel:"
_VARIABLE = re.compile(r"^Variable '\$(\w+)' (?:has invalid (?:default )?value(?: at ((?:\.\w+|\[\d+\])+))?)")
_SUGGESTION = re.compile(r" ?Did you mean [^?]*\?")


class PreparedDocuments(SchemaExtension):
    """Hands strawberry the document the request's ``Documents`` prepared (parsed, measured and validated,
    once for all requests that send it), so it neither parses nor validates it again. A document that was
    refused is refused again here with its code, whichever way it came in."""

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        documents = getattr(context.context, "documents", None)
        if documents is not None and context.query is not None:
            prepared = documents.prepare(context.query)
            if prepared.document is None:
                raise prepared.errors[0]
            context.graphql_document = prepared.document
            # Validated already: strawberry validates only while this is None.
            context.pre_execution_errors = []
        yield


class ExpectedErrors(SchemaExtension):
    """Gives expected (domain) errors their code and field in ``extensions``; masks everything else behind
    a correlation id that is logged with the traceback, and fails the request's unit of work."""

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if result is None or not result.errors:
            return
        result.errors = [self._format(error) for error in result.errors]

    @property
    def _suggestions(self) -> bool:
        """Whether "Did you mean" may be shown: only where introspection is open (it tells as much)."""
        documents = getattr(self.execution_context.context, "documents", None)
        return documents is None or documents.rules.introspection

    def _format(self, error: GraphQLError) -> GraphQLError:
        if error.extensions and "code" in error.extensions:
            return error  # refused by one of our own checks, with its code
        variable = _variable_of(error)
        domain = domain_error_in(error)
        if domain is not None:
            # A service's refusal, or a scalar's (a date the portal cannot handle, say), however deep
            # graphql-core wrapped it while coercing variables.
            formatted = graphql_error(domain)
            extensions = dict(formatted.extensions or {})
            extensions["field"] = extensions.get("field") or variable
            return GraphQLError(formatted.message, nodes=error.nodes, path=error.path, extensions=extensions)
        if error.original_error is None or isinstance(error.original_error, GraphQLError):
            # A variable that does not fit its type (or a document refused in the schema's own checks):
            # the caller's mistake, safe to show and not worth a traceback.
            log.info("refused request: %s", error.message)
            message = error.message if self._suggestions else _SUGGESTION.sub("", error.message)
            extensions = (
                {"code": "BAD_USER_INPUT", "field": variable}
                if variable
                else {"code": "GRAPHQL_VALIDATION_FAILED"}
            )
            return GraphQLError(message, nodes=error.nodes, path=error.path, extensions=extensions)
        correlation_id = logs.request_id()
        log.error("unexpected error %s in %s", correlation_id, error.path, exc_info=error.original_error)
        self.execution_context.context.uow.fail()
        return GraphQLError(
            "Something went wrong. If it keeps happening, quote this reference to support: " + correlation_id,
            nodes=error.nodes,
            path=error.path,
            extensions={"code": "INTERNAL", "correlationId": correlation_id},
        )


def _variable_of(error: GraphQLError) -> str | None:
    """The variable that failed coercion, with the path inside it as UserError.field writes it (e.g.
    ``input.occurredAt``, ``input.newChildren.0.dateOfBirth``); None for any other error."""
    found = _VARIABLE.match(error.message)
    if found is None:
        return None
    name, path = found.groups()
    return name + re.sub(r"\[(\d+)\]", r".\1", path or "")
