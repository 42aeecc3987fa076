"""What a GraphQL document would cost to run, measured before it runs, in time linear in its size.

Three measures, each with its limit and its stable code:

- depth: fields nested inside fields (introspection's included), QUERY_TOO_DEEP;
- aliases: aliased fields as written, TOO_MANY_ALIASES;
- cost: every field the response could hold, where a list multiplies what it holds by how many items it
  may return (its ``first``, or the page-size cap for a variable, or the default page; a list that is not
  paged counts as ``UNPAGED_LIST_ITEMS``), QUERY_TOO_COSTLY.

Each fragment is measured once and its figures reused wherever it is spread, so twenty fragments that each
spread the next twice cost twenty measurements, not a million (the attack that strawberry's own depth and
alias limiters, which walk every path through the spreads, could not survive). Figures saturate just above
their limit, so even an absurd document's arithmetic stays small.
"""

from __future__ import annotations

from dataclasses import dataclass

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLCompositeType,
    GraphQLField,
    GraphQLList,
    GraphQLNonNull,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SchemaMetaFieldDef,
    SelectionSetNode,
    TypeMetaFieldDef,
    get_named_type,
)

# A field asked for more often than this in one selection is refused: nobody needs it twice, and checking
# that the copies agree (graphql-core's OverlappingFieldsCanBeMerged) takes time in the square of their
# number (300 copies of `me { id }` took 0.6 s of CPU to validate).
MAX_REPEATS = 3
# Fragments in one document: the same check compares every pair of fragments spread together.
MAX_FRAGMENTS = 20
# A list that is not paged (the children of a case, the members, a paper's versions) is expected to hold
# about this many items: enough that nesting such lists is costly, few enough that a case page is cheap.
UNPAGED_LIST_ITEMS = 10


@dataclass(frozen=True)
class Limits:
    """The most a document may ask for; the page sizes tell a paged list's multiplier."""

    max_depth: int = 15
    max_aliases: int = 30
    max_cost: int = 100_000
    page_size_default: int = 20
    page_size_max: int = 100


@dataclass(frozen=True)
class Measure:
    """A document's (or a fragment's) figures, relative to where it starts."""

    depth: int
    cost: int


@dataclass(frozen=True)
class Exceeded:
    """A limit the document exceeds: its stable code and a message saying which limit."""

    code: str
    message: str


def exceeded(document: DocumentNode, schema: GraphQLSchema, limits: Limits) -> Exceeded | None:
    """The first limit ``document`` exceeds (all its operations counted together), or None."""
    aliases = _count_aliases(document)
    if aliases > limits.max_aliases:
        return Exceeded(
            "TOO_MANY_ALIASES", f"The query uses {aliases} aliases; at most {limits.max_aliases} are allowed."
        )
    fragments = sum(isinstance(d, FragmentDefinitionNode) for d in document.definitions)
    if fragments > MAX_FRAGMENTS:
        return Exceeded(
            "QUERY_TOO_COSTLY",
            f"The query defines {fragments} fragments; at most {MAX_FRAGMENTS} are allowed.",
        )
    meter = _Meter(document, schema, limits)
    depth = cost = 0
    try:
        for definition in document.definitions:
            if isinstance(definition, OperationDefinitionNode):
                root = schema.get_root_type(definition.operation)
                measure = meter.selection(definition.selection_set, root)
                depth, cost = max(depth, measure.depth), meter.add(cost, measure.cost)
    except RecursionError:
        depth = limits.max_depth + 1  # nested past what Python's stack holds: far too deep
    if meter.repeated is not None:
        return Exceeded(
            "QUERY_TOO_COSTLY",
            f"The query asks for {meter.repeated} more than {MAX_REPEATS} times in one selection; once is "
            "enough.",
        )
    if depth > limits.max_depth:
        return Exceeded(
            "QUERY_TOO_DEEP", f"The query nests fields {limits.max_depth} deep at most; this one goes deeper."
        )
    if cost > limits.max_cost:
        return Exceeded(
            "QUERY_TOO_COSTLY",
            f"The query could return more than {limits.max_cost} fields (lists count as many as their page "
            "holds). Ask for fewer fields or smaller pages, or split it.",
        )
    return None


def _count_aliases(document: DocumentNode) -> int:
    count = 0
    stack: list[SelectionSetNode] = [
        d.selection_set
        for d in document.definitions
        if isinstance(d, OperationDefinitionNode | FragmentDefinitionNode)
    ]
    while stack:
        for selection in stack.pop().selections:
            if isinstance(selection, FieldNode) and selection.alias is not None:
                count += 1
            if isinstance(selection, FieldNode | InlineFragmentNode) and selection.selection_set:
                stack.append(selection.selection_set)
    return count


class _Meter:
    def __init__(self, document: DocumentNode, schema: GraphQLSchema, limits: Limits) -> None:
        self.schema, self.limits = schema, limits
        self.fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        self.measured: dict[tuple[str, int | None], Measure] = {}
        self.repeated: str | None = None
        self.measuring: set[tuple[str, int | None]] = set()
        # Saturation: nothing above this matters, and keeping numbers small keeps the arithmetic cheap.
        self.ceiling = max(limits.max_cost, limits.max_depth) + 1

    def add(self, a: int, b: int) -> int:
        return min(a + b, self.ceiling)

    def selection(
        self, selection_set: SelectionSetNode, parent: GraphQLCompositeType | None, page: int | None = None
    ) -> Measure:
        """``page``: the page size of the paged field this selection is inside, for the list it holds."""
        depth = cost = 0
        names: dict[str, int] = {}
        for node in selection_set.selections:
            if isinstance(node, FieldNode):
                name = (node.alias or node.name).value
                names[name] = names.get(name, 0) + 1
                if names[name] > MAX_REPEATS:
                    self.repeated = name
                measure = self.field(node, parent, page)
            elif isinstance(node, InlineFragmentNode):
                named = self.schema.get_type(node.type_condition.name.value) if node.type_condition else None
                condition = named if isinstance(named, GraphQLCompositeType) else parent
                measure = self.selection(node.selection_set, condition, page)
            elif isinstance(node, FragmentSpreadNode):
                measure = self.fragment(node.name.value, page)
            else:  # pragma: no cover - no other kind of selection exists
                continue
            depth, cost = max(depth, measure.depth), self.add(cost, measure.cost)
        return Measure(depth, cost)

    def fragment(self, name: str, page: int | None) -> Measure:
        key = (name, page)
        if key in self.measured:
            return self.measured[key]
        definition = self.fragments.get(name)
        if definition is None or key in self.measuring:
            return Measure(0, 0)  # unknown, or a cycle: validation refuses both
        self.measuring.add(key)
        named = self.schema.get_type(definition.type_condition.name.value)
        condition = named if isinstance(named, GraphQLCompositeType) else None
        measure = self.selection(definition.selection_set, condition, page)
        self.measuring.discard(key)
        self.measured[key] = measure
        return measure

    def field(self, node: FieldNode, parent: GraphQLCompositeType | None, page: int | None) -> Measure:
        if node.selection_set is None:
            return Measure(1, 1)
        definition = _definition(self.schema, parent, node.name.value)
        target = get_named_type(definition.type) if definition else None
        if definition is None or not isinstance(target, GraphQLCompositeType):
            # Not in the schema (validation will say so): its depth still counts.
            child = self.selection(node.selection_set, None)
            return Measure(min(child.depth + 1, self.ceiling), self.add(1, child.cost))
        own_page = self.page(node, definition) if "first" in definition.args else None
        unwrapped = (
            definition.type.of_type if isinstance(definition.type, GraphQLNonNull) else definition.type
        )
        if isinstance(unwrapped, GraphQLList):
            # A paged list is its page; a list inside a paged field (a connection's nodes) is that page.
            items, own_page = own_page or page or UNPAGED_LIST_ITEMS, None
        else:
            items = 1
        child = self.selection(node.selection_set, target, own_page)
        return Measure(min(child.depth + 1, self.ceiling), self.add(1, min(items * child.cost, self.ceiling)))

    def page(self, node: FieldNode, definition: GraphQLField) -> int:
        """How many items a paged field may return: its ``first``, the largest page for a variable."""
        given = next((a.value for a in node.arguments or () if a.name.value == "first"), None)
        if isinstance(given, IntValueNode):
            return max(1, min(int(given.value), self.limits.page_size_max))
        if given is not None:
            return self.limits.page_size_max  # a variable: the largest page it could be
        argument = definition.args["first"]
        default = argument.default.value if argument.default is not None else argument.default_value
        return default if isinstance(default, int) else self.limits.page_size_default


def _definition(schema: GraphQLSchema, parent: GraphQLCompositeType | None, name: str) -> GraphQLField | None:
    if parent is schema.query_type and name == "__schema":
        return SchemaMetaFieldDef
    if parent is schema.query_type and name == "__type":
        return TypeMetaFieldDef
    fields: dict[str, GraphQLField] = getattr(parent, "fields", {})
    return fields.get(name)
