"""The audit trail: every read and write recorded, append-only, hash-chained, and verified by
``portal audit verify``, which names the first broken row."""

from __future__ import annotations

import asyncio
import uuid

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from models import AuditEvent
from portal.audit.chain import verify
from tests.support.graphql import gql, log_contact
from tests.support.queries import audit_triggers_set_aside
from tests.support.world import World


async def _trail(client: httpx.AsyncClient, world: World) -> uuid.UUID:
    """A little history: a case opened and allocated, read by both sides, a contact logged."""
    case_id = await world.open_case()
    for who in ("guardian", "iro", "solicitor"):
        await gql(client, await world.token(who), "CaseView", id=str(case_id))
    await log_contact(client, world, "guardian", "iro", case_id)
    return case_id


async def _tamper(engine: AsyncEngine, statement: str, **params: object) -> None:
    """What someone with the database owner's rights could do: set the triggers aside and change a row."""
    async with engine.begin() as connection, audit_triggers_set_aside(connection):
        await connection.execute(sa.text(statement), params)


async def _verdict(engine: AsyncEngine):
    async with AsyncSession(engine) as session:
        return await verify(session)


async def test_an_untouched_trail_verifies(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine, portal, capsys: pytest.CaptureFixture[str]
) -> None:
    await _trail(client, world)
    verdict = await _verdict(engine)
    assert verdict.clean
    assert verdict.rows >= 8
    status, out, _ = await portal(capsys, "audit", "verify")
    assert status == 0
    assert f"{verdict.rows} rows, none altered or removed" in out


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("action", "'case.list'"),
        ("source", "'10.0.0.1'"),
        ("outcome", "'refused'"),
        ("acting_as", "'iro_manager'"),
    ],
)
async def test_altering_one_field_of_one_row_is_reported(
    client: httpx.AsyncClient,
    world: World,
    engine: AsyncEngine,
    portal,
    capsys: pytest.CaptureFixture[str],
    column: str,
    value: str,
) -> None:
    await _trail(client, world)
    await _tamper(engine, f"UPDATE audit_event SET {column} = {value} WHERE seq = 5")
    status, _, err = await portal(capsys, "audit", "verify")
    assert status != 0
    assert "row 5 " in err
    assert "altered" in err


async def test_altering_the_person_is_reported(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine
) -> None:
    await _trail(client, world)
    await _tamper(
        engine,
        "UPDATE audit_event SET person_id = :someone WHERE seq = 6",
        someone=world.id("other_iro").hex if engine.dialect.name == "sqlite" else world.id("other_iro"),
    )
    verdict = await _verdict(engine)
    assert verdict.problem is not None
    assert verdict.problem.startswith("row 6 ")


@pytest.mark.parametrize("which", ["middle", "last"])
async def test_deleting_one_row_is_reported(
    client: httpx.AsyncClient,
    world: World,
    engine: AsyncEngine,
    portal,
    capsys: pytest.CaptureFixture[str],
    which: str,
) -> None:
    await _trail(client, world)
    last = (await _verdict(engine)).rows
    seq = 4 if which == "middle" else last
    await _tamper(engine, f"DELETE FROM audit_event WHERE seq = {seq}")
    status, _, err = await portal(capsys, "audit", "verify")
    assert status != 0
    assert (
        f"row {seq} is missing" in err
        if which == "middle"
        else f"rows {seq} to {seq} have been removed" in err
    )


@pytest.mark.parametrize("statement", ["UPDATE audit_event SET action = 'x'", "DELETE FROM audit_event"])
async def test_the_database_refuses_to_change_the_trail(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine, statement: str
) -> None:
    await _trail(client, world)
    with pytest.raises(DBAPIError, match="append-only"):
        async with engine.begin() as connection:
            await connection.execute(sa.text(statement))


async def test_concurrent_requests_chain_one_after_another(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine
) -> None:
    case_id = await world.open_case()
    tokens = [await world.token(who) for who in ("guardian", "iro", "solicitor", "cafcass_manager")]
    await asyncio.gather(*(gql(client, tokens[n % 4], "CaseView", id=str(case_id)) for n in range(12)))
    verdict = await _verdict(engine)
    assert verdict.clean, verdict.problem


async def test_a_refusal_is_kept_though_the_request_wrote_nothing(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine
) -> None:
    case_id = await world.open_case()
    await log_contact(client, world, "guardian2", "iro", case_id)  # not their case
    async with AsyncSession(engine) as session:
        [event] = (
            (
                await session.execute(
                    sa.select(AuditEvent).where(AuditEvent.person_id == world.id("guardian2"))
                )
            )
            .scalars()
            .all()
        )
    assert (event.action, event.outcome.value, event.case_id) == ("refused:contact:log", "refused", case_id)
    assert event.channel == "api"
    assert (await _verdict(engine)).clean
