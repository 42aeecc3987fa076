"""Running a GraphQL request: the one way in for the API (portal/api/view.py) and the pages
(portal/web/operations.py).

A trusted query with a plan (portal/api/documents.py, portal/api/compiled.py) runs from its plan. Anything
else, and a planned run that meets an error of any kind or a null where the schema forbids one, runs
through strawberry's ``schema.execute`` as always, so every error, with its code, path and partial data,
comes from one place. It runs as if the plan had never run: the audit events the planned run noted (looks,
refusals, reads of an access log) are forgotten, and it gets DataLoaders of its own (a context afresh), so
the audit trail and the answer are what they were before plans.

The schema's extensions (portal/api/extensions.py) keep their effect either way: a plan exists only for a
document ``Documents`` prepared, which is what PreparedDocuments hands strawberry, and a planned run that
gives data has no errors for ExpectedErrors to word.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import Any

from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType

from portal.api import compiled
from portal.api.context import Context
from portal.api.schema import schema
from portal.audit import pending


async def execute(
    query: str,
    *,
    variable_values: dict[str, Any] | None,
    context_value: Context,
    operation_name: str | None,
    allowed_operation_types: Iterable[OperationType] | None = None,
) -> ExecutionResult:
    documents = context_value.documents
    plan = documents.plan(query, operation_name) if documents is not None else None
    allowed = allowed_operation_types is None or OperationType.QUERY in allowed_operation_types
    if plan is not None and allowed:
        session = context_value.uow.session
        before = pending.mark(session)
        data = await compiled.run(plan, variable_values, context_value)
        if data is not None:
            # What strawberry gives for a run without errors (no extension adds results).
            return ExecutionResult(data=data, errors=None, extensions={})
        pending.rewind(session, before)
        context_value = dataclasses.replace(context_value)
    return await schema.execute(
        query,
        variable_values=variable_values,
        context_value=context_value,
        operation_name=operation_name,
        allowed_operation_types=allowed_operation_types,
    )
