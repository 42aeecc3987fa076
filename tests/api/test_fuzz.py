"""Fuzzing /graphql from the schema (issue 13): for every root field of Query and of Mutation, documents that
hypothesis-graphql generates from the schema the code serves, sent over HTTP with the tokens of people in
five roles that reach different code paths (the case's guardian, its IRO, its LA solicitor, a Cafcass
manager in scope, an authority's administrator), on a world with real cases, children, contacts, reviews,
issues, uploads and handovers to point at.

Arguments are the generator's, with ids drawn mostly from the world's rows (the kind an argument's name
suggests, any kind, or another spelling of a real id), the rest junk; dates and moments mostly recent (so
that writes succeed), also anywhere in the calendar and at its edges, and strings that are no dates at all;
Ints up to and past 32 bits; strings with any character, NUL included; handover answers real and broken. For
root fields with arguments, a quarter of the documents break the schema once (hypothesis-graphql's negative
mode: a required argument missing, a value of the wrong type, an unknown enum value ...). Half carry their
arguments inline, half as variables (each path through the scalars is a different one); half ask for
application/graphql-response+json rather than plain JSON.

What every answer must be:

- under application/json, status 200, whatever happened (what legacy clients expect); under
  application/graphql-response+json, 400 exactly when the request failed before it ran (the document or its
  variables refused: the body then has no ``data``) and 200 otherwise, as the GraphQL-over-HTTP
  specification says. 401 only after an earlier example of the same test deactivated that person (nothing
  else may refuse a live token). Never a 5xx, nor any other status;
- JSON of the media type asked for;
- every error with a message and a stable ``extensions.code`` from the portal's list, never INTERNAL (a
  masked exception) nor UNAVAILABLE (the unit of work failed to commit);
- ``data``, when present, exactly what the schema gives for the document (tests/support/conformance.py):
  the fields selected and no others, no null in a non-null field, scalars and enums of their types, and
  every error's path at a null.

Bounded: a fixed number of examples per field, derandomized (the same documents every run), no example
database written to the repository. Each test starts from the same world (its rows put back from a
snapshot, tests/support/snapshot.py); the examples of one test build on each other's writes.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, Phase, given, note, settings
from hypothesis import strategies as st
from hypothesis_graphql import Mode, mutations, nodes, queries
from sqlalchemy.ext.asyncio import AsyncEngine

from graphql import (
    ArgumentNode,
    BooleanValueNode,
    DocumentNode,
    FieldNode,
    GraphQLSchema,
    IntValueNode,
    ListValueNode,
    NameNode,
    NullValueNode,
    ObjectFieldNode,
    ObjectValueNode,
    OperationDefinitionNode,
    StringValueNode,
    TypeInfo,
    TypeInfoVisitor,
    ValueNode,
    VariableDefinitionNode,
    VariableNode,
    Visitor,
    build_schema,
    parse,
    parse_type,
    print_ast,
    value_from_ast_untyped,
    visit,
)
from models import ApiToken, Person
from portal import clock
from portal.api.schema import sdl
from portal.db import create_session_factory
from portal.errors import ErrorCode
from tests.conftest import empty_database
from tests.support import conformance
from tests.support.setting import make_setting
from tests.support.snapshot import Snapshot, restore, take
from tests.support.world import World
from tests.test_handover import ANSWERS

SDL = sdl()
SCHEMA: GraphQLSchema = build_schema(SDL)
assert SCHEMA.query_type is not None
assert SCHEMA.mutation_type is not None
QUERY_FIELDS = sorted(SCHEMA.query_type.fields)
MUTATION_FIELDS = sorted(SCHEMA.mutation_type.fields)

# Whose tokens send each document: people whose roles reach different resolvers and services.
ROLES = ("guardian", "iro", "solicitor", "cafcass_manager", "admin")
# Examples per root field, each sent once for each role: enough for the suite; set PORTAL_FUZZ_EXAMPLES for a
# longer hunt.
EXAMPLES = int(os.environ.get("PORTAL_FUZZ_EXAMPLES", "8"))

JSON = "application/json"
GRAPHQL_RESPONSE = "application/graphql-response+json"
# The codes an error may carry: the domain's, and those of a document or its variables refused.
CODES = {code.value for code in ErrorCode} | {
    "GRAPHQL_PARSE_FAILED",
    "GRAPHQL_VALIDATION_FAILED",
    "BAD_USER_INPUT",
    "QUERY_TOO_COSTLY",
    "QUERY_TOO_DEEP",
    "TOO_MANY_ALIASES",
}

FUZZ_SETTINGS = settings(
    deadline=None,
    derandomize=True,
    database=None,
    print_blob=False,
    # No shrinking: an example's answer depends on what earlier examples of the test wrote, so replaying one
    # need not fail the same way; the failing request and its answer are printed as they were.
    phases=[Phase.explicit, Phase.generate],
    report_multiple_bugs=False,
    # The world is put back once per test (a function-scoped fixture), not once per example: on purpose.
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)


# -- Values ----------------------------------------------------------------------------------------------

# An ID argument is generated as this placeholder, then filled in knowing the argument's name.
ID_PLACEHOLDER = "\x00fuzz-id\x00"
TODAY = clock.today()
NOW = datetime.now(UTC).replace(microsecond=0)
# The whole calendar: the Date and DateTime scalars (portal/api/scalars.py) refuse what the portal does not
# handle with OUT_OF_RANGE, before any resolver could overflow on it (0001-01-01T00:00:00+14:00 in a
# contact, 9999-12-31 as a dashboard's end were INTERNALs before them).
EARLIEST, LATEST = date.min, date.max
EARLIEST_MOMENT = datetime.combine(EARLIEST, time.min)
LATEST_MOMENT = datetime.combine(LATEST, time.max)
EDGE_DATES = [
    EARLIEST,
    LATEST,
    date(2000, 2, 29),
    TODAY,
    TODAY - timedelta(days=1),
    TODAY + timedelta(days=1),
]
NOT_DATES = [
    "",
    " ",
    "2024-02-30",
    "2024-13-01",
    "24-1-1",
    "today",
    "0000-01-01",
    "10000-01-01",
    "+002024-01-01",
]
EDGE_MOMENTS = [
    # In range as written, out of it in UTC.
    EARLIEST_MOMENT.replace(tzinfo=timezone(timedelta(hours=14))),
    LATEST_MOMENT.replace(tzinfo=timezone(timedelta(hours=-12))),
    EARLIEST_MOMENT.replace(tzinfo=UTC),
    LATEST_MOMENT.replace(tzinfo=UTC),
    LATEST_MOMENT,  # without an offset
    NOW,
    NOW + timedelta(hours=1),
]
NOT_MOMENTS = ["", "now", "2024-01-01T25:00:00Z", "2024-02-30T10:00:00Z", "0000-01-01T00:00:00Z", "1e9"]
OFFSETS = st.sampled_from([UTC, timezone(timedelta(hours=14)), timezone(timedelta(hours=-12)), None])
INT_MIN, INT_MAX = -(2**31), 2**31 - 1
SOME_INTS = [0, -1, 1, 2, 8, 9, 26, 27, 100, 101, INT_MAX, INT_MIN]
# PostgreSQL's text cannot hold NUL (SQLite's can): a string with one must never reach it.
SOME_STRINGS = [
    "",
    " ",
    "\n\t ",
    "x" * 5_000,
    "P3",
    "P11",
    "guardian",
    "case:read",
    "a@b.example.gov.uk",
    "\x00",
    "Nul\x00in the middle",
    "nul\x00@b.example.gov.uk",
]


def _mostly(usual: st.SearchStrategy[Any], *rare: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """``usual`` five times in eight, each of the ``rare`` ones in turn the rest of the time."""
    return st.integers(0, 7).flatmap(lambda n: usual if n < 5 else rare[n % len(rare)])


def dates() -> st.SearchStrategy[ValueNode]:
    # Recent dates mostly (what a real case has, so that writes succeed); then the calendar's edges, anywhere
    # in it, and strings that are not dates.
    recent = st.integers(-400, 30).map(lambda days: (TODAY + timedelta(days=days)).isoformat())
    edges = st.sampled_from(EDGE_DATES).map(date.isoformat)
    anywhere = st.dates(EARLIEST, LATEST).map(date.isoformat)
    return _mostly(recent, edges, anywhere, st.sampled_from(NOT_DATES)).map(nodes.String)


def moments() -> st.SearchStrategy[ValueNode]:
    recent = st.integers(-7 * 24 * 60, 60).map(lambda minutes: (NOW + timedelta(minutes=minutes)).isoformat())
    edges = st.sampled_from(EDGE_MOMENTS).map(datetime.isoformat)
    anywhere = st.datetimes(EARLIEST_MOMENT, LATEST_MOMENT, timezones=OFFSETS).map(datetime.isoformat)
    return _mostly(recent, edges, anywhere, st.sampled_from(NOT_MOMENTS)).map(nodes.String)


def ints() -> st.SearchStrategy[ValueNode]:
    in_range = st.one_of(st.sampled_from(SOME_INTS), st.integers(INT_MIN, INT_MAX))
    beyond = st.one_of(st.integers(max_value=INT_MIN - 1), st.integers(min_value=INT_MAX + 1))
    # Mostly Ints the schema takes (so that requests run), sometimes past 32 bits (refused before they do).
    return _mostly(in_range, in_range, beyond).map(nodes.Int)


def strings() -> st.SearchStrategy[ValueNode]:
    return st.one_of(st.text(), st.sampled_from(SOME_STRINGS)).map(nodes.String)


def literal(value: Any) -> ValueNode:
    """The GraphQL literal of a JSON value (for the JSON scalar)."""
    if value is None:
        return NullValueNode()
    if isinstance(value, bool):
        return BooleanValueNode(value=value)
    if isinstance(value, int):
        return IntValueNode(value=str(value))
    if isinstance(value, float):
        return nodes.Float(value)
    if isinstance(value, str):
        return StringValueNode(value=value)
    if isinstance(value, list):
        return ListValueNode(values=tuple(literal(v) for v in value))
    return ObjectValueNode(
        fields=tuple(ObjectFieldNode(name=NameNode(value=k), value=literal(v)) for k, v in value.items())
    )


def json_values() -> st.SearchStrategy[ValueNode]:
    leaves = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(INT_MIN, INT_MAX),
        st.floats(allow_nan=False, allow_infinity=False),
        st.text(),
    )
    # An object's keys are GraphQL names when written inline.
    keys = st.from_regex(r"[_A-Za-z][_0-9A-Za-z]{0,20}", fullmatch=True)
    anything = st.recursive(
        leaves, lambda inner: st.lists(inner) | st.dictionaries(keys, inner), max_leaves=10
    )
    # Real answers, some with one of them replaced: the handover's validation is reached, not only refused.
    answers = st.one_of(
        st.just(ANSWERS),
        st.tuples(st.sampled_from(sorted(ANSWERS)), anything).map(lambda kv: {**ANSWERS, kv[0]: kv[1]}),
    )
    return st.one_of(anything, answers).map(literal)


CUSTOM_SCALARS: dict[str, st.SearchStrategy[ValueNode]] = {
    "ID": st.just(StringValueNode(value=ID_PLACEHOLDER)),
    "Date": dates(),
    "DateTime": moments(),
    "JSON": json_values(),
    "Int": ints(),
    "String": strings(),
}


# -- Ids ---------------------------------------------------------------------------------------------------

# Words in argument names that name a table other than their own.
ALIASES: dict[str, list[str]] = {
    "case": ["proceedings"],
    "issue": ["raised_issue"],
    "paper": ["court_paper"],
    "corrects": ["contact"],
    "correctedby": ["contact"],
    "counterpart": ["person"],
    "owner": ["person"],
    "iro": ["person"],
    "court": ["organisation"],
    "servicearea": ["organisation"],
    "localauthority": ["organisation"],
    "group": ["organisation", "team", "person"],
}


@dataclass(frozen=True)
class Ids:
    """The world's ids, by table."""

    by_table: dict[str, list[str]]

    def tables_for(self, argument: str, field: str) -> list[str]:
        """The tables an id argument probably points into: ``caseId`` a case, ``childIds`` children; a
        bare ``id`` whatever its field names (``waiveObligation``: an obligation)."""
        if argument.endswith("Ids"):
            stem = argument[:-3]
        elif argument.endswith("Id"):
            stem = argument[:-2]
        else:
            stem = field
        words = {t.replace("_", ""): [t] for t in self.by_table} | ALIASES
        matches = [w for w in words if w in stem.lower()]
        if not matches:
            return []
        longest = max(len(w) for w in matches)
        return [t for w in matches if len(w) == longest for t in words[w] if t in self.by_table]

    def strategy(self, argument: str, field: str) -> st.SearchStrategy[ValueNode]:
        tables = self.tables_for(argument, field)
        any_real = st.sampled_from(sorted(self.by_table)).flatmap(lambda t: st.sampled_from(self.by_table[t]))
        likely = (
            st.sampled_from(tables).flatmap(lambda t: st.sampled_from(self.by_table[t]))
            if tables
            else any_real
        )
        other_spelling = st.one_of(likely, any_real).flatmap(
            lambda i: st.sampled_from(
                [i.upper(), i.replace("-", ""), "{" + i + "}", "urn:uuid:" + i, " " + i]
            )
        )
        junk = st.one_of(
            st.uuids().map(str).map(nodes.String),
            st.text(max_size=40).map(nodes.String),
            st.sampled_from(["", "0", "null", str(uuid.UUID(int=0)), "x" * 1_000]).map(nodes.String),
            st.integers().map(nodes.Int),
        )
        real = st.one_of(likely, likely, any_real, other_spelling).map(nodes.String)
        return st.one_of(real, real, junk)


class _FillIds(Visitor):
    """Puts an id in place of each placeholder, drawn knowing the argument's name and its field's."""

    def __init__(self, draw: st.DrawFn, ids: Ids) -> None:
        super().__init__()
        self.draw, self.ids, self.fields = draw, ids, list[str]()

    def enter_field(self, node: FieldNode, *_: Any) -> None:
        self.fields.append(node.name.value)

    def leave_field(self, node: FieldNode, *_: Any) -> None:
        self.fields.pop()

    def enter_argument(self, node: ArgumentNode, *_: Any) -> ArgumentNode | None:
        value = self._fill(node.name.value, node.value)
        return None if value is node.value else ArgumentNode(name=node.name, value=value)

    def enter_object_field(self, node: ObjectFieldNode, *_: Any) -> ObjectFieldNode | None:
        value = self._fill(node.name.value, node.value)
        return None if value is node.value else ObjectFieldNode(name=node.name, value=value)

    def _fill(self, name: str, value: ValueNode) -> ValueNode:
        if isinstance(value, StringValueNode) and value.value == ID_PLACEHOLDER:
            return self.draw(self.ids.strategy(name, self.fields[-1]))
        if isinstance(value, ListValueNode) and any(
            isinstance(v, StringValueNode) and v.value == ID_PLACEHOLDER for v in value.values
        ):
            return ListValueNode(values=tuple(self._fill(name, v) for v in value.values))
        return value


class _Hoist(Visitor):
    """Moves every argument's value into a variable of the argument's type."""

    def __init__(self, type_info: TypeInfo) -> None:
        super().__init__()
        self.type_info = type_info
        self.definitions: list[VariableDefinitionNode] = []
        self.values: dict[str, Any] = {}

    def enter_argument(self, node: ArgumentNode, *_: Any) -> ArgumentNode | None:
        argument = self.type_info.get_argument()
        if argument is None:
            return None  # not in the schema (a broken document): left as it is
        name = f"v{len(self.definitions)}"
        variable = VariableNode(name=NameNode(value=name))
        self.definitions.append(
            VariableDefinitionNode(variable=variable, type=parse_type(str(argument.type)), directives=())
        )
        self.values[name] = value_from_ast_untyped(node.value)
        return ArgumentNode(name=node.name, value=variable)


def hoisted(document: DocumentNode) -> tuple[DocumentNode, dict[str, Any]]:
    type_info = TypeInfo(SCHEMA)
    hoist = _Hoist(type_info)
    document = visit(document, TypeInfoVisitor(type_info, hoist))
    (operation,) = document.definitions
    assert isinstance(operation, OperationDefinitionNode)
    operation = OperationDefinitionNode(
        operation=operation.operation,
        name=operation.name,
        variable_definitions=tuple(hoist.definitions),
        directives=operation.directives,
        selection_set=operation.selection_set,
    )
    return DocumentNode(definitions=(operation,)), hoist.values


@dataclass(frozen=True)
class Sent:
    """One request, as sent: its document, its variables and the media type asked for."""

    query: str
    variables: dict[str, Any] | None
    accept: str

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        variables = json.dumps(self.variables, ensure_ascii=True) if self.variables is not None else None
        printer.text(f"Sent(accept={self.accept!r}, variables={variables}, query=\n{self.query}\n)")


def _as_it_is(document: DocumentNode) -> DocumentNode:
    return document


def _documents(mode: Mode) -> dict[str, st.SearchStrategy[DocumentNode]]:
    # A root field without arguments has nothing to break at the root: negative mode refuses it.
    options = {"custom_scalars": CUSTOM_SCALARS, "print_ast": _as_it_is, "mode": mode}
    return {
        **{
            name: queries(SDL, fields=[name], **options)
            for name, field in SCHEMA.query_type.fields.items()
            if mode is Mode.POSITIVE or field.args
        },
        **{
            name: mutations(SDL, fields=[name], **options)
            for name, field in SCHEMA.mutation_type.fields.items()
            if mode is Mode.POSITIVE or field.args
        },
    }


DOCUMENTS, BROKEN_DOCUMENTS = _documents(Mode.POSITIVE), _documents(Mode.NEGATIVE)


@st.composite
def requests(draw: st.DrawFn, field: str, ids: Ids) -> Sent:
    broken = field in BROKEN_DOCUMENTS and draw(st.sampled_from([False, False, False, True]))
    generated = draw((BROKEN_DOCUMENTS if broken else DOCUMENTS)[field])
    document = visit(generated, _FillIds(draw, ids))
    variables = None
    if draw(st.booleans()):
        document, variables = hoisted(document)
    return Sent(print_ast(document), variables, draw(st.sampled_from([JSON, GRAPHQL_RESPONSE])))


# -- The world ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Seed:
    world: World
    tokens: dict[str, str]
    snapshot: Snapshot
    ids: Ids

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        # Hypothesis prints a failing example's arguments. Not the whole world: printed field by field, it
        # made hypothesis's reporting run miss the test's body (a FlakyStrategyDefinition, not the failure).
        printer.text("Seed(...)")


@pytest.fixture(scope="module")
async def seed(engine: AsyncEngine) -> Seed:
    """The world of the authorisation tests (tests/support/setting.py), built once and snapshotted."""
    sessions = create_session_factory(engine)
    world = await World.create(sessions)
    await make_setting(world, sessions)
    tokens = {key: await world.token(key) for key in ROLES}
    snapshot = await take(engine)
    await empty_database(engine)
    # The fuzzers' own tokens are left out of the ids: revoking one would end the test's use of that role.
    own = {row["id"] for row in snapshot.rows["api_token"] if row["label"] == "tests"}
    ids = Ids({t: [str(i) for i in found if i not in own] for t, found in snapshot.ids().items()})
    return Seed(world, tokens, snapshot, ids)


@pytest.fixture
async def seeded(seed: Seed, engine: AsyncEngine) -> Seed:
    await restore(engine, seed.snapshot)
    return seed


# -- Sending and judging -----------------------------------------------------------------------------------


async def _refused_rightly(engine: AsyncEngine, seed: Seed, role: str) -> bool:
    """Whether a 401 for ``role`` is right: an earlier example deactivated them or revoked their token."""
    async with engine.connect() as connection:
        person = seed.world.id(role)
        active = (await connection.execute(sa.select(Person.active).where(Person.id == person))).scalar_one()
        revoked = (
            await connection.execute(
                sa.select(sa.func.count())
                .select_from(ApiToken)
                .where(
                    ApiToken.person_id == person, ApiToken.label == "tests", ApiToken.revoked_at.is_not(None)
                )
            )
        ).scalar_one()
    return not active or revoked > 0


def judge(sent: Sent, response: httpx.Response) -> list[str]:
    """What is wrong with the response to ``sent`` (a 401 is judged by the caller)."""
    if response.status_code >= 500:
        return [f"status {response.status_code}"]
    found: list[str] = []
    media = response.headers.get("content-type", "").split(";")[0]
    if media != sent.accept:
        found.append(f"content-type {media!r}, asked for {sent.accept!r}")
    try:
        body = response.json()
    except ValueError:
        return [*found, f"not JSON: {response.text[:200]!r}"]
    if not isinstance(body, dict):
        return [*found, f"not a JSON object: {body!r}"]
    refused_before_running = "data" not in body
    expected = 400 if sent.accept == GRAPHQL_RESPONSE and refused_before_running else 200
    if response.status_code != expected:
        found.append(f"status {response.status_code}, not {expected}")
    for error in body.get("errors") or []:
        code = error.get("extensions", {}).get("code") if isinstance(error, dict) else None
        if code in ("INTERNAL", "UNAVAILABLE"):
            found.append(f"{code}: {error.get('message')}")
        elif code not in CODES:
            found.append(f"an error without a stable code: {error!r}")
        if not isinstance(error, dict) or not isinstance(error.get("message"), str):
            found.append(f"an error without a message: {error!r}")
    found.extend(conformance.problems(SCHEMA, parse(sent.query), body))
    return found


async def send_to_everyone(
    client: httpx.AsyncClient, engine: AsyncEngine, seed: Seed, sent: Sent
) -> dict[str, list[str]]:
    """Send ``sent`` with each role's token; what was wrong with each answer, by role."""
    wrong: dict[str, list[str]] = {}
    body: dict[str, Any] = {"query": sent.query}
    if sent.variables is not None:
        body["variables"] = sent.variables
    for role in ROLES:
        headers = {"Authorization": f"Bearer {seed.tokens[role]}", "Accept": sent.accept}
        response = await client.post("/graphql", json=body, headers=headers)
        if response.status_code == 401 and await _refused_rightly(engine, seed, role):
            continue
        found = judge(sent, response)
        if found:
            wrong[role] = found
            note(f"{role}: {response.status_code} {response.text[:2_000]}")
    return wrong


@pytest.mark.parametrize("field", QUERY_FIELDS)
@settings(FUZZ_SETTINGS, max_examples=EXAMPLES)
@given(data=st.data())
async def test_every_query_holds(
    field: str, seeded: Seed, client: httpx.AsyncClient, engine: AsyncEngine, data: st.DataObject
) -> None:
    sent = data.draw(requests(field, seeded.ids), label="request")
    assert await send_to_everyone(client, engine, seeded, sent) == {}


@pytest.mark.parametrize("field", MUTATION_FIELDS)
@settings(FUZZ_SETTINGS, max_examples=EXAMPLES)
@given(data=st.data())
async def test_every_mutation_holds(
    field: str, seeded: Seed, client: httpx.AsyncClient, engine: AsyncEngine, data: st.DataObject
) -> None:
    sent = data.draw(requests(field, seeded.ids), label="request")
    assert await send_to_everyone(client, engine, seeded, sent) == {}


# -- The judge itself --------------------------------------------------------------------------------------

JUDGED = '{ case(id: "x") { id stage children { id dateOfBirth } timescale { daysRemaining } } }'


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"data": {"case": None}, "errors": [{"message": "m", "path": ["case"]}]}, []),
        ({"data": {"case": None}}, []),
        ({"errors": [{"message": "m"}]}, []),
        ({}, ["a response without data must carry errors"]),
        ({"data": None}, ["data is null without any error"]),
        (
            {"data": {"case": {"id": "1", "stage": "ISSUED", "children": [], "timescale": None}}},
            ["case.timescale: null in a non-null field (Timescale!)"],
        ),
        (
            {
                "data": {
                    "case": {"id": "1", "stage": "LOST", "children": [], "timescale": {"daysRemaining": 1}}
                }
            },
            ["case.stage: 'LOST' is not a value of Stage"],
        ),
        (
            {
                "data": {
                    "case": {
                        "id": 1,
                        "stage": "ISSUED",
                        "children": [{"id": "c", "dateOfBirth": "2020-02-30"}],
                        "timescale": {"daysRemaining": 2**31},
                    }
                }
            },
            [
                "case.id: 1 is not a ID",
                "case.children.0.dateOfBirth: '2020-02-30' is not a Date",
                "case.timescale.daysRemaining: 2147483648 is not a Int",
            ],
        ),
        (
            {
                "data": {
                    "case": {"id": "1", "stage": "ISSUED", "children": {}, "timescale": {"daysRemaining": 1}}
                }
            },
            ["case.children: a list ([Child!]) should be a list, got {}"],
        ),
        (
            {"data": {"case": {"id": "1", "extra": 1}}},
            [
                "case: Case holds ['extra', 'id'], but the document selected "
                "['children', 'id', 'stage', 'timescale']"
            ],
        ),
        (
            {
                "data": {
                    "case": {"id": "1", "stage": "ISSUED", "children": [], "timescale": {"daysRemaining": 1}}
                },
                "errors": [{"message": "m", "path": ["case", "stage"]}],
            },
            ["an error's path ['case', 'stage'] holds a value"],
        ),
    ],
)
def test_the_judge_knows_a_wrong_answer(body: Mapping[str, Any], expected: Sequence[str]) -> None:
    assert conformance.problems(SCHEMA, parse(JUDGED), body) == list(expected)


def _answer(status: int, body: Any, media: str = JSON) -> httpx.Response:
    return httpx.Response(status, headers={"content-type": media}, content=json.dumps(body).encode())


ME = Sent("{ me { name } }", None, JSON)
REFUSED = {"errors": [{"message": "m", "extensions": {"code": "GRAPHQL_VALIDATION_FAILED"}}]}


@pytest.mark.parametrize(
    ("sent", "response", "expected"),
    [
        (ME, _answer(200, {"data": {"me": {"name": "Gina"}}}), []),
        (ME, _answer(200, REFUSED), []),
        (Sent(ME.query, None, GRAPHQL_RESPONSE), _answer(400, REFUSED, GRAPHQL_RESPONSE), []),
        (ME, _answer(400, REFUSED), ["status 400, not 200"]),
        (
            Sent(ME.query, None, GRAPHQL_RESPONSE),
            _answer(200, REFUSED, GRAPHQL_RESPONSE),
            ["status 200, not 400"],
        ),
        (
            ME,
            _answer(200, {"data": {"me": {"name": "Gina"}}}, GRAPHQL_RESPONSE),
            ["content-type 'application/graphql-response+json', asked for 'application/json'"],
        ),
        (
            ME,
            _answer(503, {"errors": [{"message": "m", "extensions": {"code": "UNAVAILABLE"}}]}),
            ["status 503"],
        ),
        (
            ME,
            _answer(
                200,
                {
                    "data": None,
                    "errors": [{"message": "m", "path": ["me"], "extensions": {"code": "INTERNAL"}}],
                },
            ),
            ["INTERNAL: m"],
        ),
        (
            ME,
            _answer(200, {"errors": [{"message": "m", "extensions": {"code": "OOPS"}}]}),
            ["an error without a stable code: {'message': 'm', 'extensions': {'code': 'OOPS'}}"],
        ),
        (ME, _answer(200, {"data": {"me": {}}}), ["me: Me holds [], but the document selected ['name']"]),
    ],
)
def test_the_judge_knows_a_wrong_status_or_error(
    sent: Sent, response: httpx.Response, expected: list[str]
) -> None:
    assert judge(sent, response) == expected


def test_moments_carry_their_offset() -> None:
    fits = conformance.scalar_fits
    assert fits("DateTime", "2024-01-01T10:00:00+00:00")
    assert not fits("DateTime", "2024-01-01T10:00:00")
    assert fits("Date", "2024-01-01")
    assert not fits("Date", "2024-01-01T00:00:00")
    assert not fits("Int", True)
    assert fits("Boolean", False)


def test_ids_follow_their_names() -> None:
    ids = Ids(
        {"proceedings": ["c"], "child": ["k"], "obligation": ["o"], "obligation_rule": ["r"], "person": ["p"]}
    )
    assert ids.tables_for("caseId", "logContact") == ["proceedings"]
    assert ids.tables_for("existingChildIds", "openProceedings") == ["child"]
    assert ids.tables_for("id", "waiveObligation") == ["obligation"]
    assert ids.tables_for("counterpartId", "logContact") == ["person"]
    assert ids.tables_for("evidenceId", "x") == []
