"""Running the named operations in graphql/operations/ in-process, as the signed-in person."""

from __future__ import annotations

from typing import Any

from graphql import GraphQLError
from portal.access.policy import Permission
from portal.api.context import Context
from portal.api.documents import Documents
from portal.api.execution import execute
from portal.audit.service import Look
from portal.auth.actor import Actor
from portal.db import UnitOfWork
from portal.settings import Settings


class PageNotFound(Exception):
    """The page's subject does not exist or is not the viewer's to see."""


class OperationFailed(Exception):
    """An operation a page ran failed unexpectedly."""


class Operations:
    """The pages' way into the API: only the trusted documents, run by name, each parsed and validated
    once when the portal starts."""

    def __init__(self, settings: Settings, documents: Documents) -> None:
        self.settings, self.documents = settings, documents

    async def run(
        self,
        uow: UnitOfWork,
        actor: Actor,
        name: str,
        variables: dict[str, Any],
        *,
        look: Look | None = None,
        need: Permission = Permission.READ_CASE,
    ) -> dict[str, Any]:
        """The operation's data. NOT_FOUND and INVALID_ID become PageNotFound; other errors fail the page.
        An export names its ``look`` (how the audit trail records it) and what the viewer ``need``s on the
        case it opens."""
        context = Context(
            settings=self.settings, uow=uow, actor=actor, look=look, case_need=need, documents=self.documents
        )
        result = await execute(
            self.documents.trusted_text[name],
            variable_values=variables,
            context_value=context,
            operation_name=name,
        )
        if result.errors:
            if all(_code(e) in {"NOT_FOUND", "INVALID_ID"} for e in result.errors):
                raise PageNotFound
            uow.fail()
            raise OperationFailed("; ".join(e.message for e in result.errors))
        assert result.data is not None
        return result.data


def _code(error: GraphQLError) -> object:
    return (error.extensions or {}).get("code")
