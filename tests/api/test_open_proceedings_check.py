"""openProceedingsCheck: every problem openProceedings would find, found without opening anything, so a form
can check the answers before its check-your-answers page (opening starts the 26-week clock)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import httpx
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from models import AuditEvent, Child, Proceedings
from tests.support.graphql import gql
from tests.support.world import World


def _input(world: World, **changes: Any) -> dict[str, Any]:
    issued = (date.today() - timedelta(days=2)).isoformat()
    child = {
        "givenName": "Cal",
        "familyName": "Example",
        "dateOfBirth": "2022-01-01",
        "legalStatus": "INTERIM_CARE_ORDER",
        "lookedAfterSince": issued,
    }
    return {
        "courtId": str(world.orgs["court"].id),
        "caseNumber": "RV26C00800",
        "issuedOn": issued,
        "newChildren": [child, {**child, "givenName": "Dee"}],
        **changes,
    }


async def _rows(engine: AsyncEngine) -> tuple[int, int, int]:
    async with engine.connect() as connection:
        counts = [
            (await connection.execute(sa.select(sa.func.count()).select_from(table))).scalar_one()
            for table in (Proceedings, Child)
        ]
        # Using the token is audited, whatever it asks: every other event counts.
        events = sa.select(sa.func.count()).where(AuditEvent.action != "token.use")
        counts.append((await connection.execute(events)).scalar_one())
    return counts[0], counts[1], counts[2]


async def test_a_valid_input_has_no_problems_and_nothing_is_written(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine
) -> None:
    token = await world.token("solicitor")
    before = await _rows(engine)
    body = await gql(client, token, "CheckOpenProceedings", input=_input(world))
    assert body["data"]["openProceedingsCheck"]["errors"] == []
    assert await _rows(engine) == before  # no case, no child, no audit event of either
    opened = await gql(client, token, "OpenProceedings", input=_input(world))
    assert opened["data"]["openProceedings"]["errors"] == []


async def test_every_problem_is_found_at_once_with_its_field(client: httpx.AsyncClient, world: World) -> None:
    token = await world.token("solicitor")
    await gql(client, token, "OpenProceedings", input=_input(world))
    children = [
        {"givenName": "", "familyName": "Example", "dateOfBirth": None, "legalStatus": "CARE_ORDER"},
        {"givenName": "Dee", "familyName": "", "dateOfBirth": "2022-01-01", "legalStatus": None},
    ]
    body = await gql(
        client, token, "CheckOpenProceedings", input=_input(world, issuedOn=None, newChildren=children)
    )
    found = {(e["field"], e["code"]) for e in body["data"]["openProceedingsCheck"]["errors"]}
    assert found == {
        ("caseNumber", "DUPLICATE"),  # the same case number as the proceedings just opened
        ("issuedOn", "REQUIRED"),
        ("newChildren.0.givenName", "REQUIRED"),
        ("newChildren.0.dateOfBirth", "REQUIRED"),
        ("newChildren.0.lookedAfterSince", "REQUIRED"),
        ("newChildren.1.familyName", "REQUIRED"),
        ("newChildren.1.legalStatus", "REQUIRED"),
    }


async def test_only_an_la_solicitor_may_check(client: httpx.AsyncClient, world: World) -> None:
    for who in ("guardian", "iro", "iro_manager", "admin"):
        body = await gql(client, await world.token(who), "CheckOpenProceedings", input=_input(world))
        codes = [e["code"] for e in body["data"]["openProceedingsCheck"]["errors"]]
        assert codes == ["NOT_PERMITTED"], who
