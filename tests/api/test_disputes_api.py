"""Disputes over the API (issue 17): a challenge from the IRO's case system, refused with every problem at
once and nothing kept; taken up the ladder to the manager named, who answers with a token of their own;
each seeing what DISPUTE_SIGHT shows them, and every read in the case's access log."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from models import AuditEvent, Dispute
from portal import clock
from tests.support.graphql import gql
from tests.support.world import World


def _challenge(case_id: str, **changes: Any) -> dict[str, Any]:
    return {
        "caseId": case_id,
        "subject": "PLACEMENT_MOVE",
        "summary": "An unplanned move against the review's decision.",
        "raisedWith": "The social worker",
        "resolutionSought": "Keep the placement until the review.",
        "soughtBy": clock.today().isoformat(),
        **changes,
    }


async def test_a_challenge_up_the_ladder_and_answered_over_the_api(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine
) -> None:
    case_id = str(await world.open_case())
    iro = await world.token("iro")
    refused = (
        await gql(
            client, iro, "RaiseChallenge", input=_challenge(case_id, summary=" ", soughtBy="2000-01-01")
        )
    )["data"]["raiseChallenge"]
    assert refused["dispute"] is None
    assert [(e["code"], e["field"]) for e in refused["errors"]] == [
        ("REQUIRED", "summary"),
        ("DATE_IN_PAST", "soughtBy"),
    ]
    async with AsyncSession(engine) as session:
        assert (await session.scalars(sa.select(Dispute))).all() == []

    raised = (await gql(client, iro, "RaiseChallenge", input=_challenge(case_id)))["data"]["raiseChallenge"]
    assert raised["errors"] == []
    dispute = raised["dispute"]
    assert (dispute["state"], dispute["stage"], dispute["viewerCan"]["manage"]) == ("INFORMAL", 0, True)
    escalated = (
        await gql(
            client,
            iro,
            "EscalateDispute",
            input={"disputeId": dispute["id"], "answererId": str(world.id("team_manager")), "reason": "No"},
        )
    )["data"]["escalateDispute"]
    assert escalated["errors"] == []
    assert [(s["position"], s["answererPost"]) for s in escalated["dispute"]["stages"]] == [
        (1, "Team manager")
    ]

    manager = await world.token("team_manager")
    mine = (await gql(client, manager, "Disputes"))["data"]["disputes"]
    assert [(d["id"], d["viewerCan"]["answer"]) for d in mine] == [(dispute["id"], True)]
    # One case's: this case's, none of another's.
    other = str(await world.open_case())
    for token in (iro, manager):
        assert [
            d["id"] for d in (await gql(client, token, "Disputes", caseId=case_id))["data"]["disputes"]
        ] == [dispute["id"]]
        assert (await gql(client, token, "Disputes", caseId=other))["data"]["disputes"] == []
    answered = (
        await gql(client, manager, "AnswerDispute", input={"disputeId": dispute["id"], "text": "Agreed."})
    )["data"]["answerDispute"]
    assert answered["errors"] == []
    assert answered["dispute"]["stages"][0]["answeredAt"]

    whole = (await gql(client, await world.token("iro_manager"), "Dispute", id=dispute["id"]))["data"]
    assert whole["dispute"]["stages"][0]["answer"] == "Agreed."
    assert [n["kind"] for n in whole["dispute"]["notes"]] == ["raised", "escalated", "answered"]
    for who in ("social_worker", "guardian", "solicitor", "other_la_manager"):
        body = await gql(client, await world.token(who), "Dispute", id=dispute["id"])
        assert body["data"] is None
        assert [e["extensions"]["code"] for e in body["errors"]] == ["NOT_FOUND"], who
        assert (await gql(client, await world.token(who), "Disputes"))["data"]["disputes"] == []

    async with AsyncSession(engine) as session:
        looks = (
            await session.scalars(
                sa.select(AuditEvent.action).where(
                    AuditEvent.subject_id == uuid.UUID(dispute["id"]),
                    AuditEvent.action.like("case.dispute%"),
                )
            )
        ).all()
    assert sorted(set(looks)) == ["case.dispute", "case.dispute.list"]


async def test_the_iro_reads_the_ladder_a_challenge_would_follow_and_the_next_stage(
    client: httpx.AsyncClient, world: World
) -> None:
    case_id = str(await world.open_case())
    iro = await world.token("iro")
    ladder = (await gql(client, iro, "ChallengeForm", id=case_id))["data"]["caseDisputeLadder"]
    assert [s["answerer"] for s in ladder["stages"]][:2] == [
        "Team manager",
        "Service manager (raised by the IRO manager)",
    ]
    assert ladder["overallWorkingDays"] == 20
    for who in ("guardian", "solicitor", "iro_manager", "team_manager"):
        body = await gql(client, await world.token(who), "ChallengeForm", id=case_id)
        assert "NOT_FOUND" in [e["extensions"]["code"] for e in body["errors"]], who
    raised = (await gql(client, iro, "RaiseChallenge", input=_challenge(case_id)))["data"]["raiseChallenge"]
    dispute_id = raised["dispute"]["id"]
    shown = (await gql(client, iro, "Dispute", id=dispute_id))["data"]["dispute"]
    assert shown["nextStage"] == {"position": 1, "answerer": "Team manager", "workingDays": 5}
    await gql(
        client,
        iro,
        "ResolveDispute",
        input={"disputeId": dispute_id, "resolution": "Settled with the social worker."},
    )
    assert (await gql(client, iro, "Dispute", id=dispute_id))["data"]["dispute"]["nextStage"] is None
