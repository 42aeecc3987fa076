"""Dates at the edges (issue 13, "The API holds against hostile and careless clients"): a date outside the
ones the portal handles (portal.validation.DATE_RANGE) is OUT_OF_RANGE on every argument and input field
that takes one, in a variable or a literal, and writes nothing; a date inside it computes, however far
from today; and the court papers' timings cost the same however long ago their period starts."""

from __future__ import annotations

import base64
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from graphql import (
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLScalarType,
    StringValueNode,
    get_named_type,
)
from models import Person, PersonRole, Role
from portal import calendar, clock
from portal.api.schema import schema
from portal.auth.actor import Via
from portal.auth.service import actor_for_person
from portal.dashboards import service as dashboards
from portal.db import create_session_factory
from portal.errors import DomainError, ErrorCode
from portal.synth import generate
from portal.validation import EARLIEST_DATE, LATEST_DATE
from tests.support.graphql import contact_input, gql
from tests.support.plans import statements
from tests.support.queries import row_counts
from tests.support.world import World

ADHERENCE = "query Adherence($start: Date!, $end: Date!) { adherence(start: $start, end: $end) { code } }"
TODAY = clock.today()


async def _post(client: httpx.AsyncClient, token: str, query: str, **variables: Any) -> dict[str, Any]:
    """POST a document of the test's own; the answer is always 200 with JSON."""
    response = await client.post(
        "/graphql",
        json={"query": query, "variables": variables},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200, response.text
    return response.json()


def _refusal(body: dict[str, Any]) -> tuple[str, str | None]:
    """The one error's code and field, having checked it names the range and that nothing ran."""
    assert "data" not in body  # refused before it ran
    [error] = body["errors"]
    assert "1 January 1900 and 31 December 2099" in error["message"]
    return error["extensions"]["code"], error["extensions"].get("field")


@pytest.mark.parametrize(
    ("start", "end", "field"),
    [("2020-01-01", "9999-12-31", "end"), ("0001-01-01", "2020-01-01", "start")],
)
async def test_a_period_beyond_the_portals_dates_is_out_of_range(
    client: httpx.AsyncClient, world: World, start: str, end: str, field: str
) -> None:
    """Issue 13: `adherence(end: "9999-12-31")` was INTERNAL (the day after the end overflowed), and a
    start in year 1 was computed; both are OUT_OF_RANGE, as variables and as literals alike."""
    token = await world.token("cafcass_manager")
    assert _refusal(await _post(client, token, ADHERENCE, start=start, end=end)) == ("OUT_OF_RANGE", field)
    literal = f'{{ adherence(start: "{start}", end: "{end}") {{ code }} }}'
    # A literal is refused while the document is validated, before any variable: no field to name.
    assert _refusal(await _post(client, token, literal))[0] == "OUT_OF_RANGE"
    # The named operation the dashboard page runs, with every section's period.
    body = await gql(client, token, "Adherence", start=start, end=end, by="NONE")
    assert [e["extensions"]["code"] for e in body["errors"]] == ["OUT_OF_RANGE"]


async def test_a_malformed_date_is_still_the_callers_mistake(client: httpx.AsyncClient, world: World) -> None:
    token = await world.token("cafcass_manager")
    body = await _post(client, token, ADHERENCE, start="2020-13-01", end="2020-12-31")
    assert [(e["extensions"]["code"], e["extensions"]["field"]) for e in body["errors"]] == [
        ("BAD_USER_INPUT", "start")
    ]
    body = await _post(client, token, '{ adherence(start: "yesterday", end: "2020-12-31") { code } }')
    assert [e["extensions"]["code"] for e in body["errors"]] == ["GRAPHQL_VALIDATION_FAILED"]


@pytest.mark.parametrize(
    "occurred_at", ["0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "1899-12-31T23:59:59"]
)
async def test_a_contact_beyond_the_portals_dates_is_out_of_range_and_writes_nothing(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine, occurred_at: str
) -> None:
    """Issue 13: LogContact with `occurredAt: "0001-01-01T00:00:00Z"` was INTERNAL (its time in England is
    before year 1); with 9999 it was refused only because it is in the future. Both, and a date-time with
    no offset just before 1900, are OUT_OF_RANGE, and nothing is stored."""
    case_id = await world.open_case()
    token = await world.token("guardian")
    before = await row_counts(engine)
    body = await gql(
        client, token, "LogContact", input=contact_input(world, case_id, "iro", occurredAt=occurred_at)
    )
    assert _refusal(body) == ("OUT_OF_RANGE", "input.occurredAt")
    assert await row_counts(engine) == before


@pytest.mark.parametrize(
    ("occurred_at", "code"),
    [("1900-01-01T00:00:00+14:00", "DATE_TOO_EARLY"), ("2099-12-31T23:59:59-12:00", "DATE_IN_FUTURE")],
)
async def test_a_contact_at_the_edges_of_the_portals_dates_is_checked_as_any_other(
    client: httpx.AsyncClient, world: World, occurred_at: str, code: str
) -> None:
    """The first and last moments the portal handles, with the widest offsets (1899 and 2100 in UTC):
    converted to England's time without overflowing, and refused by the rules, not by an error."""
    case_id = await world.open_case()
    token = await world.token("guardian")
    body = await gql(
        client, token, "LogContact", input=contact_input(world, case_id, "iro", occurredAt=occurred_at)
    )
    assert [(e["code"], e["field"]) for e in body["data"]["logContact"]["errors"]] == [(code, "occurredAt")]


async def test_the_dashboards_compute_over_the_whole_range_and_into_next_year(
    client: httpx.AsyncClient, world: World
) -> None:
    """Issue 13: the court papers' timings failed with an SQL syntax error (SQLite) for a period starting
    in a later year than the current one. Every section computes for next year, and for the whole range
    (its last day plus one is still a date)."""
    await world.open_case()
    token = await world.token("cafcass_manager")
    next_year = (date(TODAY.year + 1, 1, 1), date(TODAY.year + 1, 12, 31))
    for start, end in (next_year, (EARLIEST_DATE, LATEST_DATE)):
        body = await gql(client, token, "Adherence", start=start.isoformat(), end=end.isoformat(), by="NONE")
        assert "errors" not in body, body
        assert body["data"]["paperTimings"]["filed"] == 0
        cases = await gql(
            client,
            token,
            "DashboardCases",
            figure="PAPERS_FILED",
            start=start.isoformat(),
            end=end.isoformat(),
        )
        assert cases["data"]["dashboardCases"] == []


async def test_a_court_paper_period_starting_in_1900_costs_what_one_starting_last_year_does(
    engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 13: the court papers' timings looked at every day from the period's start to today, in Python
    and then in SQL (21.6 s of CPU for one request of 30 aliases from 1900). Now the statement carries the
    bank holidays of the days the papers were filed and opened on: a period starting in 1900 runs the same
    statements, with the same parameters, as one starting last year, and no day is looked at on its own."""
    sessions = create_session_factory(engine)
    async with sessions() as session, session.begin():
        await generate(session, scale=0.01, today=TODAY)  # papers filed in the last 300 days
        manager_id = (
            await session.execute(
                sa.select(Person.id).join(PersonRole).where(PersonRole.role == Role.CAFCASS_MANAGER).limit(1)
            )
        ).scalar_one()
    async with sessions() as session:
        actor = await actor_for_person(session, manager_id, via=Via.API)
    assert actor is not None

    def no_day_by_day(_day: date) -> object:
        raise AssertionError("a day looked at on its own")

    monkeypatch.setattr(calendar, "is_working_day", no_day_by_day)
    monkeypatch.setattr(calendar, "bank_holiday", no_day_by_day)

    async def timings(start: date) -> tuple[object, list[tuple[str, int]]]:
        async with statements(engine) as seen, sessions() as session:
            figures = await dashboards.papers(session, actor, start=start, end=TODAY, today=TODAY)
        return figures, [(statement, len(parameters)) for statement, parameters in seen]

    since_1900, cost_since_1900 = await timings(date(1900, 1, 1))
    since_last_year, cost_since_last_year = await timings(date(TODAY.year - 1, 1, 1))
    assert since_1900 == since_last_year  # no paper is older than last year
    assert getattr(since_1900, "median_working_days", None) is not None  # the timings were computed
    assert cost_since_1900 == cost_since_last_year


def _inputs() -> Iterator[tuple[str, GraphQLNamedType]]:
    """Every argument and input field of the schema, by name, with its named type."""
    for name, named in schema._schema.type_map.items():
        if name.startswith("__"):
            continue
        if isinstance(named, GraphQLObjectType | GraphQLInterfaceType):
            for field_name, field in named.fields.items():
                for argument, definition in field.args.items():
                    yield f"{name}.{field_name}({argument})", get_named_type(definition.type)
        elif isinstance(named, GraphQLInputObjectType):
            for field_name, input_field in named.fields.items():
                yield f"{name}.{field_name}", get_named_type(input_field.type)


# An ISO date and an ISO date-time, each with the ones just outside the range and the extremes.
OUTSIDE = {
    "2026-01-05": ["0001-01-01", "1899-12-31", "2100-01-01", "9999-12-31"],
    "2026-01-05T10:00:00Z": [
        "0001-01-01T00:00:00Z",
        "1899-12-31T23:59:59+01:00",
        "2100-01-01T00:00:00",
        "9999-12-31T23:59:59Z",
    ],
}


def _reads_as_a_date(scalar: GraphQLScalarType, text: str) -> bool:
    """Whether the scalar reads ``text`` as a date (as Date and DateTime do, and any scalar added later for
    dates would)."""
    try:
        return isinstance(scalar.parse_value(text), date)
    except Exception:  # a scalar that refuses it reads no such dates
        return False


def test_every_argument_and_input_field_that_takes_a_date_is_range_checked() -> None:
    """Issue 13: every field that takes a date refuses one outside the range with OUT_OF_RANGE, in a
    variable and in a literal. Generated from the schema, so the next date added is covered without anyone
    remembering to."""
    dated = {
        name: (
            scalar,
            [text for inside, texts in OUTSIDE.items() if _reads_as_a_date(scalar, inside) for text in texts],
        )
        for name, scalar in _inputs()
        if isinstance(scalar, GraphQLScalarType)
    }
    dated = {name: found for name, found in dated.items() if found[1]}
    assert {"Query.adherence(end)", "LogContactInput.occurredAt", "NewChildInput.dateOfBirth"} <= set(dated)
    assert {scalar.name for scalar, _ in dated.values()} == {"Date", "DateTime"}
    assert len(dated) >= 30  # when this was written
    for name, (scalar, outside) in dated.items():
        for text in outside:
            for parse in (scalar.parse_value, lambda t, s=scalar: s.parse_literal(StringValueNode(value=t))):
                with pytest.raises(DomainError) as refused:
                    parse(text)
                assert [p.code for p in refused.value.problems] == [ErrorCode.OUT_OF_RANGE], (name, text)


def test_the_date_scalars_read_and_write_as_before() -> None:
    """The same names and ISO 8601 text; a date-time without an offset stays without one (the contact
    service reads it as time in England); the first and last days are in."""
    date_scalar, datetime_scalar = (schema._schema.type_map[name] for name in ("Date", "DateTime"))
    assert isinstance(date_scalar, GraphQLScalarType)
    assert isinstance(datetime_scalar, GraphQLScalarType)
    assert date_scalar.parse_value("1900-01-01") == EARLIEST_DATE
    assert date_scalar.parse_value("2099-12-31") == LATEST_DATE
    assert date_scalar.serialize(date(2026, 4, 3)) == "2026-04-03"
    assert datetime_scalar.parse_value("2026-06-01T10:00:00") == datetime(2026, 6, 1, 10)
    assert datetime_scalar.parse_value("2099-12-31T23:59:59-12:00") == datetime(
        2099, 12, 31, 23, 59, 59, tzinfo=timezone(timedelta(hours=-12))
    )
    moment = datetime(2026, 6, 1, 9, 30, tzinfo=UTC)
    assert datetime_scalar.serialize(moment) == "2026-06-01T09:30:00+00:00"
    with pytest.raises(Exception, match="Value cannot represent a Date"):
        date_scalar.parse_value("2026-02-30")


@pytest.mark.parametrize("at", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00"])
async def test_a_cursor_forged_beyond_the_portals_dates_is_not_a_cursor(
    client: httpx.AsyncClient, world: World, at: str
) -> None:
    """Issue 13: a cursor is opaque, but one forged with a time at year 1 or 9999 was INTERNAL on PostgreSQL
    (asyncpg cannot send it in UTC); it is not a cursor from the list."""
    case_id = await world.open_case()
    token = await world.token("cafcass_manager")
    cursor = base64.urlsafe_b64encode(f"{at}|{uuid.uuid4()}".encode()).decode()
    body = await gql(client, token, "AccessLog", id=str(case_id), after=cursor)
    assert [(e["extensions"]["code"], e["extensions"]["field"]) for e in body["errors"]] == [
        ("INVALID_VALUE", "after")
    ]
