"""Retention (issue 16; PROTOCOL.md §6): a concluded case is kept under its local authority's rule (by default
until the youngest child's 75th birthday), legal holds stop its deletion, and the clock deletes it the day
after, audited, with everything recorded under it and its files, leaving every other case as it was and the
audit trail verifying."""

from __future__ import annotations

import asyncio
import json
import os
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

import models
from models import AuditEvent, Child, DeletedCase, Handover, HandoverState, Organisation, PaperVersion
from portal import clock
from portal.audit.chain import verify
from portal.audit.checkpoints import checkpoint_store
from portal.audit.sealer import sealer_for
from portal.db import create_session_factory
from portal.reminders.service import tick
from portal.retention import repository, service
from portal.retention.policy import add_years, kept_until
from portal.settings import Settings
from portal.storage import blob_store
from portal.storage.local import LocalBlobStore
from tests.support import files
from tests.support.graphql import gql, log_contact
from tests.support.world import World
from tests.test_papers import filed
from tests.web.test_downloads import ended_with_a_handover


def test_the_default_keeps_a_case_until_the_youngest_childs_75th_birthday() -> None:
    """PROTOCOL.md §6, the Care Planning etc. Regulations 2010 reg 50: the youngest child decides; an
    authority's own rule counts years from the conclusion instead."""
    born = [date(2019, 5, 2), date(2021, 11, 30)]
    assert kept_until(date(2026, 6, 1), born, None) == date(2096, 11, 30)
    assert kept_until(date(2026, 6, 1), born, 15) == date(2041, 6, 1)


def test_a_leap_day_moves_to_the_later_day() -> None:
    """Never a day early: 29 February is followed by 1 March in a year without one."""
    assert add_years(date(2024, 2, 29), 1) == date(2025, 3, 1)
    assert add_years(date(2024, 2, 29), 4) == date(2028, 2, 29)
    assert add_years(date(2025, 3, 1), -1) == date(2024, 3, 1)


def _frozen(value: Any) -> Any:
    return json.dumps(value, sort_keys=True) if isinstance(value, dict | list) else value


async def _everything(engine: AsyncEngine) -> dict[str, set[tuple[Any, ...]]]:
    async with engine.connect() as connection:
        return {
            table.name: {tuple(map(_frozen, row)) for row in await connection.execute(sa.select(table))}
            for table in models.metadata.sorted_tables
        }


async def _set_rule(engine: AsyncEngine, world: World, years: int | None) -> None:
    async with engine.begin() as connection:
        await connection.execute(
            sa.update(Organisation)
            .where(Organisation.id == world.orgs["riverside"].id)
            .values(keep_concluded_years=years)
        )


def _tick_on(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 12, tzinfo=UTC)


async def _case_exists(engine: AsyncEngine, case_id: uuid.UUID | str) -> bool:
    async with engine.connect() as connection:
        found = await connection.scalar(
            sa.select(sa.func.count())
            .select_from(models.Proceedings)
            .where(models.Proceedings.id == uuid.UUID(str(case_id)))
        )
    return bool(found)


async def test_the_clock_deletes_a_case_past_its_rule_with_its_files_and_nothing_else(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine, settings: Settings
) -> None:
    """A concluded case with a submitted handover, contacts and a filed paper, under a rule of one year: kept
    on its last day, deleted the day after with its children and its file, audited by the clock; the other
    case (open, sharing nothing) is untouched row for row, and the audit trail still verifies."""
    gone = uuid.UUID(await ended_with_a_handover(client, world))
    await log_contact(client, world, "guardian", "iro", gone)
    other = await world.open_case()
    await log_contact(client, world, "iro", "guardian", other)
    await filed(client, world, other, files.PDF + b"%other", name="other.pdf")
    await _set_rule(engine, world, 1)
    sessions = create_session_factory(engine)
    await sealer_for(sessions, settings).run_once(checkpoint=True)
    async with engine.connect() as connection:
        digests = set(
            await connection.scalars(
                sa.select(PaperVersion.sha256).where(PaperVersion.proceedings_id == gone)
            )
        )
    assert digests

    last_day = add_years(clock.today(), 1)
    await tick(sessions, settings, _tick_on(last_day))
    assert await _case_exists(engine, gone)

    # Its files are as old as the case (the sweep leaves a file younger than an hour: it may be one whose
    # record is still being written).
    _age_files(settings, timedelta(hours=2))
    before = await _everything(engine)
    report = await tick(sessions, settings, _tick_on(last_day + timedelta(days=1)))
    assert report.deleted == 1
    after = await _everything(engine)

    assert not await _case_exists(engine, gone)
    # Everything of the other case is as it was; what went belonged to the deleted one (or is the clock's own
    # record: the deletion, its audit event, email state, the clock's stamps, the view versions).
    ids = {str(gone), gone.hex, gone}
    skipped = {"audit_event", "audit_queue", "deleted_case", "outbox_message", "obligation", "view_version"}
    for table in models.metadata.sorted_tables:
        if table.name in skipped:
            continue
        assert after[table.name] <= before[table.name], table.name
    assert after["proceedings"] == {r for r in before["proceedings"] if r[0] != gone}
    assert any(r for r in before["handover"])
    assert not any(r for r in after["handover"] if r[_at("handover", "proceedings_id")] in ids)
    remaining = {r[_at("child", "id")] for r in after["child"]}
    assert len(remaining) == len(before["child"]) - 1
    for name in ("contact", "court_paper", "paper_version", "obligation", "case_membership"):
        column = _at(name, "proceedings_id")
        assert not [r for r in after[name] if r[column] == gone], name
        assert [r for r in after[name] if r[column] == other], name

    async with AsyncSession(engine) as session:
        deleted = await session.get(DeletedCase, gone)
        assert deleted is not None
        assert deleted.kept_until == last_day
        assert deleted.records > 20
        events = list(
            await session.scalars(
                sa.select(AuditEvent).where(AuditEvent.action == "case.delete_under_retention")
            )
        )
        assert [(e.case_id, e.channel, e.person_id) for e in events] == [(gone, "clock", None)]
    store = blob_store(settings)
    try:
        assert not [d for d in digests if await store.exists(d)]
        kept = {r[_at("paper_version", "sha256")] for r in after["paper_version"]}
        assert kept
        assert all([await store.exists(d) for d in kept])
    finally:
        await store.close()

    await sealer_for(sessions, settings).run_once(checkpoint=True)
    async with AsyncSession(engine) as session:
        verdict = await verify(session, settings.audit_keyring, await checkpoint_store(settings).latest())
    assert verdict.problem is None
    assert verdict.rows > 0


def _age_files(settings: Settings, by: timedelta) -> None:
    store = blob_store(settings)
    assert isinstance(store, LocalBlobStore)
    then = time.time() - by.total_seconds()
    for path in (store.root / "blobs").glob("*/*/*"):
        os.utime(path, (then, then))


def _at(table: str, column: str) -> int:
    return list(models.metadata.tables[table].columns.keys()).index(column)


async def _born(engine: AsyncEngine, case_id: uuid.UUID, *born: date) -> None:
    """Give the case's children these dates of birth."""
    async with engine.begin() as connection:
        children = list(
            await connection.scalars(
                sa.select(models.ProceedingsChild.child_id).where(
                    models.ProceedingsChild.proceedings_id == case_id
                )
            )
        )
        for child_id, day in zip(children, born, strict=True):
            await connection.execute(sa.update(Child).where(Child.id == child_id).values(date_of_birth=day))


async def test_by_default_the_youngest_childs_75th_birthday_decides(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine, settings: Settings
) -> None:
    """With no rule of the authority's own, a case is kept until its child's 75th birthday and deleted the
    day after (dates of birth moved back for the test)."""
    case_id = await ended_with_a_handover(client, world)
    today = clock.today()
    sessions = create_session_factory(engine)
    await _born(engine, uuid.UUID(case_id), add_years(today, -75))
    assert (await tick(sessions, settings, _tick_on(today))).deleted == 0
    view = (await gql(client, await world.token("solicitor"), "CaseRetention", id=case_id))["data"]["case"]
    assert view["retention"]["keptUntil"] == today.isoformat()
    assert view["retention"]["rule"].startswith("Until the youngest child's 75th birthday")
    assert (await tick(sessions, settings, _tick_on(today + timedelta(days=1)))).deleted == 1
    assert not await _case_exists(engine, case_id)


async def test_a_legal_hold_keeps_the_case_until_it_is_lifted(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine, settings: Settings
) -> None:
    """The LA solicitor places a hold: the clock keeps the case however long past its date; a second hold
    from the IRO manager keeps it after the first is lifted; once both are lifted it goes. Each placing and
    lifting is on the case's audit trail."""
    case_id = await ended_with_a_handover(client, world)
    await _set_rule(engine, world, 1)
    sessions = create_session_factory(engine)
    solicitor, manager = await world.token("solicitor"), await world.token("iro_manager")
    first = await gql(
        client, solicitor, "PlaceLegalHold", input={"caseId": case_id, "reason": " Litigation "}
    )
    assert first["data"]["placeLegalHold"]["errors"] == []
    second = await gql(client, manager, "PlaceLegalHold", input={"caseId": case_id, "reason": "Complaint"})
    holds = [first["data"]["placeLegalHold"]["legalHold"], second["data"]["placeLegalHold"]["legalHold"]]
    assert holds[0]["reason"] == "Litigation"
    later = add_years(clock.today(), 5)

    assert (await tick(sessions, settings, _tick_on(later))).deleted == 0
    view = (await gql(client, solicitor, "CaseRetention", id=case_id))["data"]["case"]
    assert view["viewerCan"]["manageLegalHolds"]
    assert view["retention"]["held"]
    assert [h["placedBy"]["name"] for h in view["retention"]["legalHolds"]] == [
        "Sol Icitor",
        "Imogen Manager",
    ]

    lifted = await gql(client, solicitor, "LiftLegalHold", input={"id": holds[0]["id"], "reason": "Settled"})
    assert lifted["data"]["liftLegalHold"]["errors"] == []
    again = await gql(client, solicitor, "LiftLegalHold", input={"id": holds[0]["id"], "reason": "Settled"})
    assert [e["code"] for e in again["data"]["liftLegalHold"]["errors"]] == ["ALREADY_DONE"]
    assert (await tick(sessions, settings, _tick_on(later))).deleted == 0

    await gql(client, manager, "LiftLegalHold", input={"id": holds[1]["id"], "reason": "Closed"})
    assert (await tick(sessions, settings, _tick_on(later))).deleted == 1
    async with AsyncSession(engine) as session:
        actions = list(
            await session.scalars(
                sa.select(AuditEvent.action)
                .where(AuditEvent.case_id == uuid.UUID(case_id), AuditEvent.action.like("legal_hold.%"))
                .order_by(AuditEvent.occurred_at)
            )
        )
    assert actions == ["legal_hold.place", "legal_hold.place", "legal_hold.lift", "legal_hold.lift"]


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("solicitor", True),
        ("iro_manager", True),
        ("cafcass_manager", True),
        ("guardian", False),
        ("iro", False),
        ("social_worker", False),
        ("other_solicitor", False),
        ("other_iro_manager", False),
        ("admin", False),
    ],
)
async def test_who_may_place_a_legal_hold(
    client: httpx.AsyncClient, world: World, who: str, allowed: bool
) -> None:
    """The authority's lawyer on the case and the managers in whose scope it is; anyone else is told the case
    is not found, as if it did not exist."""
    case_id = str(await world.open_case())
    placed = await gql(
        client, await world.token(who), "PlaceLegalHold", input={"caseId": case_id, "reason": "Why"}
    )
    errors = placed["data"]["placeLegalHold"]["errors"]
    assert [e["code"] for e in errors] == ([] if allowed else ["NOT_FOUND"])


async def test_a_hold_needs_a_reason(client: httpx.AsyncClient, world: World) -> None:
    case_id = str(await world.open_case())
    solicitor = await world.token("solicitor")
    for reason, code in (("  ", "REQUIRED"), ("x" * 501, "TOO_LONG")):
        placed = await gql(client, solicitor, "PlaceLegalHold", input={"caseId": case_id, "reason": reason})
        assert [(e["code"], e["field"]) for e in placed["data"]["placeLegalHold"]["errors"]] == [
            (code, "reason")
        ]


async def test_a_hold_placed_after_the_clock_picked_the_case_keeps_it(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine
) -> None:
    """The clock checks again, with the case locked, in the transaction that deletes it."""
    case_id = uuid.UUID(await ended_with_a_handover(client, world))
    await _set_rule(engine, world, 1)
    day = add_years(clock.today(), 2)
    sessions = create_session_factory(engine)
    async with sessions() as session:
        assert [c.id for c in await repository.candidates(session, day, 10)] == [case_id]
    placed = await gql(
        client,
        await world.token("solicitor"),
        "PlaceLegalHold",
        input={"caseId": str(case_id), "reason": "Why"},
    )
    assert placed["data"]["placeLegalHold"]["errors"] == []
    async with sessions() as session, session.begin():
        assert await service._delete_if_due(session, case_id, day, datetime.now(UTC)) == 0
    assert await _case_exists(engine, case_id)


async def test_clocks_running_at_once_delete_each_case_once(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine, is_postgres: bool
) -> None:
    """Three clocks at once: every case due is deleted, each by one of them, with one audit event each."""
    cases = [uuid.UUID(await ended_with_a_handover(client, world)) for _ in range(3)]
    await _set_rule(engine, world, 1)
    day = add_years(clock.today(), 2)
    sessions = create_session_factory(engine)
    if is_postgres:
        counts = await asyncio.gather(*(service.delete_due(sessions, day) for _ in range(3)))
    else:  # one writer at a time: the clocks queue for the lock
        counts = [await service.delete_due(sessions, day) for _ in range(3)]
    assert sum(counts) == 3
    async with AsyncSession(engine) as session:
        events = list(
            await session.scalars(
                sa.select(AuditEvent.case_id).where(AuditEvent.action == "case.delete_under_retention")
            )
        )
    assert sorted(events) == sorted(cases)


async def test_a_submitted_handover_is_still_refused_deletion_on_its_own(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine
) -> None:
    """The database lets a submitted handover go only with its case, once the case's deletion is recorded in
    the same transaction; a DELETE of it alone is refused as before."""
    case_id = uuid.UUID(await ended_with_a_handover(client, world))
    with pytest.raises(DBAPIError, match="a submitted handover cannot be changed"):
        async with engine.begin() as connection:
            await connection.execute(sa.delete(Handover).where(Handover.proceedings_id == case_id))
    async with engine.connect() as connection:
        states = set(
            await connection.scalars(sa.select(Handover.state).where(Handover.proceedings_id == case_id))
        )
    assert HandoverState.SUBMITTED in states


async def test_administrators_set_their_authoritys_rule(client: httpx.AsyncClient, world: World) -> None:
    """The authority's administrator (or a national one) sets it, from 1 to 100 years or the default; an
    administrator elsewhere, anyone else, and a Cafcass service area get NOT_FOUND."""
    riverside = str(world.orgs["riverside"].id)
    admin = await world.token("admin")

    async def set_rule(token: str, years: int | None, organisation: str = riverside) -> list[str]:
        result = await gql(
            client,
            token,
            "SetRetentionRule",
            input={"organisationId": organisation, "keepYearsAfterConclusion": years},
        )
        return [e["code"] for e in result["data"]["setRetentionRule"]["errors"]]

    assert await set_rule(admin, 0) == ["OUT_OF_RANGE"]
    assert await set_rule(admin, 101) == ["OUT_OF_RANGE"]
    assert await set_rule(admin, 12) == []
    rule = (await gql(client, admin, "RetentionRule", organisationId=riverside))["data"]["retentionRule"]
    assert (rule["keepYearsAfterConclusion"], rule["rule"]) == (
        12,
        "12 years after the proceedings concluded",
    )
    assert "regulation 50" in rule["defaultSource"]
    assert await set_rule(await world.token("national_admin"), None) == []
    for who in ("iro_manager", "solicitor", "guardian"):
        assert await set_rule(await world.token(who), 5) == ["NOT_FOUND"]
    northmoor, cafcass = str(world.orgs["northmoor"].id), str(world.orgs["cafcass"].id)
    assert await set_rule(admin, 5, northmoor) == ["NOT_FOUND"]
    assert await set_rule(await world.token("national_admin"), 5, cafcass) == ["NOT_FOUND"]
    refused = await gql(client, await world.token("solicitor"), "RetentionRule", organisationId=riverside)
    assert refused["data"] is None
    assert refused["errors"][0]["extensions"]["code"] == "NOT_FOUND"
