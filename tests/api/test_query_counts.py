"""Every operation's SQL statement count is bounded and does not grow with the data (no N+1)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy import event

from models import Contact, LegalStatus, OutboxMessage, OutboxState
from portal.reports.annual import current_year
from tests.support.graphql import OPERATIONS, contact_input, gql, log_contact
from tests.support.queries import QueryCounter
from tests.support.world import World

# Per request: the token (1) and its use (1), the actor (2), the operation's own statements (a case's view
# first reads its view versions: portal/api/reuse.py), then the audit trail's append at commit.
# The IRO's midpoint checks (issue 19) add 1.
CASE_VIEW_BOUND = 27
MY_CASES_BOUND = 15


async def _contacts(
    client: httpx.AsyncClient, world: World, case_id: uuid.UUID, count: int, iro: str = "iro"
) -> None:
    for n in range(count):
        who, other = ("guardian", iro) if n % 2 else (iro, "guardian")
        occurred = (datetime.now(UTC) - timedelta(hours=n + 1)).isoformat()
        payload = await log_contact(
            client,
            world,
            who,
            other,
            case_id,
            occurredAt=occurred,
            summary=f"Update {n}",
            replyExpected=n % 3 == 0,
        )
        assert payload["errors"] == []


async def _discussions_and_issues(
    client: httpx.AsyncClient, world: World, case_id: uuid.UUID, count: int, iro: str = "iro"
) -> None:
    """Discussion records with agreed actions, significant issues, significant changes and a review for each
    child."""
    token = await world.token(iro)
    today = datetime.now(UTC).date().isoformat()
    case = (await gql(client, token, "CaseView", id=str(case_id)))["data"]["case"]
    looked_after = [c["id"] for c in case["children"] if c["iro"] and c["iro"]["id"] == str(world.id(iro))]
    for n in range(count):
        actions = [
            {"description": f"Action {m}", "ownerId": str(world.id("guardian")), "dueOn": today}
            for m in range(3)
        ]
        for name, input in (
            (
                "RecordDiscussion",
                {
                    "caseId": str(case_id),
                    "heldOn": today,
                    "mode": "PHONE",
                    "summary": f"Talk {n}",
                    "actions": actions,
                },
            ),
            (
                "RecordSignificantIssue",
                {"caseId": str(case_id), "aroseOn": today, "meeting": "Review", "summary": f"Issue {n}"},
            ),
            # The IRO's introduction to a child (issue 19), changed as often as it is recorded.
            (
                "RecordIroIntroduction",
                {
                    "caseId": str(case_id),
                    "childId": looked_after[n % len(looked_after)],
                    "explainedOn": today,
                    "explainedHow": "MET_ALONE",
                    "keepingInTouch": f"Text me {n}",
                    "advocacyExplained": True,
                    "letterTo": "CHILD",
                },
            ),
            # A significant change the IRO records (SC): read for every case at once, whoever told of it.
            (
                "NotifySignificantChange",
                {
                    "caseId": str(case_id),
                    "childId": looked_after[n % len(looked_after)],
                    "kind": "PLACEMENT_MOVE",
                    "occurredOn": today,
                    "summary": f"Change {n}",
                },
            ),
        ):
            payload = next(iter((await gql(client, token, name, input=input))["data"].values()))
            assert payload["errors"] == [], payload
    booked = await gql(
        client,
        token,
        "ScheduleReview",
        input={"caseId": str(case_id), "childIds": looked_after, "reviewDate": today, "arrangements": "Here"},
    )
    assert booked["data"]["scheduleReview"]["errors"] == [], booked
    # Held, each with the child's participation (one private to the IRO): read for every review at once.
    for n, review in enumerate(booked["data"]["scheduleReview"]["reviews"]):
        await _change(client, world, iro, "RecordReviewHeld", id=review["id"], heldOn=today)
        await _change(
            client,
            world,
            iro,
            "RecordReviewParticipation",
            id=review["id"],
            attendance="ATTENDED",
            wishesAndFeelings=f"Wishes {n}",
            private=n == 0,
        )
        # With its decisions as actions (issue 18): read for every review at once too.
        owner = str(world.id("guardian"))
        await _change(
            client,
            world,
            iro,
            "RecordReviewDecisions",
            id=review["id"],
            decisions=[{"description": f"Act {n}.{m}", "ownerId": owner, "dueOn": today} for m in range(2)],
        )


async def _count(
    counter: QueryCounter, client: httpx.AsyncClient, token: str, name: str, **variables: object
) -> int:
    with counter() as statements:
        body = await gql(client, token, name, **variables)
    assert "errors" not in body, body
    # A token's last use is stamped at most once a minute, after the request: not part of its cost.
    return len([s for s in statements if not s.startswith("UPDATE api_token SET last_used_at")])


async def test_the_case_view_does_not_grow_with_children_members_or_contacts(
    client: httpx.AsyncClient, world: World, count_queries: QueryCounter
) -> None:
    small = await world.open_case()
    await _contacts(client, world, small, 1)
    large = await world.open_case(
        [(name, LegalStatus.INTERIM_CARE_ORDER) for name in ("A", "B", "C", "D")]
        + [("E", LegalStatus.INTERIM_SUPERVISION_ORDER)]
    )
    await world.allocate(large, "guardian2", reason="Reallocated")
    await world.assign_iro(large, "iro2", reason="Reallocated")
    await world.allocate(large, "guardian", reason="Back from leave")
    await _contacts(client, world, large, 25, iro="iro2")

    await _discussions_and_issues(client, world, small, 1)
    await _discussions_and_issues(client, world, large, 6, iro="iro2")

    token = await world.token("guardian")
    small_count = await _count(count_queries, client, token, "CaseView", id=str(small))
    large_count = await _count(count_queries, client, token, "CaseView", id=str(large))
    assert small_count == large_count <= CASE_VIEW_BOUND
    # The case page asks for the ledger's newest entries and its counts: as few statements, however long.
    small_page = await _count(count_queries, client, token, "CaseView", id=str(small), ledgerSize=20)
    large_page = await _count(count_queries, client, token, "CaseView", id=str(large), ledgerSize=20)
    assert small_page == large_page <= CASE_VIEW_BOUND


async def test_your_cases_does_not_grow_with_the_number_of_cases(
    client: httpx.AsyncClient, world: World, count_queries: QueryCounter
) -> None:
    token = await world.token("guardian")
    await world.open_case()
    few = await _count(count_queries, client, token, "MyCases")
    for _ in range(8):
        await world.open_case([("A", LegalStatus.INTERIM_CARE_ORDER), ("B", LegalStatus.SECTION_20)])
    many = await _count(count_queries, client, token, "MyCases")
    assert few == many <= MY_CASES_BOUND


# Every operation in graphql/operations/, with the statements it may take on a small case; the large-data
# tests above show the two read operations do not grow. Adding an operation without a bound fails below.
BOUNDS = {
    "Me": 10,
    "MyCases": MY_CASES_BOUND,
    "CaseView": CASE_VIEW_BOUND,
    "ContactForm": 14,
    "LogContact": 20,
    "MarkReply": 11,
    "OpenProceedings": 23,
    "CheckOpenProceedings": 12,
    "ProceedingsForm": 16,
    "LegalTasks": 14,
    "AllocateGuardian": 26,
    # An IRO's open conflicts of interest with the children (issue 19) add 1.
    "AssignIro": 27,
    "AssignSocialWorker": 18,
    "RecordExtension": 12,
    "AdvanceStage": 15,
    "RecordLegalStatus": 18,
    "AccessLog": 14,
    "ApiTokens": 9,
    "CreateApiToken": 11,
    "RevokeApiToken": 10,
    "Organisations": 9,
    "People": 11,
    "AddOrganisation": 11,
    "AddPerson": 14,
    "UpdatePerson": 12,
    "ObligationRules": 10,
    "OverrideObligationRule": 14,
    "WaiveObligation": 14,
    "RecordConsultationArrangement": 17,
    "ArrangementForm": 11,
    "MyTasks": 14,
    "ScheduleReview": 31,
    "RescheduleReview": 16,
    "TellGuardianOfReview": 19,
    "RecordReviewHeld": 35,
    "ShareReviewRecord": 19,
    "RecordReviewParticipation": 12,
    "RecordReviewPreparation": 15,
    "RecordEarlierReview": 20,
    "RecordReviewDecisions": 30,
    "CompleteReviewDecision": 12,
    "RespondToReviewDecisions": 12,
    "DecisionChecks": 12,
    "DecisionsToSettle": 12,
    "NotifySignificantChange": 15,
    "RespondToSignificantChange": 14,
    "SignificantChanges": 10,
    "AnnualReport": 32,
    "RecordMidpointCheck": 12,
    "MidpointForm": 11,
    "RecordIroIntroduction": 12,
    "Introductions": 10,
    "WriteChildSummary": 12,
    "ChildSummaries": 13,
    "RecordDiscussion": 24,
    "DiscussionRecord": 14,
    "RaiseConcern": 16,
    "RecordSignificantIssue": 26,
    "ShareSignificantIssue": 18,
    "AcknowledgeIssue": 14,
    "RecordFinalOrders": 29,
    "SetEmailPreference": 10,
    "RecordForm": 16,
    "FileCourtPaper": 30,
    "ConfirmPapersForwarded": 16,
    "CasePapers": 17,
    "RecordIroView": 10,
    "MonthlyReport": 14,
    "StartHandover": 20,
    "SaveHandover": 20,
    "SubmitHandover": 30,
    "AcknowledgeHandover": 20,
    "ReturnHandover": 20,
    "CloseGuardianInvolvement": 20,
    "CaseHandover": 20,
    "CarePlans": 16,
    "ChildFile": 28,
    # Monitoring between reviews (issue 19) adds 6: its children, reviews, checks, IRO memberships, IROs and
    # authority, however many children.
    "Adherence": 20,
    "ServiceFigures": 22,
    "AdherenceCases": 14,
    "DashboardCases": 14,
    "AllocationQueue": 15,
    "AssignmentQueue": 15,
    "ManagerTasks": 10,
    "AllocationForm": 11,
    "AssignmentForm": 10,
    "GuardianCaseloads": 7,
    # With its IROs' profiles, last month's conferences, the weights and the open conflicts (issue 19).
    "IroWorkload": 12,
    "UndeliveredEmail": 6,
    "RetryEmail": 7,
    "CaseRetention": 9,
    "PlaceLegalHold": 7,
    "LiftLegalHold": 7,
    "RetentionRule": 7,
    "SetRetentionRule": 7,
    "Disputes": 12,
    "Dispute": 13,
    "RaiseChallenge": 23,
    "RecordDisputeExchange": 14,
    "EscalateDispute": 21,
    "ResolveDispute": 15,
    "TellGuardianOfDispute": 29,
    "AnswerDispute": 25,
    "GiveGuardianViewOfDispute": 22,
    "DisputeLadder": 8,
    "SetDisputeLadder": 10,
    "DisputeAnswerers": 6,
    "ChallengeForm": 16,
    "ReferralForm": 11,
    "Referrals": 10,
    "Referral": 16,
    "ReferToCafcass": 19,
    "AcknowledgeReferral": 18,
    "AppointReferralOfficer": 20,
    "RecordReferralEnquiry": 17,
    "RecordReferralOutcome": 18,
    "ReferralTimescale": 8,
    "SetReferralTimescale": 9,
    # IRO workloads and conflicts of interest (issue 19).
    "AuthorityWorkload": 12,
    "IroProfile": 8,
    "SetIroProfile": 7,
    "RecordConferencesChaired": 7,
    "WorkloadWeights": 6,
    "SetWorkloadWeights": 7,
    "RecordConflictOfInterest": 13,
    "WithdrawConflictOfInterest": 7,
}
DISPUTE_OPERATIONS = {
    name
    for name in BOUNDS
    if "Dispute" in name or name in {"RaiseChallenge", "ChallengeForm", "WriteChildSummary", "ChildSummaries"}
}
REFERRAL_OPERATIONS = {name for name in BOUNDS if "Referral" in name or name == "ReferToCafcass"}


WORKLOAD_OPERATIONS = {
    "IroWorkload",
    "AuthorityWorkload",
    "IroProfile",
    "SetIroProfile",
    "RecordConferencesChaired",
    "WorkloadWeights",
    "SetWorkloadWeights",
    "RecordConflictOfInterest",
    "WithdrawConflictOfInterest",
}


async def _workloads(
    client: httpx.AsyncClient, world: World, name: str, case: str, today: str
) -> tuple[str, dict[str, object]]:
    """IRO workloads: the IROs' profiles kept, conferences entered, and conflicts of interest recorded with
    each child of the case, so that each list has rows to load."""
    iro, riverside = str(world.id("iro")), str(world.orgs["riverside"].id)
    profile = {
        "fullTimeEquivalence": 0.8,
        "employment": "DIRECT",
        "childrenHeld": 50,
        "siblingGroupChildren": 4,
        "outOfAreaChildren": 2,
    }
    for key in ("iro", "iro2"):
        await _change(client, world, "iro_manager", "SetIroProfile", iroId=str(world.id(key)), **profile)
        await _change(
            client,
            world,
            key,
            "RecordConferencesChaired",
            iroId=str(world.id(key)),
            month=today,
            conferences=2,
        )
    children = (await gql(client, await world.token("iro_manager"), "AssignmentForm", id=case))["data"][
        "case"
    ]
    recorded = [
        await _change(
            client,
            world,
            "iro_manager",
            "RecordConflictOfInterest",
            caseId=case,
            childId=child["id"],
            iroId=str(world.id(key)),
            kind="OTHER",
            details="Related",
        )
        for child in children["children"]
        for key in ("iro", "iro2")
    ]
    variables: dict[str, tuple[str, dict[str, object]]] = {
        "AuthorityWorkload": ("iro_manager", {}),
        "IroWorkload": ("iro_manager", {}),
        "IroProfile": ("iro_manager", {"iroId": iro}),
        "SetIroProfile": ("iro_manager", {"input": {"iroId": iro, **profile}}),
        "RecordConferencesChaired": ("iro", {"input": {"iroId": iro, "month": today, "conferences": 5}}),
        "WorkloadWeights": ("iro_manager", {"organisationId": riverside}),
        "SetWorkloadWeights": ("iro_manager", {"input": {"organisationId": riverside, "outOfArea": 0.5}}),
        "RecordConflictOfInterest": (
            "iro",
            {
                "input": {
                    "caseId": case,
                    "childId": children["children"][0]["id"],
                    "kind": "FOSTERING_REVIEWER",
                }
            },
        ),
        "WithdrawConflictOfInterest": (
            "iro_manager",
            {"input": {"id": recorded[0]["conflict"]["id"], "reason": "Mistaken"}},
        ),
    }
    return variables[name]


def test_every_operation_has_a_bound() -> None:
    assert set(BOUNDS) == set(OPERATIONS)


async def _variables(client: httpx.AsyncClient, world: World, name: str) -> tuple[str, dict[str, object]]:
    """Who runs the operation, and with what, on a case of two children with a guardian and an IRO."""
    case_id = await world.open_case(
        [("Amy", LegalStatus.INTERIM_CARE_ORDER), ("Ben", LegalStatus.INTERIM_CARE_ORDER)]
    )
    case = str(case_id)
    today = datetime.now(UTC).date().isoformat()
    if name == "ChildFile":
        return "iro", {"id": case}
    if name in DISPUTE_OPERATIONS:
        return await _disputes(client, world, name, case, today)
    if name in REFERRAL_OPERATIONS:
        return await _referrals(client, world, name, case, today)
    if name == "Adherence":
        return "cafcass_manager", {"start": "2020-01-01", "end": today, "by": "PRACTITIONER"}
    if name == "ServiceFigures":
        return "iro_manager", {"start": "2020-01-01", "end": today, "by": "PRACTITIONER"}
    if name == "AdherenceCases":
        return "iro_manager", {
            "start": "2020-01-01",
            "end": today,
            "code": "P3",
            "measure": "OPEN",
            "by": "NONE",
        }
    if name == "MonthlyReport":
        now = datetime.now(UTC).date()
        return "iro_manager", {"year": now.year, "month": now.month}
    if name == "AnnualReport":
        return "iro_manager", {"year": current_year(datetime.now(UTC).date())}
    if name == "RecordIroView":
        upload = await _upload(client, world, case, "guardian")
        analysis = {
            **PAPER,
            "kind": "GUARDIAN_ANALYSIS_INITIAL",
            "title": "Initial analysis",
            "filedByParty": "CHILDRENS_GUARDIAN",
        }
        filed = await _change(
            client, world, "guardian", "FileCourtPaper", **analysis, uploadId=upload, filedOn=today
        )
        return "guardian", {
            "input": {"paperId": filed["paper"]["id"], "cites": False, "reason": "No view yet"}
        }
    if name == "DashboardCases":
        return "cafcass_manager", {"figure": "TRACKER_UNDER_13_WEEKS", "start": "2020-01-01", "end": today}
    if name in {"Me", "MyCases", "MyTasks"}:
        return "guardian", {}
    if name in {"UndeliveredEmail", "RetryEmail"}:
        # Every email of the case given up: a list of them, or the IRO's to send again.
        async with world.sessions() as session, session.begin():
            await session.execute(sa.update(OutboxMessage).values(state=OutboxState.DEAD))
            iros = await session.scalar(
                sa.select(OutboxMessage.id).where(OutboxMessage.person_id == world.id("iro")).limit(1)
            )
        return "admin", {} if name == "UndeliveredEmail" else {"input": {"id": str(iros)}}
    staffing: dict[str, tuple[str, dict[str, object]]] = {
        "AllocationQueue": ("cafcass_manager", {}),
        "AssignmentQueue": ("iro_manager", {}),
        "ManagerTasks": ("cafcass_manager", {"guardians": True, "iros": False}),
        "AllocationForm": ("cafcass_manager", {"id": case}),
        "AssignmentForm": ("iro_manager", {"id": case}),
        "GuardianCaseloads": ("cafcass_manager", {}),
    }
    if name in staffing:
        return staffing[name]
    if name in {"CaseView", "ArrangementForm"}:
        return "guardian", {"id": case}
    if name == "ContactForm":
        return "guardian", {"id": case, "correcting": True}
    if name == "LogContact":
        return "guardian", {"input": contact_input(world, case_id, "iro")}
    if name == "MarkReply":
        logged = await log_contact(client, world, "guardian", "iro", case_id, replyExpected=True)
        return "iro", {"input": {"caseId": case, "contactId": logged["contact"]["id"]}}
    if name in {"OpenProceedings", "CheckOpenProceedings"}:
        child = {
            "givenName": "Cal",
            "familyName": "Example",
            "dateOfBirth": "2024-01-01",
            "legalStatus": "INTERIM_CARE_ORDER",
            "lookedAfterSince": today,
        }
        return "solicitor", {
            "input": {
                "courtId": str(world.orgs["court"].id),
                "caseNumber": "RV9",
                "issuedOn": today,
                "newChildren": [child, {**child, "givenName": "Dee"}],
            }
        }
    if name == "AllocateGuardian":
        return "cafcass_manager", {
            "input": {
                "caseId": case,
                "personId": str(world.id("guardian2")),
                "reallocationReason": "Moved team",
            }
        }
    if name == "AssignIro":
        return "iro_manager", {
            "input": {"caseId": case, "personId": str(world.id("iro2")), "reallocationReason": "Moved team"}
        }
    if name in WORKLOAD_OPERATIONS:
        return await _workloads(client, world, name, case, today)
    riverside = str(world.orgs["riverside"].id)
    simple: dict[str, tuple[str, dict[str, object]]] = {
        "AccessLog": ("cafcass_manager", {"id": case}),
        "ApiTokens": ("guardian", {}),
        "CreateApiToken": ("guardian", {"input": {"label": "Case system", "scopes": ["READ_CASE"]}}),
        "Organisations": ("guardian", {}),
        "People": ("admin", {"organisationId": riverside}),
        "AddOrganisation": (
            "national_admin",
            {
                "input": {
                    "kind": "LOCAL_AUTHORITY",
                    "name": "Eastfield Borough Council",
                    "onsCode": "E09000901",
                }
            },
        ),
        "AddPerson": (
            "admin",
            {
                "input": {
                    "organisationId": riverside,
                    "name": "Nia New",
                    "email": "nia.new@riverside.example.gov.uk",
                    "roles": ["IRO"],
                }
            },
        ),
        "UpdatePerson": ("admin", {"input": {"id": str(world.id("iro2")), "active": False}}),
        "CaseRetention": ("solicitor", {"id": case}),
        "PlaceLegalHold": ("solicitor", {"input": {"caseId": case, "reason": "Litigation"}}),
        "RetentionRule": ("admin", {"organisationId": riverside}),
        "SetRetentionRule": (
            "admin",
            {"input": {"organisationId": riverside, "keepYearsAfterConclusion": 10}},
        ),
        "ObligationRules": ("guardian", {}),
        "OverrideObligationRule": (
            "admin",
            {"input": {"code": "P2", "organisationId": riverside, "workingDays": 3}},
        ),
    }
    if name in simple:
        return simple[name]
    if name == "RecordConsultationArrangement":
        return "iro", {
            "input": {"caseId": case, "agreedOn": today, "everyWeeks": 4, "onEvents": ["AFTER_EACH_HEARING"]}
        }
    if name == "WaiveObligation":
        view = await gql(client, await world.token("cafcass_manager"), "CaseView", id=case)
        p3 = next(o for o in view["data"]["case"]["obligations"] if o["code"] == "P3")
        return "cafcass_manager", {"input": {"id": p3["id"], "reason": "Agreed at the case conference"}}
    if name == "LiftLegalHold":
        placed = await gql(
            client,
            await world.token("solicitor"),
            "PlaceLegalHold",
            input={"caseId": case, "reason": "Litigation"},
        )
        hold = placed["data"]["placeLegalHold"]["legalHold"]["id"]
        return "solicitor", {"input": {"id": hold, "reason": "Settled"}}
    if name == "RevokeApiToken":
        made = await gql(
            client,
            await world.token("guardian"),
            "CreateApiToken",
            input={"label": "Spare", "scopes": ["READ_CASE"]},
        )
        return "guardian", {"input": {"id": made["data"]["createApiToken"]["token"]["id"]}}
    if name == "AssignSocialWorker":
        return "solicitor", {"input": {"caseId": case, "personId": str(world.id("social_worker"))}}
    if name == "RecordExtension":
        return "solicitor", {
            "input": {"caseId": case, "weeks": 4, "reason": "Expert report", "grantedOn": today}
        }
    if name == "AdvanceStage":
        return "solicitor", {
            "input": {"caseId": case, "stage": "CASE_MANAGEMENT_HEARING", "changedOn": today}
        }
    records = await _records(client, world, name, case, today)
    if records is not None:
        return records
    children = (await gql(client, await world.token("solicitor"), "CaseView", id=case))["data"]["case"][
        "children"
    ]
    return "solicitor", {
        "input": {
            "caseId": case,
            "childId": children[0]["id"],
            "status": "CARE_ORDER",
            "effectiveFrom": today,
        }
    }


async def _change(client: httpx.AsyncClient, world: World, who: str, name: str, **input: object) -> dict:
    body = await gql(client, await world.token(who), name, input=input)
    payload = next(iter(body["data"].values()))
    assert payload["errors"] == [], payload
    return payload


async def _disputes(
    client: httpx.AsyncClient, world: World, name: str, case: str, today: str
) -> tuple[str, dict[str, object]]:
    """A dispute, taken as far as the operation needs: raised, escalated to the team manager, told."""
    riverside = str(world.orgs["riverside"].id)
    challenge = {
        "caseId": case,
        "subject": "CARE_PLAN",
        "summary": "Drift",
        "raisedWith": "The team manager",
        "resolutionSought": "A plan",
        "soughtBy": today,
    }
    if name == "RaiseChallenge":
        return "iro", {"input": challenge}
    if name == "DisputeLadder":
        return "admin", {"organisationId": riverside}
    if name == "SetDisputeLadder":
        stages = [{"answerer": "Team manager", "workingDays": 5}, {"answerer": "Director", "workingDays": 5}]
        return "admin", {"input": {"organisationId": riverside, "stages": stages, "overallWorkingDays": 10}}
    dispute = (await _change(client, world, "iro", "RaiseChallenge", **challenge))["dispute"]["id"]
    manager = str(world.id("team_manager"))
    simple: dict[str, tuple[str, dict[str, object]]] = {
        "Dispute": ("iro", {"id": dispute}),
        "DisputeAnswerers": ("iro", {"caseId": case}),
        "ChallengeForm": ("iro", {"id": case}),
        "RecordDisputeExchange": (
            "iro",
            {"input": {"disputeId": dispute, "occurredOn": today, "party": "TM", "note": "Talked"}},
        ),
        "EscalateDispute": ("iro", {"input": {"disputeId": dispute, "answererId": manager, "reason": "No"}}),
        "ResolveDispute": ("iro", {"input": {"disputeId": dispute, "resolution": "Agreed"}}),
        "TellGuardianOfDispute": ("iro", {"input": {"disputeId": dispute}}),
    }
    if name in simple:
        return simple[name]
    if name in {"WriteChildSummary", "ChildSummaries"}:
        # What each child is told of the resolved dispute (issue 19): read for all the children at once.
        await _change(client, world, "iro", "ResolveDispute", disputeId=dispute, resolution="Agreed")
        summary = {"disputeId": dispute, "decided": "Agreed", "viewsCounted": "Heard", "letterTo": "CHILD"}
        children = [
            c["id"]
            for c in (await gql(client, await world.token("iro"), "CaseView", id=case))["data"]["case"][
                "children"
            ]
        ]
        if name == "WriteChildSummary":
            return "iro", {"input": {**summary, "childId": children[0]}}
        for child in children:
            await _change(client, world, "iro", "WriteChildSummary", **summary, childId=child)
        return "iro", {"id": dispute}
    await _change(client, world, "iro", "EscalateDispute", disputeId=dispute, answererId=manager, reason="No")
    if name == "AnswerDispute":
        return "team_manager", {"input": {"disputeId": dispute, "text": "We will look again"}}
    await _change(client, world, "iro", "TellGuardianOfDispute", disputeId=dispute)
    if name == "Disputes":
        return "iro_manager", {}
    return "guardian", {"input": {"disputeId": dispute, "text": "I agree"}}


async def _refer(client: httpx.AsyncClient, world: World, case: str) -> str:
    referral = {"caseId": case, "ground": "FAMILY_LIFE", "grounds": "Contact", "stepsTaken": "The ladder"}
    return str((await _change(client, world, "iro", "ReferToCafcass", **referral))["referral"]["id"])


async def _referrals(
    client: httpx.AsyncClient, world: World, name: str, case: str, today: str
) -> tuple[str, dict[str, object]]:
    """A referral, taken as far as the operation needs: made, an officer appointed."""
    cafcass = str(world.orgs["cafcass"].id)
    if name == "ReferralForm":
        return "iro", {"id": case}
    if name == "ReferToCafcass":
        return "iro", {
            "input": {"caseId": case, "ground": "FAMILY_LIFE", "grounds": "Contact", "stepsTaken": "Ladder"}
        }
    if name == "ReferralTimescale":
        return "national_admin", {"organisationId": cafcass}
    if name == "SetReferralTimescale":
        days = {"acknowledgeWorkingDays": 1, "appointWorkingDays": 3, "outcomeWorkingDays": 30}
        return "national_admin", {"input": {"organisationId": cafcass, **days}}
    referral = await _refer(client, world, case)
    officer = str(world.id("guardian2"))
    simple: dict[str, tuple[str, dict[str, object]]] = {
        "AcknowledgeReferral": ("cafcass_manager", {"input": {"referralId": referral}}),
        "AppointReferralOfficer": (
            "cafcass_manager",
            {"input": {"referralId": referral, "officerId": officer}},
        ),
    }
    if name in simple:
        return simple[name]
    await _change(
        client, world, "cafcass_manager", "AppointReferralOfficer", referralId=referral, officerId=officer
    )
    if name == "Referrals":
        return "cafcass_manager", {}
    if name == "Referral":
        return "cafcass_manager", {"id": referral}
    if name == "RecordReferralEnquiry":
        return "guardian2", {
            "input": {"referralId": referral, "madeOn": today, "madeWith": "The authority", "note": "Asked"}
        }
    return "guardian2", {
        "input": {"referralId": referral, "outcome": "RESOLVED_BY_CORRESPONDENCE", "note": "Letter"}
    }


async def _records(
    client: httpx.AsyncClient, world: World, name: str, case: str, today: str
) -> tuple[str, dict[str, object]] | None:
    """Reviews, discussions, concerns, significant issues and final orders, with what each needs first."""
    children = [
        c["id"]
        for c in (await gql(client, await world.token("iro"), "CaseView", id=case))["data"]["case"][
            "children"
        ]
    ]
    if name == "RecordEarlierReview":
        return "iro", {"input": {"caseId": case, "childId": children[0], "heldOn": today}}
    if name == "ScheduleReview":
        return "iro", {
            "input": {"caseId": case, "childIds": children, "reviewDate": today, "arrangements": "Here"}
        }
    if name in {
        "RescheduleReview",
        "TellGuardianOfReview",
        "RecordReviewHeld",
        "ShareReviewRecord",
        "RecordReviewParticipation",
        "RecordReviewPreparation",
        "RecordReviewDecisions",
        "CompleteReviewDecision",
        "RespondToReviewDecisions",
        "DecisionChecks",
        "DecisionsToSettle",
    }:
        booked = await _change(
            client,
            world,
            "iro",
            "ScheduleReview",
            caseId=case,
            childIds=children[:1],
            reviewDate=today,
            arrangements="Here",
            tellGuardian=False,
        )
        review = booked["reviews"][0]["id"]
        if name not in {
            "RescheduleReview",
            "TellGuardianOfReview",
            "RecordReviewHeld",
            "RecordReviewPreparation",
        }:
            await _change(client, world, "iro", "RecordReviewHeld", id=review, heldOn=today)
        owners = [world.id(key) for key in ("guardian", "social_worker", "iro")]
        decided = {
            "id": review,
            "decisions": [
                {"description": f"Act {n}", "ownerId": str(o), "dueOn": today} for n, o in enumerate(owners)
            ],
            "managerId": str(world.id("team_manager")),
        }
        if name in {"CompleteReviewDecision", "RespondToReviewDecisions", "DecisionChecks"}:
            recorded = await _change(client, world, "iro", "RecordReviewDecisions", **decided)
            mine = recorded["review"]["decisions"][1]["id"]
            if name == "CompleteReviewDecision":
                return "social_worker", {"input": {"id": mine, "note": "Done"}}
            if name == "DecisionChecks":
                return "team_manager", {}
            return "team_manager", {"input": {"reviewId": review, "response": "CONFIRMED"}}
        return "iro", {
            "RescheduleReview": {"input": {"id": review, "reviewDate": today, "arrangements": "There"}},
            "TellGuardianOfReview": {"input": {"id": review}},
            "RecordReviewHeld": {"input": {"id": review, "heldOn": today, "record": "Decisions"}},
            "ShareReviewRecord": {"input": {"id": review, "record": "Decisions"}},
            "RecordReviewParticipation": {
                "input": {"id": review, "attendance": "ATTENDED", "wishesAndFeelings": "Hi", "private": True}
            },
            "RecordReviewPreparation": {
                "input": {"id": review, "socialWorkerConsultedOn": today, "papersReceivedOn": today}
            },
            "RecordReviewDecisions": {"input": decided},
            "DecisionsToSettle": {"reviewId": review},
        }[name]
    if name in {"RecordIroIntroduction", "Introductions"}:
        # The IRO's introduction to each child (issue 19): the form and the letters read them all at once.
        introduction = {
            "caseId": case,
            "explainedOn": today,
            "explainedHow": "MET_ALONE",
            "keepingInTouch": "Text me",
            "advocacyExplained": True,
            "letterTo": "CHILD",
        }
        if name == "RecordIroIntroduction":
            return "iro", {"input": {**introduction, "childId": children[0]}}
        for child in children:
            await _change(client, world, "iro", "RecordIroIntroduction", **introduction, childId=child)
        return "guardian", {"id": case}
    if name in {"NotifySignificantChange", "RespondToSignificantChange", "SignificantChanges"}:
        # SC: the social worker tells the child's IRO of a change; the IRO answers; the pages read them all.
        social_worker = str(world.id("social_worker"))
        await _change(client, world, "solicitor", "AssignSocialWorker", caseId=case, personId=social_worker)
        change = {
            "caseId": case,
            "childId": children[0],
            "kind": "PLACEMENT_MOVE",
            "occurredOn": today,
            "summary": "A new foster home",
        }
        if name == "NotifySignificantChange":
            return "social_worker", {"input": change}
        notified = [await _change(client, world, "social_worker", "NotifySignificantChange", **change)]
        if name == "SignificantChanges":
            notified += [
                await _change(
                    client, world, "social_worker", "NotifySignificantChange", **{**change, "childId": c}
                )
                for c in children[1:]
            ]
            return "iro", {"id": case}
        answer = {"id": notified[0]["change"]["id"], "response": "NO_REVIEW", "reason": "Not needed"}
        return "iro", {"input": answer}
    if name in {"RecordMidpointCheck", "MidpointForm"}:
        # Monitoring between reviews (issue 19): the IRO's check on each child; the form reads them all.
        check = {
            "caseId": case,
            "childId": children[0],
            "doneOn": today,
            "fileRead": True,
            "socialWorkerContact": "EMAIL",
            "outcome": "ON_TRACK",
        }
        if name == "RecordMidpointCheck":
            return "iro", {"input": check}
        for child in children:
            await _change(client, world, "iro", "RecordMidpointCheck", **{**check, "childId": child})
        return "iro", {"id": case}
    discussion = {"caseId": case, "heldOn": today, "mode": "PHONE", "summary": "Talked"}
    if name == "RecordDiscussion":
        owner = str(world.id("guardian"))
        actions = [{"description": f"Action {n}", "ownerId": owner, "dueOn": today} for n in range(3)]
        return "iro", {"input": {**discussion, "actions": actions}}
    if name == "DiscussionRecord":
        recorded = await _change(client, world, "iro", "RecordDiscussion", **discussion)
        return "guardian", {"id": case, "discussionId": recorded["discussion"]["id"]}
    issue = {"caseId": case, "aroseOn": today, "meeting": "Review", "summary": "An issue"}
    if name == "RaiseConcern":
        return "guardian", {"input": {"caseId": case, "summary": "A concern"}}
    if name == "RecordSignificantIssue":
        return "iro", {"input": issue}
    if name == "ShareSignificantIssue":
        kept = await _change(client, world, "iro", "RecordSignificantIssue", **issue, tellGuardianNow=False)
        return "iro", {"input": {"id": kept["issue"]["id"]}}
    if name == "AcknowledgeIssue":
        told = await _change(client, world, "iro", "RecordSignificantIssue", **issue)
        return "guardian", {"input": {"id": told["issue"]["id"], "response": "Read"}}
    if name == "RecordFinalOrders":
        orders = [{"childId": c, "order": "CARE_ORDER"} for c in children]
        return "solicitor", {"input": {"caseId": case, "madeOn": today, "orders": orders}}
    if name == "SetEmailPreference":
        return "guardian", {"input": {"preference": "DAILY_DIGEST"}}
    if name == "RecordForm":
        return "iro", {"id": case}
    if name == "ProceedingsForm":
        return "solicitor", {"id": case}
    if name == "LegalTasks":
        return "solicitor", {}
    if name in {"FileCourtPaper", "ConfirmPapersForwarded", "CasePapers", "CarePlans"}:
        upload = await _upload(client, world, case, "solicitor")
        if name == "FileCourtPaper":
            return "solicitor", {"input": {**PAPER, "uploadId": upload, "filedOn": today}}
        await _change(client, world, "solicitor", "FileCourtPaper", **PAPER, uploadId=upload, filedOn=today)
        if name == "ConfirmPapersForwarded":
            return "guardian", {"input": {"caseId": case}}
        return ("solicitor" if name == "CarePlans" else "iro"), {"id": case}
    if name in HANDOVER_OPERATIONS:
        return await _handover(client, world, name, case, children, today)
    return None


HANDOVER_OPERATIONS = {
    "StartHandover",
    "SaveHandover",
    "SubmitHandover",
    "AcknowledgeHandover",
    "ReturnHandover",
    "CloseGuardianInvolvement",
    "CaseHandover",
}


async def _handover(
    client: httpx.AsyncClient, world: World, name: str, case: str, children: list[str], today: str
) -> tuple[str, dict[str, object]]:
    from tests.test_handover import ANSWERS

    orders = [{"childId": c, "order": "CARE_ORDER"} for c in children]
    await _change(client, world, "solicitor", "RecordFinalOrders", caseId=case, madeOn=today, orders=orders)
    if name == "StartHandover":
        return "guardian", {"input": {"caseId": case}}
    if name == "CloseGuardianInvolvement":
        return "cafcass_manager", {"input": {"caseId": case, "overrideReason": "The guardian left"}}
    draft = (await _change(client, world, "guardian", "StartHandover", caseId=case))["handover"]
    if name == "SaveHandover":
        return "guardian", {"input": {"id": draft["id"], "revision": 1, "answers": ANSWERS}}
    saved = await _change(
        client, world, "guardian", "SaveHandover", id=draft["id"], revision=1, answers=ANSWERS
    )
    if name == "SubmitHandover":
        return "guardian", {"input": {"id": draft["id"], "revision": saved["handover"]["revision"]}}
    await _change(
        client, world, "guardian", "SubmitHandover", id=draft["id"], revision=saved["handover"]["revision"]
    )
    if name == "CaseHandover":
        return "iro", {"id": case}
    return "iro", {"input": {"id": draft["id"], "questions": "Why?"}}


PAPER = {
    "kind": "CARE_PLAN_INTERIM",
    "title": "Interim care plan",
    "filedByParty": "LOCAL_AUTHORITY",
    "confidentiality": "STANDARD",
    "lawfulBasis": "FPR_12_73_IRO",
}


async def _upload(
    client: httpx.AsyncClient, world: World, case: str, who: str, content: bytes = b"%PDF-1.7\n"
) -> str:
    response = await client.post(
        f"/cases/{case}/papers/uploads",
        content=content,
        headers={"Authorization": f"Bearer {await world.token(who)}", "X-Filename": "plan.pdf"},
    )
    assert response.status_code == 201, response.text
    return response.json()["uploadId"]


async def test_the_papers_tab_does_not_grow_with_papers_versions_or_receipts(
    client: httpx.AsyncClient, world: World, count_queries: QueryCounter
) -> None:
    today = datetime.now(UTC).date().isoformat()
    counts = []
    for papers in (1, 6):
        case = str(await world.open_case())
        for n in range(papers):
            upload = await _upload(client, world, case, "solicitor", f"%PDF-1.7\n{case}{n}".encode())
            filed = await _change(
                client, world, "solicitor", "FileCourtPaper", **PAPER, uploadId=upload, filedOn=today
            )
            again = await _upload(client, world, case, "solicitor", f"%PDF-1.7\n{case}{n} v2".encode())
            await _change(
                client,
                world,
                "solicitor",
                "FileCourtPaper",
                uploadId=again,
                filedOn=today,
                paperId=filed["paper"]["id"],
            )
        counts.append(await _count(count_queries, client, await world.token("iro"), "CasePapers", id=case))
    assert counts[0] == counts[1] <= BOUNDS["CasePapers"]


@pytest.mark.parametrize("name", sorted(BOUNDS))
async def test_each_operation_stays_within_its_bound(
    client: httpx.AsyncClient, world: World, count_queries: QueryCounter, name: str
) -> None:
    who, variables = await _variables(client, world, name)
    token = await world.token(who)
    with count_queries() as statements:
        body = await gql(client, token, name, **variables)
    assert "errors" not in body, body
    payload = next(iter(body["data"].values()))
    assert not (isinstance(payload, dict) and payload.get("errors")), payload
    # The token's "last used" stamp is written at most once a minute, whichever operation comes first.
    counted = [s for s in statements if not s.startswith("UPDATE api_token SET last_used_at")]
    assert len(counted) <= BOUNDS[name], "\n".join(s.split("\n")[0][:120] for s in counted)


async def test_the_task_list_does_not_grow_with_the_number_of_obligations(
    client: httpx.AsyncClient, world: World, count_queries: QueryCounter
) -> None:
    token = await world.token("guardian")
    await world.open_case()
    few = await _count(count_queries, client, token, "MyTasks")
    for _ in range(6):
        await world.open_case([("A", LegalStatus.INTERIM_CARE_ORDER), ("B", LegalStatus.SECTION_20)])
    many = await _count(count_queries, client, token, "MyTasks")
    assert few == many <= BOUNDS["MyTasks"]


@pytest.mark.parametrize("who", ["cafcass_manager", "iro_manager", "iro", "guardian2"])
async def test_the_referrals_do_not_grow_with_their_number(
    client: httpx.AsyncClient, world: World, count_queries: QueryCounter, who: str
) -> None:
    """The service area's queue, the authority's list, the IRO's and the officer's: each in statements that
    do not grow with the referrals, their enquiries or their papers."""
    token = await world.token(who)

    async def referred(count: int) -> None:
        for _ in range(count):
            case = str(await world.open_case())
            referral = await _refer(client, world, case)
            await _change(
                client,
                world,
                "cafcass_manager",
                "AppointReferralOfficer",
                referralId=referral,
                officerId=str(world.id("guardian2")),
            )
            await _change(
                client,
                world,
                "guardian2",
                "RecordReferralEnquiry",
                referralId=referral,
                madeOn=datetime.now(UTC).date().isoformat(),
                madeWith="The authority",
                note="Asked",
            )

    await referred(1)
    few = await _count(count_queries, client, token, "Referrals")
    candidates = await _officer_candidates(client, token, count_queries)
    await referred(5)
    many = await _count(count_queries, client, token, "Referrals")
    assert few == many <= BOUNDS["Referrals"]
    # The officers a manager may appoint: one statement for every referral's service area, not one each.
    assert await _officer_candidates(client, token, count_queries) == candidates


async def _officer_candidates(client: httpx.AsyncClient, token: str, count_queries: QueryCounter) -> int:
    """The statements of every referral the asker sees, each with its officer candidates."""
    with count_queries() as statements:
        response = await client.post(
            "/graphql",
            json={"query": "{ referrals { id officerCandidates { id name } } }"},
            headers={"Authorization": f"Bearer {token}"},
        )
    assert "errors" not in response.json(), response.text
    return len([s for s in statements if not s.startswith("UPDATE api_token SET last_used_at")])


@pytest.mark.parametrize("manager", ["cafcass_manager", "iro_manager"])
async def test_the_adherence_dashboard_does_not_grow_with_the_number_of_cases(
    client: httpx.AsyncClient, world: World, count_queries: QueryCounter, manager: str
) -> None:
    """Each section counts in SQL, whatever the number of cases, obligations, contacts or IROs' children in
    scope (the IRO manager's has the IRO workload and monitoring between reviews besides)."""
    token = await world.token(manager)
    today = datetime.now(UTC).date().isoformat()
    variables = {"start": "2020-01-01", "end": today, "by": "PRACTITIONER"}
    await world.open_case()
    documents = ("Adherence", "ServiceFigures")
    few = [await _count(count_queries, client, token, name, **variables) for name in documents]
    siblings = [("A", LegalStatus.INTERIM_CARE_ORDER), ("B", LegalStatus.SECTION_20)]
    for _ in range(6):
        case_id = await world.open_case(siblings)
        await _contacts(client, world, case_id, 2)
    many = [await _count(count_queries, client, token, name, **variables) for name in documents]
    assert few == many
    assert all(count <= BOUNDS[name] for name, count in zip(documents, many, strict=True))


async def test_the_staffing_queues_do_not_grow_with_the_number_of_cases(
    client: httpx.AsyncClient, world: World, count_queries: QueryCounter
) -> None:
    """Each case's children, their guardians and IROs come through the loaders, whatever the queue holds."""
    siblings = [("A", LegalStatus.INTERIM_CARE_ORDER), ("B", LegalStatus.SECTION_20)]
    await world.open_case(guardian=None, iro=None)
    await world.open_case()
    counts = {}
    for size in ("few", "many"):
        if size == "many":
            for n in range(6):
                await world.open_case(
                    siblings, guardian=None if n % 2 else "guardian", iro=None if n % 3 else "iro"
                )
        for who, name in (
            ("cafcass_manager", "AllocationQueue"),
            ("iro_manager", "AssignmentQueue"),
            ("cafcass_manager", "ManagerTasks"),
            ("cafcass_manager", "GuardianCaseloads"),
        ):
            variables = {"guardians": True, "iros": False} if name == "ManagerTasks" else {}
            token = await world.token(who)
            counts[(size, name)] = await _count(count_queries, client, token, name, **variables)
    for name in ("AllocationQueue", "AssignmentQueue", "ManagerTasks", "GuardianCaseloads"):
        assert counts[("few", name)] == counts[("many", name)] <= BOUNDS[name], name


async def test_the_case_views_first_page_reads_no_more_of_the_ledger_than_the_page(
    client: httpx.AsyncClient, world: World, count_queries: QueryCounter
) -> None:
    """Issue 15: a case with 3,336 contacts took 3 s to view. However long the ledger, its first page costs
    the same statements as a short one's and loads only the page's entries (the counts are counted in SQL)."""
    short, long = await world.open_case(), await world.open_case()
    await _contacts(client, world, short, 3)
    await _contacts(client, world, long, 30)
    token = await world.token("guardian")
    loaded: list[object] = []

    def count(target: object, _context: object) -> None:
        loaded.append(target)

    event.listen(Contact, "load", count)
    try:
        counts = [
            await _count(count_queries, client, token, "CaseView", id=str(case), ledgerSize=5)
            for case in (short, long)
        ]
    finally:
        event.remove(Contact, "load", count)
    assert counts[0] == counts[1] <= CASE_VIEW_BOUND
    assert len(loaded) == 3 + 5
