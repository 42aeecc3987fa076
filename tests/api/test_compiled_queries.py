"""Trusted queries run from their plans (portal/api/compiled.py) give exactly what graphql-core gives, and
anything that goes wrong runs again through graphql-core, so errors are unchanged."""

from __future__ import annotations

import json
import uuid
from collections import Counter
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from graphql.execution.executor import Executor
from sqlalchemy.ext.asyncio import AsyncEngine

from graphql import NonNullTypeNode, OperationDefinitionNode, OperationType, parse
from models import AuditEvent, LegalStatus
from portal.api import compiled
from portal.api.context import Context
from portal.api.documents import Documents, documents_for
from portal.api.execution import execute
from portal.api.schema import schema
from portal.db import Intent, create_session_factory, unit_of_work
from portal.reports.annual import current_year
from portal.settings import Settings
from tests.support.graphql import OPERATIONS, error_codes, gql, log_contact
from tests.support.world import World


def _kind(text: str) -> OperationType:
    (operation,) = [d for d in parse(text).definitions if isinstance(d, OperationDefinitionNode)]
    return operation.operation


QUERIES = sorted(name for name, text in OPERATIONS.items() if _kind(text) is OperationType.QUERY)
# Those the portal's pages and clients lean on most: a change that stops compiling them must fail here.
MUST_COMPILE = {"CaseView", "MyCases", "MyTasks", "Adherence"}
# Who runs every query: the case's guardian and IRO, the managers over them, its authority's solicitor,
# an administrator, and a guardian from elsewhere who may see none of it.
PEOPLE = ("guardian", "iro", "cafcass_manager", "iro_manager", "solicitor", "admin", "other_guardian")


@pytest.fixture
def documents(settings: Settings) -> Documents:
    return documents_for(settings)


def test_every_trusted_query_compiles_and_nothing_else_does(documents: Documents) -> None:
    assert set(QUERIES) >= MUST_COMPILE
    assert documents.compiled == set(QUERIES)


def test_what_plans_do_not_do_is_left_to_graphql_core() -> None:
    built = schema._schema
    assert compiled.compile_query(built, parse(OPERATIONS["LogContact"])) is None
    for text in (
        "{ __schema { queryType { name } } }",
        "{ me { ... on Query { __typename } } }",
        "query A { me { id } } query B { me { name } }",
        "{ me { id } me: organisations { id } }",
        "query Q($x: Boolean!) { me { id @include(if: $x) id } }",
        "query Q($x: Boolean!) { me { ... @skip(if: $x) { id name } name } }",
        "{ me { ...M ...M } } fragment M on Me { id }",
        "{ me { id @defer } }",
    ):
        assert compiled.compile_query(built, parse(text)) is None, text
    for text in (
        "{ me { __typename ...M } } fragment M on Me { id }",
        "query Q($x: Boolean!) { me { ... on Me @skip(if: $x) { id } name @include(if: true) } }",
    ):
        assert compiled.compile_query(built, parse(text)) is not None, text


async def _seeded(client: httpx.AsyncClient, world: World) -> dict[str, Any]:
    """A case with two looked-after children, a guardian and an IRO, contacts both ways (some awaiting a
    reply) and a discussion record; another authority's case nobody here may see. The variables each
    query may take, by name: a query with a required variable missing here fails the test."""
    case_id = await world.open_case(
        [("Amy", LegalStatus.INTERIM_CARE_ORDER), ("Ben", LegalStatus.SECTION_20)]
    )
    elsewhere = await world.open_case(
        solicitor="other_solicitor", court="other_court", guardian=None, iro=None
    )
    await world.allocate(elsewhere, "other_guardian", manager="other_cafcass_manager")
    for n, (who, other) in enumerate((("guardian", "iro"), ("iro", "guardian"), ("guardian", "iro"))):
        logged = await log_contact(
            client, world, who, other, case_id, summary=f"Call {n}", replyExpected=n != 1
        )
        assert logged["errors"] == [], logged
    today = datetime.now(UTC).date().isoformat()
    discussion = {
        "caseId": str(case_id),
        "heldOn": today,
        "mode": "PHONE",
        "summary": "Talked about the plan.",
        "actions": [{"description": "Send the plan", "ownerId": str(world.id("guardian")), "dueOn": today}],
    }
    iro = await world.token("iro")
    recorded = await gql(client, iro, "RecordDiscussion", input=discussion)
    payload = recorded["data"]["recordDiscussion"]
    challenge = {
        "caseId": str(case_id),
        "subject": "CARE_PLAN",
        "summary": "Drift",
        "raisedWith": "The team manager",
        "resolutionSought": "A plan",
        "soughtBy": today,
    }
    dispute = (await gql(client, iro, "RaiseChallenge", input=challenge))["data"]["raiseChallenge"]["dispute"]
    referral = {"caseId": str(case_id), "ground": "FAMILY_LIFE", "grounds": "Contact", "stepsTaken": "LDRP"}
    referred = (await gql(client, iro, "ReferToCafcass", input=referral))["data"]["referToCafcass"][
        "referral"
    ]
    assert payload["errors"] == [], payload
    child = {
        "givenName": "Cal",
        "familyName": "Example",
        "dateOfBirth": "2024-01-01",
        "legalStatus": "INTERIM_CARE_ORDER",
        "lookedAfterSince": today,
    }
    return {
        "id": str(case_id),
        "discussionId": payload["discussion"]["id"],
        "ledgerSize": 2,
        "correcting": True,
        "guardians": True,
        "iros": True,
        "organisationId": str(world.orgs["riverside"].id),
        "start": "2020-01-01",
        "end": today,
        "by": "LOCAL_AUTHORITY",
        "code": "P3",
        "measure": "OPEN",
        "figure": "TRACKER_UNDER_13_WEEKS",
        "caseId": str(case_id),
        # An operation's own, where its variable's name means something else to the others.
        "by operation": {
            "Dispute": {"id": dispute["id"]},
            "ChildSummaries": {"id": dispute["id"]},
            "Referral": {"id": referred["id"]},
            "ReferralTimescale": {"organisationId": str(world.orgs["cafcass"].id)},
            "IroProfile": {"iroId": str(world.id("iro"))},
            # No review here: an empty list, for the IRO as for everyone (tests/test_review_decisions.py).
            "DecisionsToSettle": {"reviewId": str(case_id)},
            "MonthlyReport": {"year": datetime.now(UTC).year, "month": datetime.now(UTC).month},
            "AnnualReport": {"year": current_year(datetime.now(UTC).date())},
        },
        "input": {
            "courtId": str(world.orgs["court"].id),
            "caseNumber": "RV26C00900",
            "issuedOn": today,
            "newChildren": [child],
        },
    }


def _variables(name: str, values: dict[str, Any]) -> dict[str, Any]:
    (operation,) = [d for d in parse(OPERATIONS[name]).definitions if isinstance(d, OperationDefinitionNode)]
    chosen = {}
    values = {**values, **values["by operation"].get(name, {})}
    for definition in operation.variable_definitions or ():
        variable = definition.variable.name.value
        if variable in values:
            chosen[variable] = values[variable]
        else:
            assert not isinstance(definition.type, NonNullTypeNode), (
                f"${variable} of {name}: give it a value above"
            )
    return chosen


def _variants(name: str, values: dict[str, Any]) -> list[dict[str, Any]]:
    """The query's variables, and again with every Boolean one the other way (@include and @skip)."""
    chosen = _variables(name, values)
    flipped = {k: not v if isinstance(v, bool) else v for k, v in chosen.items()}
    return [chosen, flipped] if flipped != chosen else [chosen]


class Runs:
    """Runs a document as someone three ways, in one read-only unit of work (so each sees the same audit
    trail: the looks they record are written at its end), each with a context of its own."""

    def __init__(self, engine: AsyncEngine, settings: Settings, documents: Documents, world: World) -> None:
        self.sessions = create_session_factory(engine)
        self.settings, self.documents, self.world = settings, documents, world

    async def run(self, who: str, name: str, variables: dict[str, Any]) -> dict[str, tuple[str, str]]:
        """(data, errors) as JSON, by way: "graphql-core" (strawberry's schema.execute, as before),
        "entry" (portal/api/execution.py) and "planned" (the plan alone: data "null" when it gives up)."""
        actor = await self.world.actor(who)
        text = self.documents.trusted_text[name]
        plan = self.documents.plan(text, name)
        assert plan is not None
        answers = {}
        async with unit_of_work(self.sessions, Intent.READ) as uow:
            for how, run in (("graphql-core", schema.execute), ("entry", execute)):
                context = Context(settings=self.settings, uow=uow, actor=actor, documents=self.documents)
                result = await run(
                    text, variable_values=variables, context_value=context, operation_name=name
                )
                errors = [e.formatted for e in result.errors or ()]
                answers[how] = json.dumps(result.data), json.dumps(errors)
            context = Context(settings=self.settings, uow=uow, actor=actor, documents=self.documents)
            answers["planned"] = json.dumps(await compiled.run(plan, variables, context)), "[]"
        return answers


@pytest.fixture
def runs(engine: AsyncEngine, settings: Settings, documents: Documents, world: World) -> Runs:
    return Runs(engine, settings, documents, world)


async def test_every_compiled_query_answers_as_graphql_core_does(
    client: httpx.AsyncClient, world: World, runs: Runs
) -> None:
    values = await _seeded(client, world)
    planned, fell_back, mismatches = Counter[str](), Counter[str](), []
    for name, variables in ((n, v) for n in QUERIES for v in _variants(name=n, values=values)):
        for who in PEOPLE:
            answers = await runs.run(who, name, variables)
            data, errors = answers["graphql-core"]
            assert "INTERNAL" not in errors, (name, who, errors)
            if answers["entry"] != (data, errors):
                mismatches.append((name, who, "entry"))
            if errors == "[]":
                planned[name] += 1
                if answers["planned"] != (data, errors):
                    mismatches.append((name, who, "planned"))
            else:
                fell_back[name] += 1
                assert answers["planned"] == ("null", "[]"), (name, who)  # gave up; graphql-core answered
    assert mismatches == []
    # The main views ran from their plans for everyone who may see them, and the outsider got nothing.
    for name in MUST_COMPILE:
        assert planned[name] >= 2, (name, planned[name])
    assert len(planned) >= len(QUERIES) - 2, sorted(set(QUERIES) - set(planned))
    outsider = await runs.run("other_guardian", "CaseView", _variables("CaseView", values))
    assert json.loads(outsider["entry"][0]) == {"case": None}


@pytest.mark.parametrize(
    ("name", "variables", "code"),
    [
        ("CaseView", {"id": "not-an-id"}, "INVALID_ID"),
        ("CaseView", {"id": str(uuid.uuid4())}, "NOT_FOUND"),
        # Errors below the top: partial data, with the error's path inside the case.
        ("CaseView", {"ledgerSize": 0}, "OUT_OF_RANGE"),
        ("AccessLog", {"after": "not-a-cursor"}, "INVALID_VALUE"),
        # A variable the portal's dates cannot hold: refused as variables are coerced.
        ("Adherence", {"start": "0001-01-01"}, "OUT_OF_RANGE"),
        ("Adherence", {"by": "NOBODY"}, "BAD_USER_INPUT"),
    ],
)
async def test_errors_are_graphql_cores_whichever_way_in(
    client: httpx.AsyncClient, world: World, runs: Runs, name: str, variables: dict[str, Any], code: str
) -> None:
    values = await _seeded(client, world)
    variables = {**_variables(name, values), **variables}
    answers = await runs.run("cafcass_manager", name, variables)
    assert answers["entry"] == answers["graphql-core"]
    assert [e["extensions"]["code"] for e in json.loads(answers["entry"][1])] == [code]
    # The plan itself gave up rather than answer.
    assert answers["planned"] == ("null", "[]")


@pytest.fixture
def executor_fields(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """How many fields graphql-core's executor resolves, by field name."""
    seen = Counter[str]()
    execute_field = Executor.execute_field

    def counting(self: Executor, parent_type: Any, source: Any, details: Any, *args: Any) -> Any:
        seen[details[0].node.name.value] += 1
        return execute_field(self, parent_type, source, details, *args)

    monkeypatch.setattr(Executor, "execute_field", counting)
    return seen


async def test_the_main_views_do_not_enter_graphql_cores_executor(
    client: httpx.AsyncClient, world: World, executor_fields: Counter[str]
) -> None:
    values = await _seeded(client, world)
    executor_fields.clear()  # the mutations that seeded the case
    for name, who in (
        ("CaseView", "guardian"),
        ("MyCases", "iro"),
        ("MyTasks", "guardian"),
        ("Adherence", "cafcass_manager"),
    ):
        body = await gql(client, await world.token(who), name, **_variables(name, values))
        assert "errors" not in body, (name, body)
        assert body["data"], name
        assert executor_fields == Counter(), name
    # A mutation still goes through it (so the count above would see a query that did).
    await log_contact(client, world, "guardian", "iro", uuid.UUID(values["id"]))
    assert executor_fields["logContact"] == 1


async def test_a_request_that_falls_back_is_audited_as_before(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine
) -> None:
    values = await _seeded(client, world)

    async def events() -> Counter[tuple[str, uuid.UUID]]:
        async with engine.connect() as connection:
            rows = await connection.execute(sa.select(AuditEvent.action, AuditEvent.person_id))
            return Counter((action, person) for action, person in rows)

    before = await events()
    refused = await gql(client, await world.token("other_guardian"), "CaseView", id=values["id"])
    assert error_codes(refused) == ["NOT_FOUND"]
    partial = await gql(client, await world.token("guardian"), "CaseView", id=values["id"], ledgerSize=0)
    assert error_codes(partial) == ["OUT_OF_RANGE"]
    # One refusal and one look, not one for the plan's run and another for graphql-core's.
    new = await events() - before
    assert new[("refused:case:read", world.id("other_guardian"))] == 1
    assert new[("case.view", world.id("guardian"))] == 1


@pytest.mark.parametrize("skip", [True, False])
async def test_fragments_and_conditions_are_collected_as_graphql_core_collects_them(
    engine: AsyncEngine, settings: Settings, world: World, skip: bool
) -> None:
    text = """
        query Q($skip: Boolean!) {
          me { ... on Me @skip(if: $skip) { id } name __typename ...M roles @include(if: $skip) }
          organisations { ...O kind }
        }
        fragment M on Me { email organisation { name } }
        fragment O on Organisation { name id }
    """
    plan = compiled.compile_query(schema._schema, parse(text))
    assert plan is not None
    actor = await world.actor("guardian")
    async with unit_of_work(create_session_factory(engine), Intent.READ) as uow:
        context = Context(settings=settings, uow=uow, actor=actor)
        expected = await schema.execute(text, variable_values={"skip": skip}, context_value=context)
        context = Context(settings=settings, uow=uow, actor=actor)
        planned = await compiled.run(plan, {"skip": skip}, context)
    assert expected.errors is None
    assert json.dumps(planned) == json.dumps(expected.data)
