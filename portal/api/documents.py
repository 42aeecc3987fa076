"""What a GraphQL request asks to do, known before it runs: whether it reads or writes decides its
transaction (portal/db.py's Intent)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from graphql import GraphQLError, OperationDefinitionNode, OperationType, parse
from portal.db import Intent


@lru_cache(maxsize=256)
def _intent(document: str, operation_name: str | None) -> Intent:
    try:
        parsed = parse(document, no_location=True)
    except GraphQLError:
        return Intent.READ  # refused before it runs
    operations = [d for d in parsed.definitions if isinstance(d, OperationDefinitionNode)]
    chosen = next(
        (o for o in operations if operation_name is None or (o.name and o.name.value == operation_name)),
        None,
    )
    if chosen is None or (operation_name is None and len(operations) != 1):
        return Intent.READ  # refused before it runs
    return Intent.WRITE if chosen.operation is OperationType.MUTATION else Intent.READ


def intent_of(payload: Any) -> Intent:
    """A request body's (or query string's) intent: WRITE for a mutation; READ for a query and for
    anything malformed, which is refused without touching the database."""
    if not isinstance(payload, dict):
        return Intent.READ
    query, name = payload.get("query"), payload.get("operationName")
    if not isinstance(query, str) or not (name is None or isinstance(name, str)):
        return Intent.READ
    return _intent(query, name)
