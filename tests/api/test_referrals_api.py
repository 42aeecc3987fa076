"""Referrals to Cafcass over the API (issue 17): refused with every problem at once and nothing kept; in the
service area's queue, acknowledged and given an officer, who records enquiries and the outcome with a token
of their own; a national administrator sets a service area's timescale; everyone else is told the referral
does not exist, and every refusal and read is in the audit trail."""

from __future__ import annotations

import uuid

import httpx
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from models import AuditEvent, CafcassReferral
from portal import clock
from tests.support.graphql import gql
from tests.support.world import World


async def test_a_referral_from_the_iro_to_its_outcome_over_the_api(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine
) -> None:
    case_id = str(await world.open_case())
    iro = await world.token("iro")
    referral = {
        "caseId": case_id,
        "ground": "FAMILY_LIFE",
        "grounds": "Contact stopped.",
        "stepsTaken": "LDRP",
    }
    refused = (
        await gql(
            client,
            iro,
            "ReferToCafcass",
            input={**referral, "stepsTaken": "", "paperIds": [str(uuid.uuid4())]},
        )
    )["data"]["referToCafcass"]
    assert refused["referral"] is None
    assert [(e["code"], e["field"]) for e in refused["errors"]] == [
        ("REQUIRED", "stepsTaken"),
        ("NOT_FOUND", "paperIds"),
    ]
    async with AsyncSession(engine) as session:
        assert (await session.scalars(sa.select(CafcassReferral))).all() == []

    made = (await gql(client, iro, "ReferToCafcass", input=referral))["data"]["referToCafcass"]
    assert made["errors"] == []
    referral_id = made["referral"]["id"]
    assert (made["referral"]["state"], made["referral"]["viewerCan"]) == (
        "REFERRED",
        {"manage": False, "enquire": False},
    )

    manager = await world.token("cafcass_manager")
    queue = (await gql(client, manager, "Referrals"))["data"]["referrals"]
    assert [(r["id"], r["viewerCan"]["manage"]) for r in queue] == [(referral_id, True)]
    whole = (await gql(client, manager, "Referral", id=referral_id))["data"]["referral"]
    assert [p["name"] for p in whole["officerCandidates"]] == ["Gareth Second", "Gina Guardian"]
    # The IRO manages nothing of Cafcass's, and is offered no officers.
    assert (await gql(client, iro, "Referral", id=referral_id))["data"]["referral"]["officerCandidates"] == []
    appointed = (
        await gql(
            client,
            manager,
            "AppointReferralOfficer",
            input={"referralId": referral_id, "officerId": str(world.id("guardian2"))},
        )
    )["data"]["appointReferralOfficer"]
    assert appointed["errors"] == []
    assert (appointed["referral"]["state"], appointed["referral"]["officer"]["name"]) == (
        "OFFICER_APPOINTED",
        "Gareth Second",
    )

    officer = await world.token("guardian2")
    today = clock.today().isoformat()
    enquiry = {"referralId": referral_id, "madeOn": today, "madeWith": "Head of service", "note": "Asked."}
    assert (await gql(client, officer, "RecordReferralEnquiry", input=enquiry))["data"][
        "recordReferralEnquiry"
    ]["errors"] == []
    outcome = {"referralId": referral_id, "outcome": "CAFCASS_DISAGREES", "note": "The plan is lawful."}
    concluded = (await gql(client, officer, "RecordReferralOutcome", input=outcome))["data"][
        "recordReferralOutcome"
    ]
    assert concluded["errors"] == []
    assert (concluded["referral"]["state"], concluded["referral"]["outcome"]) == (
        "CONCLUDED",
        "CAFCASS_DISAGREES",
    )
    seen = (await gql(client, await world.token("iro_manager"), "Referral", id=referral_id))["data"]
    assert [e["madeWith"] for e in seen["referral"]["enquiries"]] == ["Head of service"]

    for who in ("guardian", "solicitor", "social_worker", "other_cafcass_manager", "team_manager"):
        body = await gql(client, await world.token(who), "Referral", id=referral_id)
        assert body["data"] is None
        assert [e["extensions"]["code"] for e in body["errors"]] == ["NOT_FOUND"], who
        assert (await gql(client, await world.token(who), "Referrals"))["data"]["referrals"] == []
    async with AsyncSession(engine) as session:
        actions = (
            await session.scalars(
                sa.select(AuditEvent.action).where(AuditEvent.subject_id == uuid.UUID(referral_id))
            )
        ).all()
    assert {"case.referral", "case.referral.list", "referral.appoint", "referral.outcome"} <= set(actions)
    assert actions.count("refused:referral:read") == 5


async def test_a_national_administrator_sets_a_service_areas_timescale(
    client: httpx.AsyncClient, world: World
) -> None:
    cafcass = str(world.orgs["cafcass"].id)
    national = await world.token("national_admin")
    before = (await gql(client, national, "ReferralTimescale", organisationId=cafcass))["data"]
    assert before["referralTimescale"] == {
        "version": 1,
        "own": False,
        "acknowledgeWorkingDays": 2,
        "appointWorkingDays": 5,
        "outcomeWorkingDays": 20,
    }
    days = {"acknowledgeWorkingDays": 0, "appointWorkingDays": 31, "outcomeWorkingDays": 40}
    bad = (await gql(client, national, "SetReferralTimescale", input={"organisationId": cafcass, **days}))[
        "data"
    ]["setReferralTimescale"]
    assert [(e["code"], e["field"]) for e in bad["errors"]] == [
        ("OUT_OF_RANGE", "acknowledgeWorkingDays"),
        ("OUT_OF_RANGE", "appointWorkingDays"),
    ]
    days |= {"acknowledgeWorkingDays": 1, "appointWorkingDays": 3}
    good = (await gql(client, national, "SetReferralTimescale", input={"organisationId": cafcass, **days}))[
        "data"
    ]["setReferralTimescale"]
    assert good["timescale"] == {"version": 1, "own": True, **days}
    # Riverside's administrator administers no service area; a local authority has no referral timescale.
    riverside = str(world.orgs["riverside"].id)
    for token, organisation in ((await world.token("admin"), cafcass), (national, riverside)):
        body = await gql(client, token, "ReferralTimescale", organisationId=organisation)
        assert [e["extensions"]["code"] for e in body["errors"]] == ["NOT_FOUND"]
