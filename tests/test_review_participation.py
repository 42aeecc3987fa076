"""The child's participation in their looked-after reviews (issue 18; CPPCR 2010 reg 36; IRO Handbook ch. 3):
the child's IRO records, once a review is held, whether the child attended, how their views reached the
review and by whom, and their wishes and feelings, and may change it afterwards. What the child said may be
private to their IRO (PROTOCOL.md §6): everyone else who sees the review sees the record without it."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from models import AuditEvent, LegalStatus, Role
from portal import clock
from portal.access.policy import reads_child_wishes
from portal.auth.actor import Actor
from portal.auth.tokens import create_token
from portal.cases import repository as case_rows
from portal.cases import service as cases
from portal.db import create_session_factory
from tests.support.graphql import gql, payload_codes
from tests.support.world import World

SAID = "Amy wants to stay with her carers and to see her brother every week."
AMY_AND_BEN = [("Amy", LegalStatus.INTERIM_CARE_ORDER), ("Ben", LegalStatus.INTERIM_CARE_ORDER)]


async def _reviews(client: httpx.AsyncClient, world: World, case_id: uuid.UUID, *, held: bool) -> list[str]:
    """A review for each of the IRO's children on the case (in the case's order of children), booked for
    today and, if ``held``, held."""
    token = await world.token("iro")
    today = clock.today().isoformat()
    case = (await gql(client, token, "CaseView", id=str(case_id)))["data"]["case"]
    mine = [c["id"] for c in case["children"] if c["iro"] and c["iro"]["id"] == str(world.id("iro"))]
    booked = await gql(
        client,
        token,
        "ScheduleReview",
        input={"caseId": str(case_id), "childIds": mine, "reviewDate": today, "arrangements": "At home"},
    )
    assert booked["data"]["scheduleReview"]["errors"] == [], booked
    by_child = {r["childId"]: r["id"] for r in booked["data"]["scheduleReview"]["reviews"]}
    ids = [by_child[c] for c in mine]
    for review_id in ids if held else []:
        done = await gql(client, token, "RecordReviewHeld", input={"id": review_id, "heldOn": today})
        assert done["data"]["recordReviewHeld"]["errors"] == [], done
    return ids


async def _amys_review_and_bens_own_iro(client: httpx.AsyncClient, world: World, case_id: uuid.UUID) -> str:
    """Amy's review, held; then Ben, her brother, is given an IRO of his own (iro2)."""
    ids = await _reviews(client, world, case_id, held=True)
    manager = await world.actor("iro_manager")
    async with world.sessions() as session, session.begin():
        children = await case_rows.case_children(session, case_id)
        by_name = {c.given_name: c.id for c in children}
        await cases.assign_iro(
            session,
            manager,
            cases.Allocation(case_id, world.id("iro2"), [by_name["Ben"]], reallocation_reason="His own IRO"),
        )
    case = (await gql(client, await world.token("iro"), "CaseView", id=str(case_id)))["data"]["case"]
    return next(r["id"] for r in case["reviews"] if r["id"] in ids and r["childId"] == str(by_name["Amy"]))


async def _record(client: httpx.AsyncClient, token: str, review_id: str, **input: Any) -> dict[str, Any]:
    body = await gql(client, token, "RecordReviewParticipation", input={"id": review_id, **input})
    assert "errors" not in body, body
    payload: dict[str, Any] = body["data"]["recordReviewParticipation"]
    return payload


async def _participation(
    client: httpx.AsyncClient, token: str, case_id: uuid.UUID, review_id: str
) -> dict[str, Any] | None:
    case = (await gql(client, token, "CaseView", id=str(case_id)))["data"]["case"]
    found: dict[str, Any] | None = next(r for r in case["reviews"] if r["id"] == review_id)["participation"]
    return found


async def _events(engine: AsyncEngine, case_id: uuid.UUID, action: str) -> list[AuditEvent]:
    async with create_session_factory(engine)() as session:
        rows = await session.execute(
            sa.select(AuditEvent).where(AuditEvent.case_id == case_id, AuditEvent.action == action)
        )
        return list(rows.scalars())


async def test_the_childs_iro_records_the_participation_and_changes_it(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine
) -> None:
    case_id = await world.open_case()
    [review_id] = await _reviews(client, world, case_id, held=True)
    token = await world.token("iro")
    payload = await _record(
        client,
        token,
        review_id,
        attendance="ATTENDED_PART",
        viewsConveyed="ADVOCATE",
        conveyedBy="  Sam Lee, Coram Voice\x07 ",
        wishesAndFeelings=f"  {SAID}\r\n",
    )
    assert payload["errors"] == []
    first = payload["review"]["participation"]
    assert first["attendance"] == "ATTENDED_PART"
    assert first["viewsConveyed"] == "ADVOCATE"
    assert first["conveyedBy"] == "Sam Lee, Coram Voice"  # cleaned as all free text is
    assert first["wishesAndFeelings"] == SAID
    assert first["private"] is False
    assert first["wishesWithheld"] is False
    assert first["updatedBy"]["name"] == "Ivan Reviewer"

    changed = await _record(
        client,
        token,
        review_id,
        attendance="VIEWS_CONVEYED",
        viewsConveyed="TO_THE_IRO_BEFORE",
        wishesAndFeelings="Changed after talking again.",
        private=True,
    )
    assert changed["errors"] == []
    now = changed["review"]["participation"]
    assert (now["attendance"], now["viewsConveyed"], now["conveyedBy"]) == (
        "VIEWS_CONVEYED",
        "TO_THE_IRO_BEFORE",
        "",
    )
    assert now["wishesAndFeelings"] == "Changed after talking again."
    assert now["private"] is True
    assert now["updatedAt"] >= first["updatedAt"]
    assert now["recordedAt"] == first["recordedAt"]
    # Each write audited on the case, against the review.
    for action in ("review.participation", "review.participation.change"):
        [event] = await _events(engine, case_id, action)
        assert (str(event.subject_id), event.person_id, event.acting_as) == (
            review_id,
            world.id("iro"),
            Role.IRO.value,
        )


async def test_every_problem_is_reported_at_once_with_stable_codes(
    client: httpx.AsyncClient, world: World
) -> None:
    case_id = await world.open_case()
    [review_id] = await _reviews(client, world, case_id, held=True)
    token = await world.token("iro")
    cases_ = [
        (
            {"attendance": None, "conveyedBy": "x" * 201, "wishesAndFeelings": "y" * 10001},
            [("REQUIRED", "attendance"), ("TOO_LONG", "conveyedBy"), ("TOO_LONG", "wishesAndFeelings")],
        ),
        (
            {"attendance": "VIEWS_CONVEYED", "wishesAndFeelings": " \n "},
            [("REQUIRED", "viewsConveyed"), ("REQUIRED", "wishesAndFeelings")],
        ),
        (
            {"attendance": "VIEWS_NOT_CONVEYED", "viewsConveyed": "CARER"},
            [("INVALID_VALUE", "viewsConveyed")],
        ),
        (
            {"attendance": "ATTENDED", "viewsConveyed": "OTHER", "wishesAndFeelings": SAID},
            [("REQUIRED", "conveyedBy")],
        ),
    ]
    for input, codes in cases_:
        payload = await _record(client, token, review_id, **input)
        assert payload_codes(payload) == codes, input
        assert payload["review"] is None
    # Nothing was written.
    assert await _participation(client, token, case_id, review_id) is None
    # Views not conveyed: nothing more is needed. Attended: how is optional.
    payload = await _record(client, token, review_id, attendance="VIEWS_NOT_CONVEYED")
    assert payload["errors"] == []
    assert payload["review"]["participation"]["wishesAndFeelings"] == ""
    payload = await _record(client, token, review_id, attendance="ATTENDED", wishesAndFeelings=SAID)
    assert payload["errors"] == []
    assert payload["review"]["participation"]["viewsConveyed"] is None


async def test_a_review_not_yet_held_is_refused(client: httpx.AsyncClient, world: World) -> None:
    case_id = await world.open_case()
    [review_id] = await _reviews(client, world, case_id, held=False)
    payload = await _record(
        client, await world.token("iro"), review_id, attendance="ATTENDED", wishesAndFeelings=SAID
    )
    assert payload_codes(payload) == [("NOT_YET_HELD", "id")]


async def test_only_the_childs_iro_records_it_and_refused_looks_like_missing(
    client: httpx.AsyncClient, world: World
) -> None:
    """Another IRO on the case (a sibling's) is told they are not the child's; anyone else who may not
    manage the case's reviews gets exactly the answer a review that does not exist gives."""
    case_id = await world.open_case(AMY_AND_BEN)
    amy_review = await _amys_review_and_bens_own_iro(client, world, case_id)
    input = {"attendance": "ATTENDED", "wishesAndFeelings": SAID}
    sibling = await _record(client, await world.token("iro2"), amy_review, **input)
    assert payload_codes(sibling) == [("NOT_ON_CASE", "id")]
    for who in ("guardian", "solicitor", "social_worker", "iro_manager", "cafcass_manager", "other_iro"):
        token = await world.token(who)
        refused = await _record(client, token, amy_review, **input)
        assert payload_codes(refused) == [("NOT_FOUND", "id")], who
        missing = await _record(client, token, str(uuid.uuid4()), **input)
        assert refused == missing, who


async def _with_social_worker(world: World, case_id: uuid.UUID) -> None:
    solicitor = await world.actor("solicitor")
    async with world.sessions() as session, session.begin():
        await cases.assign_social_worker(
            session, solicitor, cases.Allocation(case_id, world.id("social_worker"))
        )


async def test_what_the_child_said_privately_is_read_by_their_iro_alone(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine
) -> None:
    """Everyone who sees the review sees that the child's participation was recorded, and how they took
    part; only the child's IRO reads what they said (not the guardian, the solicitor, the social worker,
    the managers, nor the IRO of the child's sibling on the same case), and a token of the IRO's without
    private:read does not either. Each reading of what was said is audited."""
    case_id = await world.open_case(AMY_AND_BEN)
    await _with_social_worker(world, case_id)
    amy_review = await _amys_review_and_bens_own_iro(client, world, case_id)
    token = await world.token("iro")
    shared = await gql(client, token, "ShareReviewRecord", input={"id": amy_review, "record": "Decisions"})
    assert shared["data"]["shareReviewRecord"]["errors"] == []
    payload = await _record(
        client,
        token,
        amy_review,
        attendance="VIEWS_CONVEYED",
        viewsConveyed="TO_THE_IRO_BEFORE",
        conveyedBy="Met the IRO at school",
        wishesAndFeelings=SAID,
        private=True,
    )
    assert payload["errors"] == []

    mine = await _participation(client, token, case_id, amy_review)
    assert mine is not None
    assert (mine["wishesAndFeelings"], mine["wishesWithheld"]) == (SAID, False)
    # Read by the IRO twice (the mutation's answer, then the case), and each time recorded.
    looks = await _events(engine, case_id, "case.review.participation")
    assert [look.person_id for look in looks] == [world.id("iro")] * 2

    for who in ("guardian", "solicitor", "social_worker", "iro_manager", "cafcass_manager", "iro2"):
        seen = await _participation(client, await world.token(who), case_id, amy_review)
        assert seen is not None, who
        assert (seen["attendance"], seen["viewsConveyed"], seen["conveyedBy"], seen["private"]) == (
            "VIEWS_CONVEYED",
            "TO_THE_IRO_BEFORE",
            "Met the IRO at school",
            True,
        ), who
        assert (seen["wishesAndFeelings"], seen["wishesWithheld"]) == (None, True), who
    # None of them was recorded as reading it.
    assert len(await _events(engine, case_id, "case.review.participation")) == len(looks)

    async with create_session_factory(engine)() as session, session.begin():
        _, narrow = await create_token(session, None, world.id("iro"), label="read", scopes=["case:read"])
    seen = await _participation(client, narrow, case_id, amy_review)
    assert seen is not None
    assert seen["wishesAndFeelings"] is None


async def test_not_marked_private_it_is_read_as_the_reviews_record(
    client: httpx.AsyncClient, world: World
) -> None:
    """Not private, what the child said is part of the review's record: the IRO's until the record is
    shared with the guardian (P5), then everyone's who sees the review."""
    case_id = await world.open_case()
    [review_id] = await _reviews(client, world, case_id, held=True)
    iro = await world.token("iro")
    payload = await _record(client, iro, review_id, attendance="ATTENDED", wishesAndFeelings=SAID)
    assert payload["errors"] == []
    for who in ("guardian", "solicitor", "cafcass_manager"):
        seen = await _participation(client, await world.token(who), case_id, review_id)
        assert seen is not None
        withheld = (seen["private"], seen["wishesAndFeelings"], seen["wishesWithheld"])
        assert withheld == (False, None, True), who
    shared = await gql(client, iro, "ShareReviewRecord", input={"id": review_id, "record": "Decisions"})
    assert shared["data"]["shareReviewRecord"]["errors"] == []
    for who in ("guardian", "solicitor", "cafcass_manager"):
        seen = await _participation(client, await world.token(who), case_id, review_id)
        assert seen is not None
        assert (seen["wishesAndFeelings"], seen["wishesWithheld"]) == (SAID, False), who


def _actor(roles: set[Role], scopes: set[str] | None = None) -> tuple[Actor, uuid.UUID]:
    from models import CaseRole, OrganisationKind

    case_id = uuid.uuid4()
    held = {CaseRole.IRO} if Role.IRO in roles else {CaseRole.GUARDIAN}
    actor = Actor(
        person_id=uuid.uuid4(),
        name="Someone",
        email="someone@example.gov.uk",
        organisation_id=uuid.uuid4(),
        organisation_name="Riverside",
        organisation_kind=OrganisationKind.LOCAL_AUTHORITY,
        roles=frozenset(roles),
        case_roles={case_id: frozenset(held)},
        scopes=frozenset(scopes) if scopes is not None else None,
    )
    return actor, case_id


@pytest.mark.parametrize(
    ("roles", "scopes", "childs_iro", "reads"),
    [
        ({Role.IRO}, None, True, True),
        ({Role.IRO}, {"case:read", "private:read"}, True, True),
        ({Role.IRO}, {"case:read"}, True, False),
        # Another IRO on the case (a sibling's): not the child's.
        ({Role.IRO}, None, False, False),
        # The guardian reads what was said privately to them and the IRO, not what the child kept for theirs.
        ({Role.GUARDIAN}, None, False, False),
        # A membership without the role behind it counts for nothing.
        ({Role.LA_SOLICITOR}, None, True, False),
    ],
)
def test_the_rule_for_what_a_child_said_privately(
    roles: set[Role], scopes: set[str] | None, childs_iro: bool, reads: bool
) -> None:
    actor, case_id = _actor(roles, scopes)
    got = reads_child_wishes(actor, case_id, private=True, childs_iro=childs_iro, record_visible=True)
    assert got is reads
    # Not private: as the review's record, whoever it is.
    for visible in (True, False):
        assert (
            reads_child_wishes(actor, case_id, private=False, childs_iro=childs_iro, record_visible=visible)
            is visible
        )
