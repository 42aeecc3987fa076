"""GraphQL documents, parsed, measured and validated once, before anything runs.

A document is refused here, with a stable code and without touching the database, when it does not parse
(GRAPHQL_PARSE_FAILED), exceeds a cost limit (portal/api/limits.py), or is not valid against the schema
(GRAPHQL_VALIDATION_FAILED; introspection is refused unless it is allowed). A valid document's figures are
kept, so a document sent again (every page's, and every API client's usual queries) is neither parsed nor
validated again. The trusted documents (graphql/operations/) are prepared when the portal starts and kept
for good, their queries compiled into plans (portal/api/compiled.py); others share a bounded cache.

What a document asks to do, known before it runs, decides its transaction (portal/db.py's Intent).
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path

from graphql.validation import ASTValidationRule, validate
from strawberry.schema.validation_rules.maybe_null import MaybeNullValidationRule
from strawberry.schema.validation_rules.one_of import OneOfInputValidationRule

from graphql import (
    DocumentNode,
    GraphQLError,
    GraphQLSchema,
    NoSchemaIntrospectionCustomRule,
    OperationDefinitionNode,
    OperationType,
    parse,
    specified_rules,
)
from portal.api.compiled import Plan, compile_query
from portal.api.limits import Limits, exceeded
from portal.db import Intent
from portal.errors import domain_error_in
from portal.migrations import ROOT
from portal.settings import Settings

OPERATIONS_DIR = ROOT / "graphql" / "operations"
# More tokens than any page's document has (the largest has about 900).
MAX_TOKENS = 2_000
# Documents longer than this are not worth keeping: no client sends the same one twice.
CACHED_LENGTH = 32 * 1024
CACHE_SIZE = 1_000


@dataclass(frozen=True)
class Rules:
    """How documents are judged: the cost limits, and whether introspection (with the schema's
    "Did you mean" suggestions, which give away as much) is open to the caller."""

    limits: Limits
    introspection: bool


Operations = dict[str | None, OperationType]


@dataclass(frozen=True)
class Prepared:
    """A document, or the errors that refuse it (each with its code in ``extensions``)."""

    document: DocumentNode | None
    errors: tuple[GraphQLError, ...] = ()
    operations: Operations = field(default_factory=dict)

    def intent(self, operation_name: str | None) -> Intent | None:
        """WRITE for a mutation, READ for a query (valid or not); None when the document has no operation
        of that name, or did not parse."""
        if operation_name is None:
            if len(self.operations) != 1:
                return None
            kind = next(iter(self.operations.values()))
        elif operation_name in self.operations:
            kind = self.operations[operation_name]
        else:
            return None
        return Intent.WRITE if kind is OperationType.MUTATION else Intent.READ


def _refused(errors: list[GraphQLError], code: str, operations: Operations | None = None) -> Prepared:
    """The errors that refuse a document, each with ``code``, or the code of the domain error behind it
    (a literal date out of the portal's range is OUT_OF_RANGE, not a mere validation failure)."""
    coded = []
    for error in errors:
        domain = domain_error_in(error)
        extensions = {"code": domain.problems[0].code.value if domain else code}
        message = domain.problems[0].message if domain else error.message
        coded.append(
            GraphQLError(message, source=error.source, positions=error.positions, extensions=extensions)
        )
    return Prepared(None, tuple(coded), operations or {})


def _prepare(schema: GraphQLSchema, query: str, rules: Rules) -> Prepared:
    try:
        document = parse(query, max_tokens=MAX_TOKENS)
    except GraphQLError as error:
        return _refused([error], "GRAPHQL_PARSE_FAILED")
    operations = {
        (d.name.value if d.name else None): d.operation
        for d in document.definitions
        if isinstance(d, OperationDefinitionNode)
    }
    too_much = exceeded(document, schema, rules.limits)
    if too_much is not None:
        return _refused([GraphQLError(too_much.message)], too_much.code, operations)
    # The rules strawberry would apply, which it then need not (see portal/api/extensions.py).
    checks: list[type[ASTValidationRule]] = [
        *specified_rules,
        MaybeNullValidationRule,
        OneOfInputValidationRule,
    ]
    if not rules.introspection:
        checks.append(NoSchemaIntrospectionCustomRule)
    errors = validate(schema, document, checks, hide_suggestions=not rules.introspection)
    if errors:
        return _refused(errors, "GRAPHQL_VALIDATION_FAILED", operations)
    return Prepared(document, operations=operations)


class Documents:
    """Prepared documents for one schema and one set of rules: the trusted ones for good, by name and by
    SHA-256 hash of their text, with the plans of those that compile, and the most recent others in a
    bounded cache."""

    def __init__(self, schema: GraphQLSchema, rules: Rules, trusted: dict[str, str]) -> None:
        self.schema, self.rules = schema, rules
        self.trusted_text = dict(trusted)
        self._pinned: dict[str, Prepared] = {}
        self._plans: dict[str, Plan] = {}
        for name, text in trusted.items():
            prepared = _prepare(schema, text, rules)
            if prepared.errors:
                raise ValueError(f"graphql/operations/{name}.graphql: {prepared.errors[0].message}")
            self._pinned[text] = prepared
            assert prepared.document is not None
            plan = compile_query(schema, prepared.document)
            if plan is not None:
                self._plans[text] = plan
        self.by_hash = {_sha256(text): text for text in trusted.values()}
        self._names = {text: name for name, text in trusted.items()}
        self._recent: OrderedDict[str, Prepared] = OrderedDict()

    def trusted(self, document_id: str) -> str | None:
        """A trusted document's text, by its name or ``sha256:<hex>`` (as GraphQL clients send it)."""
        if document_id.startswith("sha256:"):
            return self.by_hash.get(document_id.removeprefix("sha256:").lower())
        return self.trusted_text.get(document_id)

    def name_of(self, query: str) -> str | None:
        """The trusted document's name, for its text (whoever sends it); None for any other document."""
        return self._names.get(query)

    def plan(self, query: str, operation_name: str | None) -> Plan | None:
        """The plan of a trusted query, whoever sends its text; None for any other document or operation."""
        plan = self._plans.get(query)
        if plan is None or operation_name not in (None, plan.name):
            return None
        return plan

    @property
    def compiled(self) -> frozenset[str]:
        """The names of the trusted documents that have plans."""
        return frozenset(plan.name for plan in self._plans.values() if plan.name)

    def prepare(self, query: str) -> Prepared:
        pinned = self._pinned.get(query)
        if pinned is not None:
            return pinned
        recent = self._recent.get(query)
        if recent is not None:
            self._recent.move_to_end(query)
            return recent
        prepared = _prepare(self.schema, query, self.rules)
        if len(query) <= CACHED_LENGTH:
            self._recent[query] = prepared
            if len(self._recent) > CACHE_SIZE:
                self._recent.popitem(last=False)
        return prepared


def load_operations(directory: Path = OPERATIONS_DIR) -> dict[str, str]:
    """The trusted documents, by file name (which is also the operation's name)."""
    return {path.stem: path.read_text() for path in sorted(directory.glob("*.graphql"))}


def documents_for(settings: Settings) -> Documents:
    """The portal's documents, judged by its settings, with the trusted ones prepared now."""
    from portal.api.schema import schema

    limits = Limits(page_size_default=settings.page_size_default, page_size_max=settings.page_size_max)
    return Documents(schema._schema, Rules(limits, bool(settings.graphql_introspection)), load_operations())


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()
