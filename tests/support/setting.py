"""The case every combination of person and operation meets in the authorisation tests: a case whose
guardian, IRO, solicitor and social worker changed (so every relationship holds on it), with its history
(a contact, reviews booked and held, a discussion, an issue kept back and a concern, uploads to file), and a
second case at its end (a submitted handover and an amendment in draft); and the people, by role and their
relationship to the case."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import async_sessionmaker

from models import (
    CaseMembership,
    CaseRole,
    ChangeKind,
    DisputeSubject,
    FinalOrderKind,
    LegalHold,
    LegalStatus,
    Obligation,
    OutboxMessage,
    OutboxState,
    Person,
    ReferralGround,
    ReviewDecision,
    Role,
    utcnow,
)
from portal.auth.actor import Via
from portal.auth.service import actor_for_person
from portal.auth.tokens import create_token
from tests.support.world import World

MEMBER, ENDED, IN_SCOPE, OUT_OF_SCOPE, ELSEWHERE, NO_ROLE, NAMED, OFFICER = (
    "member",
    "ended member",
    "manager in scope",
    "manager out of scope",
    "another organisation",
    "no role",
    "named to answer the case's dispute",
    "officer appointed to the case's referral",
)


@dataclass(frozen=True)
class Someone:
    key: str
    role: Role | None
    relation: str


# Who is asked, by their role and their relationship to the case.
PEOPLE = [
    Someone("guardian", Role.GUARDIAN, MEMBER),
    Someone("guardian2", Role.GUARDIAN, ENDED),
    Someone("other_guardian", Role.GUARDIAN, ELSEWHERE),
    Someone("iro", Role.IRO, MEMBER),
    Someone("iro2", Role.IRO, ENDED),
    Someone("other_iro", Role.IRO, ELSEWHERE),
    Someone("solicitor", Role.LA_SOLICITOR, MEMBER),
    Someone("solicitor2", Role.LA_SOLICITOR, ENDED),
    Someone("other_solicitor", Role.LA_SOLICITOR, ELSEWHERE),
    Someone("social_worker", Role.SOCIAL_WORKER, MEMBER),
    Someone("social_worker2", Role.SOCIAL_WORKER, ENDED),
    Someone("other_social_worker", Role.SOCIAL_WORKER, ELSEWHERE),
    Someone("cafcass_manager", Role.CAFCASS_MANAGER, IN_SCOPE),
    Someone("other_cafcass_manager", Role.CAFCASS_MANAGER, OUT_OF_SCOPE),
    Someone("iro_manager", Role.IRO_MANAGER, IN_SCOPE),
    Someone("other_iro_manager", Role.IRO_MANAGER, OUT_OF_SCOPE),
    Someone("team_manager", Role.LA_MANAGER, NAMED),
    Someone("officer", Role.GUARDIAN, OFFICER),
    Someone("other_la_manager", Role.LA_MANAGER, ELSEWHERE),
    Someone("admin", Role.ADMIN, ELSEWHERE),
    Someone("nobody", None, NO_ROLE),
]

# The obligation the matrix asks to waive.
WAIVED = "P3"


@dataclass
class Setting:
    """The case every combination meets, and the ids the operations need."""

    world: World
    case_id: uuid.UUID
    child_id: str
    contact_id: str
    token_ids: dict[str, str]
    obligation_id: str
    child_ids: list[str]
    # A review booked (not yet told or held), and one held without its record shared.
    booked_review_id: str
    held_review_id: str
    discussion_id: str
    # A significant issue not yet shared with the guardian, and a concern the IRO has to acknowledge.
    issue_id: str
    concern_id: str
    # An upload of each person who may file papers, not yet filed.
    upload_ids: dict[str, str]
    # A second case at its end: a submitted handover, and its amendment in draft.
    handover_case_id: str
    # Its first child, never reviewed in the portal.
    handover_child_id: str
    submitted_handover_id: str
    draft_handover_id: str
    draft_revision: int
    # An email to the case's IRO (of Riverside) that gave up, for Riverside's administrator to send again.
    dead_email_id: str = ""
    # A legal hold on the case, placed by its solicitor and not lifted.
    legal_hold_id: str = ""
    # A dispute the IRO fast-tracked to the default ladder's third stage (where the solicitor sees it),
    # the team manager named to answer it and the guardian told of it; and one still informal and untold.
    dispute_id: str = ""
    untold_dispute_id: str = ""
    # And one resolved informally, untold, for the child's IRO to tell the children what was decided.
    resolved_dispute_id: str = ""
    # A review held whose decisions are recorded and put to the team manager, and its decision the social
    # worker owns (issue 18).
    decided_review_id: str = ""
    decision_id: str = ""
    # A referral to Cafcass from the case's IRO with "officer" appointed to it, and one just made.
    referral_id: str = ""
    new_referral_id: str = ""
    # A guardian's initial analysis filed on the case, whether it cites the IRO's view not yet recorded
    # (issue 19).
    analysis_id: str = ""
    # A significant change in the first child's circumstances, told to the IRO by the social worker and not
    # yet answered (SC; issue 18).
    significant_change_id: str = ""
    # A conflict of interest of Iris (an IRO of Riverside, not on the case) with its first child, recorded by
    # the IRO manager (issue 19).
    conflict_id: str = ""


async def make_setting(world: World, sessions: async_sessionmaker) -> Setting:
    extra = {
        "social_worker2": ("riverside", Role.SOCIAL_WORKER),
        "solicitor2": ("riverside", Role.LA_SOLICITOR),
        "other_social_worker": ("northmoor", Role.SOCIAL_WORKER),
        "officer": ("cafcass", Role.GUARDIAN),
    }
    from portal.people.service import add_person

    async with sessions() as session, session.begin():
        for key, (org, role) in extra.items():
            world.people[key] = await add_person(
                session,
                None,
                organisation_id=world.orgs[org].id,
                name=key,
                email=f"{key}@{org}.example.gov.uk",
                roles=[role],
            )
        # Someone whose roles were all taken away: signed in, but nothing more.
        world.people["nobody"] = Person(
            organisation_id=world.orgs["riverside"].id,
            name="No Role",
            email="nobody@riverside.example.gov.uk",
        )
        session.add(world.people["nobody"])
    case_id = await _case_with_history(world, sessions)
    handover_case_id = await _case_with_history(world, sessions)
    token_ids = {}
    async with sessions() as session, session.begin():
        from models import ApiToken

        for someone in PEOPLE:
            if someone.role is None:
                continue
            token, _ = await create_token(
                session, None, world.id(someone.key), label="mine", scopes=["tokens:manage"]
            )
            token_ids[someone.key] = str(token.id)
        session.add(
            ApiToken(person_id=world.id("nobody"), token_hash=uuid.uuid4().hex, label="old", scopes="")
        )
        await session.flush()
        token_ids["nobody"] = str(
            (
                await session.execute(sa.select(ApiToken.id).where(ApiToken.person_id == world.id("nobody")))
            ).scalar_one()
        )
    async with sessions() as session, session.begin():
        from portal.contacts import service as contacts

        actor = await actor_for_person(session, world.id("guardian"), via=Via.API)
        assert actor is not None
        contact = await contacts.log_contact(
            session,
            actor,
            contacts.LogContact(
                case_id=case_id,
                counterpart_id=world.id("iro"),
                direction=contacts.Direction.OUTGOING,
                occurred_at=utcnow(),
                channel=contacts.Channel.PHONE,
                purpose=contacts.Purpose.INTRODUCTION,
                summary="Hello",
                reply_expected=True,
            ),
        )
        child = (
            await session.execute(
                sa.select(CaseMembership.child_id).where(CaseMembership.proceedings_id == case_id).limit(1)
            )
        ).scalar_one()
        obligation = (
            await session.execute(
                sa.select(Obligation.id).where(
                    Obligation.proceedings_id == case_id, Obligation.code == WAIVED
                )
            )
        ).scalar_one()
        dead_email = await session.scalar(
            sa.update(OutboxMessage)
            .where(
                OutboxMessage.id
                == sa.select(OutboxMessage.id)
                .where(OutboxMessage.person_id == world.id("iro"))
                .limit(1)
                .scalar_subquery()
            )
            .values(state=OutboxState.DEAD, last_error="550 No such user")
            .returning(OutboxMessage.id)
        )
        hold = LegalHold(proceedings_id=case_id, reason="Litigation", placed_by_id=world.id("solicitor"))
        session.add(hold)
    records = await _records(world, sessions, case_id)
    handover = await _handovers(world, sessions, handover_case_id)
    disputes = await _disputes(world, sessions, case_id)
    referrals = await _referrals(world, sessions, case_id)
    return Setting(
        world,
        case_id,
        str(child),
        str(contact.id),
        token_ids,
        str(obligation),
        **records,
        **handover,
        dead_email_id=str(dead_email),
        legal_hold_id=str(hold.id),
        **disputes,
        **referrals,
        conflict_id=await _conflict(world, sessions, case_id, child),
    )


async def _conflict(world: World, sessions: async_sessionmaker, case_id: uuid.UUID, child: object) -> str:
    from models import ConflictKind
    from portal.workloads import conflicts

    async with sessions() as session, session.begin():
        manager = await actor_for_person(session, world.id("iro_manager"), via=Via.API)
        assert manager is not None
        found = await conflicts.record_conflict(
            session,
            manager,
            conflicts.RecordConflict(
                case_id, uuid.UUID(str(child)), world.id("iro2"), ConflictKind.FOSTERING_REVIEWER, "Reviews"
            ),
        )
    return str(found.id)


async def _disputes(world: World, sessions: async_sessionmaker, case_id: uuid.UUID) -> dict[str, str]:
    from portal.disputes import service as disputes

    async with sessions() as session, session.begin():
        iro = await actor_for_person(session, world.id("iro"), via=Via.API)
        assert iro is not None

        def challenge(**fast_track: Any) -> disputes.RaiseChallenge:
            return disputes.RaiseChallenge(
                case_id=case_id,
                subject=DisputeSubject.PLACEMENT_MOVE,
                summary="An unplanned move",
                raised_with="The social worker",
                resolution_sought="Keep the placement",
                sought_by=date.today(),
                **fast_track,
            )

        told = await disputes.raise_challenge(
            session,
            iro,
            challenge(fast_track_stage=3, fast_track_reason="Tomorrow", answerer_id=world.id("team_manager")),
        )
        await disputes.tell_guardian(session, iro, told.id)
        untold = await disputes.raise_challenge(session, iro, challenge())
        resolved = await disputes.raise_challenge(session, iro, challenge())
        await disputes.resolve(session, iro, resolved.id, "Agreed with the team manager", None)
    return {
        "dispute_id": str(told.id),
        "untold_dispute_id": str(untold.id),
        "resolved_dispute_id": str(resolved.id),
    }


async def _referrals(world: World, sessions: async_sessionmaker, case_id: uuid.UUID) -> dict[str, str]:
    from portal.referrals import service as referrals

    async with sessions() as session, session.begin():
        iro = await actor_for_person(session, world.id("iro"), via=Via.API)
        manager = await actor_for_person(session, world.id("cafcass_manager"), via=Via.API)
        assert iro is not None
        assert manager is not None
        refer = referrals.Refer(
            case_id=case_id,
            ground=ReferralGround.FAMILY_LIFE,
            grounds="Contact stopped",
            steps_taken="The ladder",
        )
        referral = await referrals.refer(session, iro, refer)
        await referrals.appoint(session, manager, referral.id, world.id("officer"))
        new = await referrals.refer(session, iro, refer)
    return {"referral_id": str(referral.id), "new_referral_id": str(new.id)}


async def _handovers(world: World, sessions: async_sessionmaker, case_id: uuid.UUID) -> dict[str, Any]:
    """A second case, at its end: the final orders, a submitted handover and an amendment in draft."""
    from portal.cases import final_orders
    from portal.cases import repository as cases
    from portal.handovers import service as handovers
    from tests.test_handover import ANSWERS

    async with sessions() as session, session.begin():
        solicitor = await actor_for_person(session, world.id("solicitor"), via=Via.API)
        guardian = await actor_for_person(session, world.id("guardian"), via=Via.API)
        assert solicitor is not None
        assert guardian is not None
        orders = [
            final_orders.ChildOrder(c.id, FinalOrderKind.CARE_ORDER)
            for c in await cases.case_children(session, case_id)
        ]
        await final_orders.record_final_orders(
            session, solicitor, final_orders.RecordFinalOrders(case_id, date.today(), orders)
        )
        first = await handovers.start(session, guardian, case_id)
        first = await handovers.save_draft(session, guardian, first.id, first.revision, ANSWERS)
        await handovers.submit(session, guardian, first.id, first.revision)
        draft = await handovers.start(session, guardian, case_id)
    return {
        "handover_case_id": str(case_id),
        "handover_child_id": str(orders[0].child_id),
        "submitted_handover_id": str(first.id),
        "draft_handover_id": str(draft.id),
        "draft_revision": draft.revision,
    }


async def _records(world: World, sessions: async_sessionmaker, case_id: uuid.UUID) -> dict[str, Any]:
    from portal.discussions import service as discussions
    from portal.raised_issues import service as issues
    from portal.reviews import decisions as review_decisions
    from portal.reviews import service as reviews
    from portal.significant_changes import service as changes

    async with sessions() as session, session.begin():
        iro = await actor_for_person(session, world.id("iro"), via=Via.API)
        guardian = await actor_for_person(session, world.id("guardian"), via=Via.API)
        social_worker = await actor_for_person(session, world.id("social_worker"), via=Via.API)
        assert iro is not None
        assert guardian is not None
        assert social_worker is not None
        child_ids = list(
            (
                await session.execute(
                    sa.select(CaseMembership.child_id)
                    .where(CaseMembership.proceedings_id == case_id, CaseMembership.role == CaseRole.IRO)
                    .distinct()
                    .order_by(CaseMembership.child_id)
                )
            ).scalars()
        )
        today = date.today()

        async def book(child_id: uuid.UUID) -> str:
            data = reviews.ScheduleReview(case_id, [child_id], today, "At the office", tell_guardian=False)
            return str((await reviews.schedule_review(session, iro, data))[0].id)

        # A review of the first child held, its decisions recorded (one the social worker's) and put to the
        # team manager to confirm (issue 18); then the child's next review booked.
        decided = await book(child_ids[0])
        await reviews.record_held(session, iro, uuid.UUID(decided), today, None)
        await review_decisions.record_decisions(
            session,
            iro,
            review_decisions.RecordDecisions(
                uuid.UUID(decided),
                [review_decisions.NewDecision("Arrange a tutor", world.id("social_worker"), today)],
                manager_id=world.id("team_manager"),
            ),
        )
        decision = await session.scalar(
            sa.select(ReviewDecision.id).where(ReviewDecision.review_id == uuid.UUID(decided))
        )
        booked, held = await book(child_ids[0]), await book(child_ids[1])
        await reviews.record_held(session, iro, uuid.UUID(held), today, None)
        discussion = await discussions.record_discussion(
            session,
            iro,
            discussions.RecordDiscussion(case_id, today, discussions.DiscussionMode.PHONE, "Talked"),
        )
        issue = await issues.raise_issue(
            session,
            iro,
            issues.RaiseIssue(
                case_id, issues.IssueKind.SIGNIFICANT_ISSUE, "An issue", today, "Review", False
            ),
        )
        concern = await issues.raise_issue(
            session, guardian, issues.RaiseIssue(case_id, issues.IssueKind.CONCERN, "A concern")
        )
        change = await changes.notify_change(
            session,
            social_worker,
            changes.NotifyChange(
                case_id, child_ids[0], ChangeKind.PLACEMENT_MOVE, today, "A new foster home"
            ),
        )
    return {
        "child_ids": [str(c) for c in child_ids],
        "booked_review_id": booked,
        "held_review_id": held,
        "decided_review_id": decided,
        "decision_id": str(decision),
        "discussion_id": str(discussion.id),
        "issue_id": str(issue.id),
        "concern_id": str(concern.id),
        "significant_change_id": str(change.id),
        "upload_ids": await _uploads(world, sessions, case_id),
        "analysis_id": await _analysis(world, sessions, case_id),
    }


async def _analysis(world: World, sessions: async_sessionmaker, case_id: uuid.UUID) -> str:
    """The guardian's initial analysis, filed as filing leaves it (the paper and its first version)."""
    from models import Confidentiality, CourtPaper, FilingParty, LawfulBasis, PaperKind, PaperVersion

    async with sessions() as session, session.begin():
        paper = CourtPaper(
            proceedings_id=case_id,
            kind=PaperKind.GUARDIAN_ANALYSIS_INITIAL,
            title="Initial analysis",
            filed_by_party=FilingParty.CHILDRENS_GUARDIAN,
            confidentiality=Confidentiality.STANDARD,
            lawful_basis=LawfulBasis.FPR_12_73_IRO,
            created_by_id=world.id("guardian"),
        )
        session.add(paper)
        await session.flush()
        session.add(
            PaperVersion(
                paper_id=paper.id,
                proceedings_id=case_id,
                version=1,
                sha256=uuid.uuid4().hex * 2,
                size=10,
                content_type="application/pdf",
                filename="analysis.pdf",
                filed_on=utcnow().date(),
                uploaded_by_id=world.id("guardian"),
            )
        )
    return str(paper.id)


async def _uploads(world: World, sessions: async_sessionmaker, case_id: uuid.UUID) -> dict[str, str]:
    from portal.papers.receive import Received
    from portal.papers.service import record_upload

    found = {}
    async with sessions() as session, session.begin():
        for key in ("guardian", "solicitor"):
            actor = await actor_for_person(session, world.id(key), via=Via.API)
            assert actor is not None
            digest = uuid.uuid4().hex * 2
            received = Received(digest, 10, "application/pdf", f"{key}.pdf")
            found[key] = str((await record_upload(session, actor, case_id, received)).id)
    return found


async def _case_with_history(world: World, sessions: async_sessionmaker) -> uuid.UUID:
    """A case whose guardian, IRO, solicitor and social worker changed, so that every relationship in
    PEOPLE holds on it."""
    case_id = await world.open_case(
        [("Amy", LegalStatus.INTERIM_CARE_ORDER), ("Ben", LegalStatus.INTERIM_CARE_ORDER)],
        solicitor="solicitor2",
        guardian="guardian2",
        iro="iro2",
    )
    await world.allocate(case_id, "guardian", reason="Reallocated")
    await world.assign_iro(case_id, "iro", reason="Reallocated")
    async with sessions() as session, session.begin():
        now = utcnow()
        rows = (
            (
                await session.execute(
                    sa.select(CaseMembership).where(
                        CaseMembership.proceedings_id == case_id, CaseMembership.role == CaseRole.LA_SOLICITOR
                    )
                )
            )
            .scalars()
            .all()
        )
        for old in rows:  # the authority's solicitor changed, as happens; and so did its social worker
            old.ended_at, old.end_reason = now, "Reallocated"
            for key, role in (
                ("solicitor", CaseRole.LA_SOLICITOR),
                ("social_worker2", CaseRole.SOCIAL_WORKER),
            ):
                session.add(
                    CaseMembership(
                        proceedings_id=case_id,
                        child_id=old.child_id,
                        person_id=world.id(key),
                        role=role,
                        started_at=now,
                        ended_at=now if key == "social_worker2" else None,
                    )
                )
            session.add(
                CaseMembership(
                    proceedings_id=case_id,
                    child_id=old.child_id,
                    person_id=world.id("social_worker"),
                    role=CaseRole.SOCIAL_WORKER,
                    started_at=now,
                )
            )
    return case_id
