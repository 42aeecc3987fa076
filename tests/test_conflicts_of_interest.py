"""Conflicts of interest between an IRO and a child (issue 19; RESEARCH-NOTES.md §1.1, §5.1; IRO Handbook
2.18): recorded by the IRO manager or declared by the IRO, audited and shown to the manager; assigning that
IRO to the child is refused (CONFLICT_OF_INTEREST) unless acknowledged, and the acknowledgement is kept; a
conflict recorded for the child's IRO now is flagged to the manager by a link-only email."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from models import AuditEvent, ConflictOfInterest, LegalStatus, OutboxMessage
from portal.cases.repository import case_children
from portal.db import create_session_factory
from tests.support.graphql import gql, payload_codes
from tests.support.world import World


async def _case(world: World) -> tuple[str, str, str]:
    """A case of Amy and Ben, whose IRO is Ivan: its id and the children's."""
    case_id = await world.open_case(
        [("Amy", LegalStatus.INTERIM_CARE_ORDER), ("Ben", LegalStatus.INTERIM_CARE_ORDER)]
    )
    async with world.sessions() as session:
        amy, ben = await case_children(session, case_id)
    return str(case_id), str(amy.id), str(ben.id)


async def _record(client: httpx.AsyncClient, world: World, who: str, **input: Any) -> dict[str, Any]:
    body = await gql(client, await world.token(who), "RecordConflictOfInterest", input=input)
    payload: dict[str, Any] = body["data"]["recordConflictOfInterest"]
    return payload


async def _assign(client: httpx.AsyncClient, world: World, **input: Any) -> dict[str, Any]:
    body = await gql(client, await world.token("iro_manager"), "AssignIro", input=input)
    payload: dict[str, Any] = body["data"]["assignIro"]
    return payload


async def _emails(engine: AsyncEngine) -> list[tuple[str, str, str]]:
    async with create_session_factory(engine)() as session:
        rows = await session.execute(
            sa.select(OutboxMessage.to_address, OutboxMessage.body, OutboxMessage.link_path).where(
                OutboxMessage.kind == "conflict_of_interest.flagged"
            )
        )
        return [(to, body, link) for to, body, link in rows.all()]


async def test_an_iro_with_a_conflict_is_assigned_only_when_it_is_acknowledged(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine
) -> None:
    case_id, amy, ben = await _case(world)
    recorded = await _record(
        client,
        world,
        "iro_manager",
        caseId=case_id,
        childId=amy,
        iroId=str(world.id("iro2")),
        kind="FOSTERING_REVIEWER",
        details="Reviews the Smiths, Amy's carers",
    )
    assert recorded["errors"] == []
    # Iris is not Amy's IRO: nothing to flag.
    assert await _emails(engine) == []
    refused = await _assign(
        client, world, caseId=case_id, personId=str(world.id("iro2")), reallocationReason="Leave"
    )
    assert payload_codes(refused) == [("CONFLICT_OF_INTEREST", "conflictAcknowledged")]
    assert "reviews Amy's foster carer: Reviews the Smiths, Amy's carers" in refused["errors"][0]["message"]
    # For Ben alone there is no conflict.
    only_ben = await _assign(
        client,
        world,
        caseId=case_id,
        personId=str(world.id("iro2")),
        childIds=[ben],
        reallocationReason="Leave",
    )
    assert only_ben["errors"] == []
    done = await _assign(
        client,
        world,
        caseId=case_id,
        personId=str(world.id("iro2")),
        childIds=[amy],
        reallocationReason="Leave",
        conflictAcknowledged=True,
    )
    assert done["errors"] == []
    assert {c["id"]: c["iro"]["name"] for c in done["case"]["children"]} == {
        amy: "Iris Second",
        ben: "Iris Second",
    }
    async with create_session_factory(engine)() as session:
        conflict = await session.get(ConflictOfInterest, uuid.UUID(recorded["conflict"]["id"]))
        assert conflict is not None
        assert conflict.acknowledged_by_id == world.id("iro_manager")
        actions = (
            await session.scalars(
                sa.select(AuditEvent.action)
                .where(AuditEvent.subject_id == conflict.id)
                .order_by(AuditEvent.id)
            )
        ).all()
    assert sorted(actions) == ["conflict_of_interest.acknowledge", "conflict_of_interest.record"]
    # Now assigned with the conflict standing, the manager's list flags it.
    loads = (await gql(client, await world.token("iro_manager"), "IroWorkload"))["data"]["iroWorkload"]
    iris = next(load for load in loads if load["name"] == "Iris Second")
    assert [(c["childName"], c["iroAssigned"], c["conflict"]["kind"]) for c in iris["conflicts"]] == [
        ("Amy Example", True, "FOSTERING_REVIEWER")
    ]


async def test_an_iro_declares_their_own_and_their_manager_is_told(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine
) -> None:
    case_id, amy, _ = await _case(world)
    declared = await _record(client, world, "iro", caseId=case_id, childId=amy, kind="CHILDS_SOCIAL_WORKER")
    assert declared["errors"] == []
    assert declared["conflict"]["iroId"] == str(world.id("iro"))
    # Ivan is Amy's IRO now: flagged to Imogen, with a link and nothing of the case.
    [(to, body, link)] = await _emails(engine)
    assert to == world.people["iro_manager"].email
    assert link == "/workloads"
    assert "Amy" not in body
    assert "Example" not in body
    again = await _record(client, world, "iro", caseId=case_id, childId=amy, kind="CHILDS_SOCIAL_WORKER")
    assert payload_codes(again) == [("DUPLICATE", "kind")]
    # For someone else: not theirs to declare. Anyone off the case or out of scope finds no case.
    other = await _record(
        client, world, "iro", caseId=case_id, childId=amy, iroId=str(world.id("iro2")), kind="OTHER"
    )
    assert payload_codes(other) == [("NOT_PERMITTED", "iroId"), ("REQUIRED", "details")]
    for who in ("guardian", "iro2", "other_iro_manager", "solicitor"):
        refused = await _record(client, world, who, caseId=case_id, childId=amy, kind="FOSTERING_REVIEWER")
        assert payload_codes(refused) == [("NOT_FOUND", None)], who
    # Withdrawn with a reason, it is gone from the manager's list.
    token = await world.token("iro")
    missing = await gql(
        client, token, "WithdrawConflictOfInterest", input={"id": declared["conflict"]["id"], "reason": " "}
    )
    assert payload_codes(missing["data"]["withdrawConflictOfInterest"]) == [("REQUIRED", "reason")]
    withdrawn = await gql(
        client,
        token,
        "WithdrawConflictOfInterest",
        input={"id": declared["conflict"]["id"], "reason": "Mistaken"},
    )
    assert withdrawn["data"]["withdrawConflictOfInterest"]["conflict"]["withdrawnReason"] == "Mistaken"
    loads = (await gql(client, await world.token("iro_manager"), "IroWorkload"))["data"]["iroWorkload"]
    assert all(load["conflicts"] == [] for load in loads)
