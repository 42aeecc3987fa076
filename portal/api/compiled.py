"""Trusted query documents compiled into plans, and plans run without graphql-core's executor.

graphql-core interprets a document field by field on every request: it collects the selections, builds a
resolve info and a path for every field, sends plain attributes through strawberry's wrappers, and makes
a task for every awaitable result. A trusted document never changes, so all of that but the resolvers'
own work can be decided once. A plan holds, for each selected field, how to get its value (the attribute
itself for a plain strawberry field; the GraphQLField's own ``resolve``, that is strawberry's wrapper with
its argument conversion and Info, for any other) and how to complete it (non-null, list, leaf or object).

Running a plan gives the data or None, never an error: on any exception, or a null where the schema says
non-null, the caller runs the request through ``schema.execute`` instead (portal/api/execution.py), so
errors, their codes and paths and any partial data stay graphql-core's. What is not compiled (abstract
types, mutations, subscriptions, introspection, @defer/@stream, fragments on other types) always runs so.
"""

from __future__ import annotations

import asyncio
import contextlib
import operator
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from graphql.execution.values import VariableValues
from graphql.pyutils import Path, Undefined, is_iterable
from strawberry.execution import optimized_is_awaitable as is_awaitable

# The info strawberry's own executor gives resolvers (variables as a plain dict), so they see no difference.
from strawberry.schema.schema import _OperationContextAwareGraphQLResolveInfo as ResolveInfo

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLBoolean,
    GraphQLEnumType,
    GraphQLField,
    GraphQLID,
    GraphQLIncludeDirective,
    GraphQLInt,
    GraphQLLeafType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    GraphQLSkipDirective,
    GraphQLString,
    InlineFragmentNode,
    ListValueNode,
    ObjectValueNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    ValueNode,
    VariableNode,
    get_argument_values,
    get_directive_values,
    get_variable_values,
)

# How strawberry marks the resolver of a field with no resolver, permissions or extensions of its own.
_PLAIN = "_is_default"
_STRAWBERRY_FIELD = "strawberry-definition"
_INT_MIN, _INT_MAX = -(2**31), 2**31 - 1


class NotCompiled(Exception):
    """The document asks for something plans do not do; it runs through graphql-core."""


class Fallback(Exception):
    """A null where the schema says non-null, or a value graphql-core would refuse: let it say so."""


@dataclass(slots=True)
class Shape:
    """How a field's value is completed: ``kind`` is "non_null" or "list" (of ``inner``), "leaf"
    (``serialize``) or "object" (of ``object_type``, with ``fields``)."""

    kind: str
    inner: Shape | None = None
    serialize: Callable[[Any], Any] | None = None
    object_type: GraphQLObjectType | None = None
    fields: Sequence[Field] = ()


@dataclass(slots=True)
class Field:
    """A selected field: its response key, where its value comes from (``getter`` for a plain attribute,
    else the field's own ``resolve`` with ``args`` known now or worked out per request), the @skip/@include
    nodes it depends on, and its shape. ``needs_path`` when something below it may call a resolver."""

    key: str
    definition: GraphQLField
    nodes: list[FieldNode]
    parent: GraphQLObjectType
    getter: Callable[[Any], Any] | None
    args: dict[str, Any] | None
    conditions: frozenset[int]
    shape: Shape
    needs_path: bool


@dataclass(frozen=True, slots=True)
class Plan:
    """A query operation compiled against the schema."""

    schema: GraphQLSchema
    operation: OperationDefinitionNode
    fragments: dict[str, FragmentDefinitionNode]
    fields: Sequence[Field]
    # The nodes carrying @skip or @include: whether each applies is worked out once per request.
    conditional: Sequence[FieldNode | InlineFragmentNode | FragmentSpreadNode]

    @property
    def name(self) -> str | None:
        return self.operation.name.value if self.operation.name else None


def compile_query(schema: GraphQLSchema, document: DocumentNode) -> Plan | None:
    """The plan of the document's only operation, when it is a query that plans can run; else None."""
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if len(operations) != 1 or operations[0].operation is not OperationType.QUERY:
        return None
    operation = operations[0]
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    root = schema.query_type
    if root is None or operation.directives:
        return None
    conditional: list[FieldNode | InlineFragmentNode | FragmentSpreadNode] = []
    try:
        fields = _Compiler(fragments, conditional).fields(root, [operation.selection_set])
    except NotCompiled:
        return None
    return Plan(schema, operation, fragments, fields, conditional)


class _Compiler:
    def __init__(
        self,
        fragments: dict[str, FragmentDefinitionNode],
        conditional: list[FieldNode | InlineFragmentNode | FragmentSpreadNode],
    ) -> None:
        self.fragments, self.conditional = fragments, conditional

    def fields(self, parent: GraphQLObjectType, selection_sets: list[SelectionSetNode]) -> list[Field]:
        if parent.is_type_of is not None:
            raise NotCompiled(f"{parent.name} checks its values (it implements an interface)")
        # Fields by response key, in the order graphql-core's collection gives them.
        grouped: dict[str, list[tuple[FieldNode, frozenset[int]]]] = {}
        spread: set[str] = set()
        for selection_set in selection_sets:
            self._collect(parent, selection_set, frozenset(), grouped, spread)
        return [self._field(parent, key, group) for key, group in grouped.items()]

    def _collect(
        self,
        parent: GraphQLObjectType,
        selection_set: SelectionSetNode,
        conditions: frozenset[int],
        grouped: dict[str, list[tuple[FieldNode, frozenset[int]]]],
        spread: set[str],
    ) -> None:
        for selection in selection_set.selections:
            assert isinstance(selection, FieldNode | InlineFragmentNode | FragmentSpreadNode)
            held = conditions | self._conditions(selection)
            if isinstance(selection, FieldNode):
                key = selection.alias.value if selection.alias else selection.name.value
                grouped.setdefault(key, []).append((selection, held))
            elif isinstance(selection, InlineFragmentNode):
                if selection.type_condition and selection.type_condition.name.value != parent.name:
                    raise NotCompiled("a fragment on another type")
                self._collect(parent, selection.selection_set, held, grouped, spread)
            elif isinstance(selection, FragmentSpreadNode):
                fragment = self.fragments[selection.name.value]
                if fragment.type_condition.name.value != parent.name or fragment.variable_definitions:
                    raise NotCompiled("a fragment on another type, or with variables")
                if fragment.name.value in spread:
                    # graphql-core takes the first spread it includes: which, only a request can say.
                    raise NotCompiled("a fragment spread twice")
                spread.add(fragment.name.value)
                self._collect(parent, fragment.selection_set, held, grouped, spread)

    def _conditions(self, node: FieldNode | InlineFragmentNode | FragmentSpreadNode) -> frozenset[int]:
        names = {d.name.value for d in node.directives or ()}
        if not names:
            return frozenset()
        if not names <= {GraphQLSkipDirective.name, GraphQLIncludeDirective.name}:
            raise NotCompiled(f"directives {sorted(names)}")
        self.conditional.append(node)
        return frozenset({id(node)})

    def _field(
        self, parent: GraphQLObjectType, key: str, group: list[tuple[FieldNode, frozenset[int]]]
    ) -> Field:
        nodes = [node for node, _ in group]
        name = nodes[0].name.value
        if len({conditions for _, conditions in group}) > 1 or any(n.name.value != name for n in nodes):
            raise NotCompiled("one response key for different fields, or under different conditions")
        if name == "__typename":
            definition = GraphQLField(GraphQLNonNull(GraphQLString))
            getter: Callable[[Any], Any] | None = _constant(parent.name)
        elif name.startswith("__"):
            raise NotCompiled("introspection")
        else:
            definition = parent.fields[name]
            getter = _plain_getter(definition)
            if getter is None and definition.resolve is None:
                raise NotCompiled("a field left to graphql-core's default resolver")
        args: dict[str, Any] | None = {}
        if definition.args or nodes[0].arguments:
            args = None  # worked out per request, from the variables, as graphql-core does
            if not _uses_variables(nodes[0]):
                # Literals that do not fit are refused again per request, and so left to graphql-core.
                with contextlib.suppress(Exception):
                    args = get_argument_values(definition, nodes[0])
        shape = self._shape(definition.type, nodes)
        leaf = shape if shape.inner is None or shape.kind != "non_null" else shape.inner
        needs_path = leaf.kind != "leaf"
        return Field(key, definition, nodes, parent, getter, args, group[0][1], shape, needs_path)

    def _shape(self, type_: GraphQLOutputType, nodes: list[FieldNode]) -> Shape:
        if isinstance(type_, GraphQLNonNull):
            return Shape("non_null", inner=self._shape(type_.of_type, nodes))
        if isinstance(type_, GraphQLList):
            return Shape("list", inner=self._shape(type_.of_type, nodes))
        if isinstance(type_, GraphQLObjectType):
            sets = [node.selection_set for node in nodes if node.selection_set]
            return Shape("object", object_type=type_, fields=self.fields(type_, sets))
        if isinstance(type_, GraphQLLeafType):
            return Shape("leaf", serialize=_serializer(type_))
        raise NotCompiled(f"an abstract type, {type_}")


def _constant(value: str) -> Callable[[Any], str]:
    return lambda _source: value


def _plain_getter(definition: GraphQLField) -> Callable[[Any], Any] | None:
    """The attribute a plain strawberry field reads (strawberry's python name), as strawberry would read
    it; None for every other field, which is resolved through its ``resolve``."""
    strawberry_field = (definition.extensions or {}).get(_STRAWBERRY_FIELD)
    plain = getattr(definition.resolve, _PLAIN, False)
    if (
        plain
        and strawberry_field is not None
        and strawberry_field.is_basic_field
        and strawberry_field.default_resolver is getattr
    ):
        return operator.attrgetter(strawberry_field.python_name)
    return None


def _uses_variables(node: FieldNode) -> bool:
    def uses(value: ValueNode) -> bool:
        if isinstance(value, VariableNode):
            return True
        if isinstance(value, ListValueNode):
            return any(uses(v) for v in value.values)
        if isinstance(value, ObjectValueNode):
            return any(uses(f.value) for f in value.fields)
        return False

    return any(uses(argument.value) for argument in node.arguments or ())


def _serializer(type_: GraphQLLeafType) -> Callable[[Any], Any]:
    """graphql-core's ``coerce_output_value``, with shortcuts only where they give the same answer: the
    built-in scalars' own Python types as they are, and each enum member's name looked up once."""
    coerce = type_.coerce_output_value

    def checked(value: Any) -> Any:
        coerced = coerce(value)
        if coerced is None or coerced is Undefined:
            raise Fallback(f"{type_} gave no value for {value!r}")
        return coerced

    if type_ is GraphQLString or type_ is GraphQLID:
        return lambda value: value if type(value) is str else checked(value)
    if type_ is GraphQLBoolean:
        return lambda value: value if type(value) is bool else checked(value)
    if type_ is GraphQLInt:
        return lambda value: value if type(value) is int and _INT_MIN <= value <= _INT_MAX else checked(value)
    wrapped = getattr(type_, "wrapped_cls", None)
    if isinstance(type_, GraphQLEnumType) and wrapped is not None:
        names: dict[Any, Any] = {}

        def enum_name(value: Any) -> Any:
            if type(value) is not wrapped:
                return checked(value)
            name = names.get(value)
            if name is None:
                name = names[value] = checked(value)
            return name

        return enum_name
    return checked


def _included(node: FieldNode | InlineFragmentNode | FragmentSpreadNode, variables: VariableValues) -> bool:
    """@skip and @include, as graphql-core reads them (skip wins)."""
    skip = get_directive_values(GraphQLSkipDirective, node, variables)
    if skip is not None and skip["if"] is True:
        return False
    include = get_directive_values(GraphQLIncludeDirective, node, variables)
    return not (include is not None and include["if"] is False)


async def run(plan: Plan, variables: dict[str, Any] | None, context: Any) -> dict[str, Any] | None:
    """The operation's data, or None when the request must run through graphql-core instead."""
    coerced = get_variable_values(plan.schema, plan.operation.variable_definitions or (), variables or {})
    if isinstance(coerced, list):
        return None  # variables that do not fit: graphql-core words the errors
    try:
        skipped = frozenset(id(node) for node in plan.conditional if not _included(node, coerced))
    except Exception:
        return None
    execution = _Run(plan, coerced, context, skipped)
    try:
        data = execution.fields(plan.fields, None, None)
        while execution.pending:
            await execution.wave()
    except Exception:
        await execution.settle()
        return None
    return data


# What awaits its value: the awaitable, the shape to complete it to, where the value goes, and its path.
_Pending = tuple[Awaitable[Any], Shape, Any, Any, Path | None]


class _Run:
    """One request's run of a plan. Sync values complete at once; awaitables wait for the wave, in which
    all those found so far are awaited together (so DataLoaders batch as they do under graphql-core)."""

    def __init__(self, plan: Plan, variables: VariableValues, context: Any, skipped: frozenset[int]) -> None:
        self.plan, self.variables, self.context, self.skipped = plan, variables, context, skipped
        self.pending: list[_Pending] = []

    def fields(self, fields: Sequence[Field], source: Any, path: Path | None) -> dict[str, Any]:
        out: dict[str, Any] = {}
        skipped = self.skipped
        for field in fields:
            if field.conditions and not skipped.isdisjoint(field.conditions):
                continue
            key = field.key
            if field.getter is not None:
                value = field.getter(source)
                field_path = Path(path, key, field.parent.name) if field.needs_path else None
            else:
                field_path = Path(path, key, field.parent.name)
                value = self._resolve(field, source, field_path)
            out[key] = self.complete(field.shape, value, out, key, field_path)
        return out

    def _resolve(self, field: Field, source: Any, path: Path) -> Any:
        plan, definition = self.plan, field.definition
        info = ResolveInfo(
            field.nodes[0].name.value,
            field.nodes,
            definition.type,
            field.parent,
            path,
            plan.schema,
            plan.fragments,
            None,  # the root value: neither caller passes one
            plan.operation,
            self.variables.coerced,  # strawberry hands resolvers the plain dict
            self.context,
            is_awaitable,
            None,  # no abort signal
            None,  # no async helpers: a resolver that wanted them falls back
            None,  # type: ignore[arg-type]  # no operation extensions: strawberry passes None too
        )
        args = field.args
        if args is None:
            args = get_argument_values(definition, field.nodes[0], self.variables)
        return definition.resolve(source, info, **args)  # type: ignore[misc]  # checked when compiled

    def complete(self, shape: Shape, value: Any, container: Any, key: Any, path: Path | None) -> Any:
        if is_awaitable(value):
            self.pending.append((value, shape, container, key, path))
            return None
        if isinstance(value, Exception):
            raise value
        kind = shape.kind
        if kind == "non_null":
            assert shape.inner is not None
            completed = self.complete(shape.inner, value, container, key, path)
            if completed is None:
                raise Fallback("null for a non-null field")
            return completed
        if value is None or value is Undefined:
            return None
        if kind == "leaf":
            assert shape.serialize is not None
            return shape.serialize(value)
        if kind == "object":
            return self.fields(shape.fields, value, path)
        if not is_iterable(value):
            raise Fallback("a list field that gave no iterable")
        inner = shape.inner
        assert inner is not None
        items = list(value)
        if inner.kind == "non_null" and inner.inner is not None and inner.inner.kind == "leaf":
            serialize = inner.inner.serialize
            assert serialize is not None
            for index, item in enumerate(items):
                if item is None or is_awaitable(item) or isinstance(item, Exception):
                    items[index] = self.complete(inner, item, items, index, Path(path, index, None))
                else:
                    items[index] = serialize(item)
            return items
        for index, item in enumerate(items):
            items[index] = self.complete(inner, item, items, index, Path(path, index, None))
        return items

    async def wave(self) -> None:
        wave, self.pending = self.pending, []
        values: list[Any]
        if len(wave) == 1:
            # Alone in its wave (the root field of a view, say): awaited here, without a task.
            try:
                values = [await wave[0][0]]
            except Exception as error:
                values = [error]
        else:
            values = await asyncio.gather(*(awaitable for awaitable, *_ in wave), return_exceptions=True)
        for (_, shape, container, key, path), value in zip(wave, values, strict=True):
            if isinstance(value, BaseException):
                raise Fallback("a resolver failed") from value
            container[key] = self.complete(shape, value, container, key, path)

    async def settle(self) -> None:
        """After a failure: nothing started may be left running on the request's session while it runs
        again, and nothing created left unawaited."""
        waiting = []
        for awaitable, *_ in self.pending:
            close = getattr(awaitable, "close", None)
            if asyncio.iscoroutine(awaitable) and close is not None:
                close()
            else:
                waiting.append(awaitable)
        self.pending = []
        if waiting:
            await asyncio.gather(*waiting, return_exceptions=True)
