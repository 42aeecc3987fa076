"""The demo world is believable: it keeps the rules the services enforce, and has the cases the issue asks
for (a sibling group, a child not looked after, a child accommodated before proceedings, ...)."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from models import (
    CafcassReferral,
    CaseMembership,
    CaseRole,
    Child,
    Closure,
    Contact,
    CourtPaper,
    Dispute,
    DisputeDocument,
    DisputeState,
    FinalOrder,
    Handover,
    LegalStatusEntry,
    Obligation,
    OutboxMessage,
    PaperVersion,
    Proceedings,
    ProceedingsChild,
    RaisedIssue,
    ReferralEnquiry,
    ReferralState,
    Review,
    ReviewParticipation,
    SignificantChange,
    StageChange,
)
from portal import clock
from portal.cases.timescale import timescale
from portal.demo import database_is_empty, load_demo, personas
from portal.settings import Settings
from portal.storage import blob_store
from tests.support.queries import QueryCounter


async def _loaded(session: AsyncSession, settings: Settings) -> date:
    today = clock.today()
    assert await database_is_empty(session)
    summary = await load_demo(session, today=today, store=blob_store(settings))
    await session.commit()
    assert not await database_is_empty(session)
    assert summary.children == 24
    assert summary.proceedings >= 10
    assert summary.contacts >= 60
    return today


async def _scalars(session: AsyncSession, stmt: sa.Select) -> list:
    return list((await session.execute(stmt)).all())


async def _every_contact_is_between_the_cases_guardian_and_iro(
    session: AsyncSession, today: date, count_queries: QueryCounter
) -> None:
    member = aliased(CaseMembership)

    def party(person: sa.ColumnElement, role: CaseRole) -> sa.ColumnElement[bool]:
        return (
            sa.select(member.id)
            .where(
                member.proceedings_id == Contact.proceedings_id,
                member.person_id == person,
                member.role == role,
            )
            .exists()
        )

    from_guardian = sa.and_(
        party(Contact.from_person_id, CaseRole.GUARDIAN), party(Contact.to_person_id, CaseRole.IRO)
    )
    from_iro = sa.and_(
        party(Contact.from_person_id, CaseRole.IRO), party(Contact.to_person_id, CaseRole.GUARDIAN)
    )
    wrong = await _scalars(
        session,
        sa.select(Contact.id).where(
            ~sa.or_(
                sa.and_(from_guardian, Contact.initiated_by == "guardian"),
                sa.and_(from_iro, Contact.initiated_by == "iro"),
            )
        ),
    )
    assert wrong == []
    dates = await _scalars(
        session,
        sa.select(Contact.occurred_at, Proceedings.issued_on).join(
            Proceedings, Proceedings.id == Contact.proceedings_id
        ),
    )
    assert all(issued <= occurred.astimezone(clock.LONDON).date() < today for occurred, issued in dates)
    corrections = await _scalars(session, sa.select(Contact.id).where(Contact.corrects_id.is_not(None)))
    assert corrections


async def _memberships_keep_the_rules(
    session: AsyncSession, today: date, count_queries: QueryCounter
) -> None:
    doubled = await _scalars(
        session,
        sa.select(CaseMembership.proceedings_id, CaseMembership.child_id, CaseMembership.role)
        .where(CaseMembership.ended_at.is_(None))
        .group_by(CaseMembership.proceedings_id, CaseMembership.child_id, CaseMembership.role)
        .having(sa.func.count() > 1),
    )
    assert doubled == []
    children = {c.id: c for (c,) in await _scalars(session, sa.select(Child))}
    iro_children = [
        cid
        for (cid,) in await _scalars(
            session, sa.select(CaseMembership.child_id).where(CaseMembership.role == CaseRole.IRO)
        )
    ]
    assert all(children[c].legal_status.is_looked_after for c in iro_children)
    ended = await _scalars(session, sa.select(CaseMembership).where(CaseMembership.ended_at.is_not(None)))
    assert ended, "one guardian was reallocated"


async def _histories_end_in_the_current_state(
    session: AsyncSession, today: date, count_queries: QueryCounter
) -> None:
    for (proceedings,) in await _scalars(session, sa.select(Proceedings)):
        stages = [
            s
            for (s,) in await _scalars(
                session,
                sa.select(StageChange.stage)
                .where(StageChange.proceedings_id == proceedings.id)
                .order_by(StageChange.changed_on),
            )
        ]
        assert stages[-1] is proceedings.stage
    for (child,) in await _scalars(session, sa.select(Child)):
        statuses = [
            s
            for (s,) in await _scalars(
                session,
                sa.select(LegalStatusEntry.status)
                .where(LegalStatusEntry.child_id == child.id)
                .order_by(LegalStatusEntry.effective_from),
            )
        ]
        assert statuses[-1] is child.legal_status
        assert (child.looked_after_since is not None) == child.legal_status.is_looked_after


async def _the_world_has_the_cases_people_ask_about(
    session: AsyncSession, today: date, count_queries: QueryCounter
) -> None:
    sizes = [
        n
        for (n,) in await _scalars(
            session,
            sa.select(sa.func.count())
            .select_from(ProceedingsChild)
            .group_by(ProceedingsChild.proceedings_id),
        )
    ]
    assert 3 in sizes  # a sibling group in one set of proceedings
    rows = await _scalars(
        session,
        sa.select(Child, Proceedings)
        .join(ProceedingsChild, ProceedingsChild.child_id == Child.id)
        .join(Proceedings, Proceedings.id == ProceedingsChild.proceedings_id),
    )
    assert any(not c.legal_status.is_looked_after for c, _ in rows)  # in proceedings, not looked after
    assert any(c.looked_after_since and c.looked_after_since < p.issued_on for c, p in rows)  # s20 first
    cases = {p.id: p for _, p in rows}
    unallocated = [
        p
        for p in cases.values()
        if not await _scalars(
            session,
            sa.select(CaseMembership.id).where(
                CaseMembership.proceedings_id == p.id, CaseMembership.role == CaseRole.GUARDIAN
            ),
        )
    ]
    assert unallocated  # work for the Cafcass manager
    flags = [timescale(p.issued_on, p.stage, [], today) for p in cases.values()]
    assert any(t.at_risk for t in flags)
    assert any(t.overdue for t in flags)


async def _personas_describe_everyone_in_two_statements(
    session: AsyncSession, today: date, count_queries: QueryCounter
) -> None:
    with count_queries() as statements:
        people = await personas(session)
    assert len(statements) <= 2
    assert len(people) == 21
    assert all(p.description for p in people)
    grace = next(p for p in people if p.name == "Grace Okafor")
    assert grace.description.startswith("Children's guardian on ")


async def _the_demo_replays_allocations_and_contacts_through_the_protocol_engine(
    session: AsyncSession, today: date, count_queries: QueryCounter
) -> None:
    rows = (
        await session.execute(
            sa.select(Obligation.code, Obligation.state, sa.func.count()).group_by(
                Obligation.code, Obligation.state
            )
        )
    ).all()
    counts = {(code, state.value): n for code, state, n in rows}
    # Every case with a guardian and a looked-after child has P2 and P3; most guardians have made contact.
    assert counts[("P2", "met")] >= 8
    assert counts.get(("P2", "open"), 0) >= 1  # a case where the guardian never called the IRO
    assert sum(n for (code, _), n in counts.items() if code == "P3") == sum(
        n for (code, _), n in counts.items() if code == "P2"
    )


async def _the_demo_sends_no_email_about_its_past(
    session: AsyncSession, today: date, count_queries: QueryCounter
) -> None:
    assert (await session.execute(sa.select(sa.func.count()).select_from(OutboxMessage))).scalar_one() == 0


async def _has_something_for_every_page(
    session: AsyncSession, today: date, count_queries: QueryCounter
) -> None:
    """Papers (real PDFs in the store), reviews held with records shared, concerns and significant issues,
    final orders and a handover in each state: every page and dashboard section has data on first run."""
    count = lambda model: session.execute(sa.select(sa.func.count()).select_from(model))  # noqa: E731
    for model in (CourtPaper, RaisedIssue, FinalOrder, Closure):
        assert (await count(model)).scalar_one() > 0, model
    states = set((await session.execute(sa.select(Handover.state))).scalars())
    assert {s.value for s in states} == {"draft", "submitted", "returned", "acknowledged"}
    shared = (await session.execute(sa.select(Review).where(Review.record_shared_at.is_not(None)))).scalars()
    assert list(shared)
    booked = await session.execute(sa.select(Review).where(Review.review_date > today))
    assert list(booked.scalars())
    # The children's participation in their held reviews (issue 18): some of it private to their IRO.
    marked = set((await session.execute(sa.select(ReviewParticipation.private))).scalars())
    assert marked == {True, False}
    kinds = set((await session.execute(sa.select(RaisedIssue.kind))).scalars())
    assert {k.value for k in kinds} == {"concern", "significant_issue"}
    # Significant changes told to the IRO (SC): one answered with an additional review, one with none
    # needed, one still to answer (its duty open).
    answers = (
        await session.execute(
            sa.select(SignificantChange.response, Review.kind).outerjoin(
                Review, Review.id == SignificantChange.review_id
            )
        )
    ).all()
    assert sorted((str(r), str(k)) for r, k in answers) == [
        ("None", "None"),
        ("no_review", "None"),
        ("review_booked", "additional"),
    ]
    open_sc = sa.select(sa.func.count()).where(Obligation.code == "SC", Obligation.state == "open")
    assert (await session.execute(open_sc)).scalar_one() == 1
    # A second version of a care plan, with its plan in brief changed in one field only.
    versions = (
        (await session.execute(sa.select(PaperVersion).where(PaperVersion.version == 2))).scalars().all()
    )
    assert versions
    first = (
        await session.execute(
            sa.select(PaperVersion).where(
                PaperVersion.paper_id == versions[0].paper_id, PaperVersion.version == 1
            )
        )
    ).scalar_one()
    assert first.plan_in_brief
    assert versions[0].plan_in_brief
    changed = {k for k in first.plan_in_brief if first.plan_in_brief[k] != versions[0].plan_in_brief[k]}
    assert changed == {"placement"}


async def _disputes_at_several_stages_and_a_referral(
    session: AsyncSession, today: date, count_queries: QueryCounter
) -> None:
    """Issue 17: informal, resolved at a stage, at a stage and due, beyond the ladder's time; one referral
    with an officer making enquiries."""
    found = {
        (state, stage, limit_on is not None and limit_on < today)
        for state, stage, limit_on in await _scalars(
            session, sa.select(Dispute.state, Dispute.stage, Dispute.limit_on)
        )
    }
    assert found == {
        (DisputeState.INFORMAL, 0, False),
        (DisputeState.RESOLVED, 1, False),
        (DisputeState.FORMAL, 2, False),
        (DisputeState.FORMAL, 3, True),
    }
    [(state, enquiries)] = await _scalars(
        session,
        sa.select(CafcassReferral.state, sa.func.count(ReferralEnquiry.id))
        .outerjoin(ReferralEnquiry, ReferralEnquiry.referral_id == CafcassReferral.id)
        .group_by(CafcassReferral.id, CafcassReferral.state),
    )
    assert (state, enquiries) == (ReferralState.OFFICER_APPOINTED, 1)
    # The team manager's answer in writing, kept with the dispute at the service manager's stage.
    documents = await _scalars(
        session,
        sa.select(Dispute.stage, DisputeDocument.stage, DisputeDocument.content_type).join(
            DisputeDocument, DisputeDocument.dispute_id == Dispute.id
        ),
    )
    assert documents == [(2, 1, "application/pdf")]


async def test_the_demo_world_is_believable(
    session: AsyncSession, settings: Settings, count_queries: QueryCounter
) -> None:
    """One load (it takes seconds), every check on it."""
    today = await _loaded(session, settings)
    store = blob_store(settings)
    digest = (await session.execute(sa.select(PaperVersion.sha256).limit(1))).scalar_one()
    content = b"".join([chunk async for chunk in store.read(digest)])
    assert content.startswith(b"%PDF-")
    for check in (
        _every_contact_is_between_the_cases_guardian_and_iro,
        _memberships_keep_the_rules,
        _histories_end_in_the_current_state,
        _the_world_has_the_cases_people_ask_about,
        _personas_describe_everyone_in_two_statements,
        _the_demo_replays_allocations_and_contacts_through_the_protocol_engine,
        _the_demo_sends_no_email_about_its_past,
        _has_something_for_every_page,
        _disputes_at_several_stages_and_a_referral,
    ):
        await check(session, today, count_queries)
