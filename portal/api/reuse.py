"""Which trusted documents are a case's view that may be served again (portal/reuse/service.py): a query
whose one root field is ``case(id: $var)`` and that selects nothing the view versions do not follow (the
access log, read from the audit trail)."""

from __future__ import annotations

from graphql.language.visitor import Visitor

from graphql import FieldNode, OperationDefinitionNode, OperationType, VariableNode, parse, visit

# Fields whose data the view versions do not follow: a document that selects one is never kept.
UNFOLLOWED = frozenset({"accessLog"})
# The dashboards' root fields (and the asker's own details): a document of only these is built once for a
# burst of the same request (portal/reuse/service.py, Bursts).
DASHBOARD_ROOTS = frozenset(
    {
        "me",
        "adherence",
        "table1",
        "proceedingsTracker",
        "handoverFigures",
        "paperTimings",
        "iroWorkload",
        "authorityWorkload",
        "midpointCoverage",
        "guardianCaseloads",
        "disputeFigures",
        "iroViewFigures",
        "participation",
    }
)


def case_variable(text: str) -> str | None:
    """The variable naming the case, if ``text`` is a query whose one root field is ``case(id: $it)`` and
    that selects nothing unfollowed; otherwise None."""
    document = parse(text)
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if len(operations) != 1 or operations[0].operation is not OperationType.QUERY:
        return None
    roots = operations[0].selection_set.selections
    if len(roots) != 1 or not isinstance(roots[0], FieldNode) or roots[0].name.value != "case":
        return None
    root = roots[0]
    arguments = root.arguments or ()
    if root.alias or root.directives or len(arguments) != 1:
        return None
    argument = arguments[0]
    if argument.name.value != "id" or not isinstance(argument.value, VariableNode):
        return None

    names = _FieldNames()
    visit(document, names)
    return None if names.names & UNFOLLOWED else argument.value.name.value


class _FieldNames(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()

    def enter_field(self, node: FieldNode, *_: object) -> None:
        self.names.add(node.name.value)


def is_dashboard(text: str) -> bool:
    """Whether ``text`` is a query of dashboard root fields only."""
    document = parse(text)
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if len(operations) != 1 or operations[0].operation is not OperationType.QUERY:
        return False
    roots = operations[0].selection_set.selections
    return all(isinstance(r, FieldNode) and r.name.value in DASHBOARD_ROOTS for r in roots)
