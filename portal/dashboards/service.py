"""The dashboards for Cafcass and IRO managers: each section's figures over the cases in the viewer's scope,
and the cases behind any figure. Each asks first whether the viewer may see the dashboards for that period
(portal/dashboards/viewer.py), counts in SQL (portal/dashboards/repository/), audits the reading and
assembles the figures."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import replace
from datetime import date, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from models import ChildAttendance, LegalStatus, ReferralOutcome, Role, ViewsConveyed
from portal.access.policy import Permission, token_allows
from portal.audit import service as audit
from portal.auth.actor import Actor
from portal.cases.timescale import STATUTORY_WEEKS
from portal.dashboards.adherence import GroupBy, Line, Measure
from portal.dashboards.disputes import Disputes
from portal.dashboards.drill import Behind, Figure
from portal.dashboards.handovers import Handovers, HandoverStatus
from portal.dashboards.iro_views import IroViewLine, IroViewStatus
from portal.dashboards.papers import Papers, PaperStatus
from portal.dashboards.participation import Participation
from portal.dashboards.repository import adherence as adherence_rows
from portal.dashboards.repository import disputes as dispute_rows
from portal.dashboards.repository import drill as drill_rows
from portal.dashboards.repository import handovers as handover_rows
from portal.dashboards.repository import iro_views as iro_view_rows
from portal.dashboards.repository import papers as paper_rows
from portal.dashboards.repository import participation as participation_rows
from portal.dashboards.repository import table1 as table1_rows
from portal.dashboards.repository import workload as workload_rows
from portal.dashboards.repository.sql import as_uuid
from portal.dashboards.table1 import FinalDiscussion, Measured, Regularity
from portal.dashboards.viewer import require_viewer, require_viewer_for
from portal.dashboards.workload import BUCKETS, AuthorityLoad, IroLoad, Tracker
from portal.disputes.ladders import STAGES_MAX
from portal.midpoints import service as midpoints
from portal.midpoints.coverage import CycleRow
from portal.obligations.rules import code_order
from portal.reviews.schedule import standing
from portal.validation import clean
from portal.workloads import service as workloads

# Each Measure's key in adherence's rows, listed once rather than for each of its hundreds of lines.
_MEASURES = tuple(measure.value for measure in Measure)


async def adherence(
    session: AsyncSession, actor: Actor, *, start: date, end: date, by: GroupBy, today: date
) -> list[Line]:
    """Adherence per group and code, by group name then code number."""
    require_viewer_for(actor, start, end)
    found = await adherence_rows.counts(session, actor, start=start, end=end, by=by, today=today)
    audit.record(session, actor, "adherence.read", subject_type="dashboard")
    lines = [
        Line(
            group_id=row["group_id"] if row["group_id"] is None else as_uuid(row["group_id"]),
            group_name=row["group_name"],
            code=row["code"],
            late_median_days=row["p50"],
            late_p90_days=row["p90"],
            **{measure: row[measure] for measure in _MEASURES},
        )
        for row in found
    ]
    order = {code: n for n, code in enumerate(sorted({line.code for line in lines}, key=code_order))}
    return sorted(lines, key=lambda line: (line.group_name, order[line.code]))


async def cases_behind_adherence(
    session: AsyncSession,
    actor: Actor,
    *,
    start: date,
    end: date,
    code: str,
    measure: Measure,
    by: GroupBy,
    group_id: uuid.UUID | None,
    today: date,
) -> list[Behind]:
    """The cases behind one adherence figure, within the viewer's scope: the same rows the figure counts,
    each case with its obligations counted."""
    require_viewer_for(actor, start, end)
    # Compared as text in SQL, which cannot hold every character (PostgreSQL's no NUL): cleaned as free
    # text is. A code of no obligation has no cases behind it.
    code = clean(code)
    return await adherence_rows.cases_behind(
        session,
        actor,
        start=start,
        end=end,
        code=code,
        measure=measure,
        by=by,
        group_id=group_id,
        today=today,
    )


async def cases_behind(
    session: AsyncSession,
    actor: Actor,
    figure: Figure,
    *,
    start: date,
    end: date,
    today: date,
    iro_id: uuid.UUID | None = None,
    by: GroupBy = GroupBy.NONE,
    group_id: uuid.UUID | None = None,
) -> list[Behind]:
    """The cases behind any other figure (for an IRO's figures, ``iro_id``'s; for a grouped figure, the
    group ``group_id`` of the grouping ``by``), within the viewer's scope, each with the obligations the
    figure is about."""
    require_viewer_for(actor, start, end)
    if figure is Figure.IRO_OVERDUE_REVIEWS:
        children = await _iro_children(session, actor, today)
        late = {case for iro, case, _, _, is_late in children if iro == iro_id and is_late}
        return await drill_rows.cases_with_ids(session, late)
    section, _, category = figure.value.partition(":")
    if section == "midpoints":
        # Counted by the one rule in Python (months and working days), as an IRO's late reviews are.
        rows = await midpoints.rows_behind(
            session, actor, category, start=start, end=end, today=today, iro_id=iro_id
        )
        by_case: dict[uuid.UUID, list[CycleRow]] = defaultdict(list)
        for row in rows:
            by_case[row.case_id].append(row)
        found = await drill_rows.cases_with_ids(session, by_case)
        return [replace(case, midpoints=tuple(by_case[case.case.id])) for case in found]
    return await drill_rows.cases_behind(
        session, actor, figure, start=start, end=end, today=today, iro_id=iro_id, by=by, group_id=group_id
    )


async def table1(
    session: AsyncSession, actor: Actor, *, start: date, end: date, today: date
) -> list[Measured]:
    """The measured Table 1: each side's initiating of contact, and the final discussion (what is counted:
    repository/table1.py)."""
    require_viewer_for(actor, start, end)
    row = await table1_rows.counts(session, actor, start=start, end=end, today=today)
    audit.record(session, actor, "table1.read", subject_type="dashboard")

    def regularity(question: str) -> list[int]:
        return [row[f"{question}:{category.value}"] for category in Regularity]

    held, not_held = (row[f"final_discussion:{outcome.value}"] for outcome in FinalDiscussion)
    return [
        Measured("guardian_contacts_iro", row["cases"], *regularity("guardian_contacts_iro")),
        Measured("iro_contacts_guardian", row["cases"], *regularity("iro_contacts_guardian")),
        Measured("final_discussion", held + not_held, held, 0, not_held),
    ]


async def tracker(session: AsyncSession, actor: Actor, today: date) -> Tracker:
    """The 26-week tracker: open cases by weeks since issue, those extended, and those at risk."""
    require_viewer(actor)
    counts, risky = await workload_rows.tracker(session, actor, today)
    at_risk = [
        (
            as_uuid(row["id"]),
            row["case_number"],
            row["issued_on"] + timedelta(weeks=STATUTORY_WEEKS + row["extension_weeks"]),
            row["days_remaining"],
        )
        for row in risky
    ]
    audit.record(session, actor, "tracker.read", subject_type="dashboard")
    return Tracker(
        buckets=[(label, counts.get(index, (0, 0))[0]) for index, (_, label) in enumerate(BUCKETS)],
        extended=sum(extended for _, extended in counts.values()),
        at_risk=at_risk,
    )


async def _iro_children(
    session: AsyncSession, actor: Actor, today: date
) -> list[tuple[uuid.UUID, uuid.UUID, uuid.UUID, bool, bool]]:
    """Each child each IRO of the manager's authority is the live IRO for, in scope: the IRO, the case,
    the child, whether in open proceedings, and whether the child's next review is late by the case page's
    own rule (portal/reviews/schedule.py)."""
    children, reviews = await workload_rows.children_and_reviews(session, actor)
    theirs: dict[tuple[uuid.UUID, uuid.UUID], list[tuple[date, date | None]]] = defaultdict(list)
    for review in reviews:
        theirs[(as_uuid(review["id"]), as_uuid(review["child_id"]))].append(
            (review["review_date"], review["held_on"])
        )
    found = []
    for row in children:
        case, child = as_uuid(row["id"]), as_uuid(row["child_id"])
        since = row["looked_after_since"]
        late = (
            LegalStatus(row["legal_status"]).is_looked_after
            and since is not None
            and standing(since, theirs[(case, child)], today).late
        )
        found.append((as_uuid(row["iro_id"]), case, child, bool(row["in_proceedings"]), late))
    return found


async def iro_workload(session: AsyncSession, actor: Actor, today: date) -> list[IroLoad]:
    """For an IRO manager: each IRO of their authority and their caseload, by name, weighed as the IRO
    manager counts it (issue 19), with their open conflicts of interest."""
    found = await authority_workload(session, actor, today)
    return found.iros if found else []


async def authority_workload(session: AsyncSession, actor: Actor, today: date) -> AuthorityLoad | None:
    """For an IRO manager: their authority's IROs' workloads and the authority's total (None for anyone else
    who may see the dashboards)."""
    require_viewer(actor)
    if not actor.has_role(Role.IRO_MANAGER):
        return None
    loads = await _portal_loads(session, actor, today)
    # The conflicts name children: case content, for a token that reads cases.
    conflicts = token_allows(actor.scopes, Permission.READ_CASE)
    return await workloads.weigh(session, actor.organisation_id, loads, today, conflicts=conflicts)


async def _portal_loads(session: AsyncSession, actor: Actor, today: date) -> list[IroLoad]:
    """Each IRO of the manager's authority and what the portal knows of their caseload."""
    iros = await workload_rows.iros(session, actor)
    children = await _iro_children(session, actor, today)
    audit.record(session, actor, "workload.read", subject_type="dashboard")
    loads = []
    for iro_id, name in iros:
        mine = [row for row in children if row[0] == as_uuid(iro_id)]
        loads.append(
            IroLoad(
                as_uuid(iro_id),
                name,
                children=len({child for _, _, child, _, _ in mine}),
                in_proceedings=len({child for _, _, child, open_, _ in mine if open_}),
                overdue_reviews=len({child for _, _, child, _, late in mine if late}),
            )
        )
    return loads


async def handovers(session: AsyncSession, actor: Actor, *, start: date, end: date, today: date) -> Handovers:
    """The handovers that fell due in the period: on time, late, missing, awaited, acknowledged."""
    require_viewer_for(actor, start, end)
    row = await handover_rows.counts(session, actor, start=start, end=end, today=today)
    audit.record(session, actor, "handovers_dashboard.read", subject_type="dashboard")
    return Handovers(
        due=row["due"],
        acknowledged=row["acknowledged"],
        **{status.value: row[status.value] for status in HandoverStatus},
    )


async def papers(session: AsyncSession, actor: Actor, *, start: date, end: date, today: date) -> Papers:
    """The versions filed in the period: opened by an IRO (and how soon), unopened, or with no IRO. (``today``
    as for every section; the figures are the same whatever the day.)"""
    require_viewer_for(actor, start, end)
    row = await paper_rows.counts(session, actor, start=start, end=end)
    audit.record(session, actor, "paper_timings.read", subject_type="dashboard")
    return Papers(
        filed=row["filed"],
        median_working_days=row["p50"],
        p90_working_days=row["p90"],
        **{status.value: row[status.value] for status in PaperStatus},
    )


async def iro_views(
    session: AsyncSession, actor: Actor, *, start: date, end: date, by: GroupBy, today: date
) -> list[IroViewLine]:
    """The guardians' analyses first filed in the period, per group, by whether they cite the IRO's view of
    the care plan (issue 19), by group name."""
    require_viewer_for(actor, start, end)
    found = await iro_view_rows.counts(session, actor, start=start, end=end, by=by, today=today)
    audit.record(session, actor, "iro_views_dashboard.read", subject_type="dashboard")
    lines = [
        IroViewLine(
            group_id=None if row["group_id"] is None else as_uuid(row["group_id"]),
            group_name=row["group_name"],
            filed=row["filed"],
            **{status.value: row[status.value] for status in IroViewStatus},
        )
        for row in found
    ]
    return sorted(lines, key=lambda line: line.group_name)


async def disputes(session: AsyncSession, actor: Actor, *, start: date, end: date, today: date) -> Disputes:
    """Disputes about care plans and referrals to Cafcass on the cases in scope: raised, fast-tracked and
    resolved in the period (and where, and within the ladder's time or not), open now; referrals made in the
    period, open now and overdue, and how those that concluded in the period ended."""
    require_viewer_for(actor, start, end)
    row = await dispute_rows.counts(session, actor, start=start, end=end, today=today)
    audit.record(session, actor, "disputes_dashboard.read", subject_type="dashboard")
    stages = [(n, row[f"disputes:stage_{n}"]) for n in range(1, STAGES_MAX + 1)]
    return Disputes(
        opened=row[Figure.DISPUTES_OPENED.value],
        fast_tracked=row[Figure.DISPUTES_FAST_TRACKED.value],
        resolved=row[Figure.DISPUTES_RESOLVED.value],
        resolved_informally=row[Figure.DISPUTES_RESOLVED_INFORMALLY.value],
        resolved_at_stage=[(n, count) for n, count in stages if count],
        resolved_within_limit=row[Figure.DISPUTES_RESOLVED_WITHIN_LIMIT.value],
        resolved_beyond_limit=row[Figure.DISPUTES_RESOLVED_BEYOND_LIMIT.value],
        open=row[Figure.DISPUTES_OPEN.value],
        open_beyond_limit=row[Figure.DISPUTES_OPEN_BEYOND_LIMIT.value],
        referrals_made=row[Figure.REFERRALS_MADE.value],
        referrals_open=row[Figure.REFERRALS_OPEN.value],
        referrals_overdue=row[Figure.REFERRALS_OVERDUE.value],
        referral_outcomes=[(outcome, row[f"referrals:{outcome.value}"]) for outcome in ReferralOutcome],
    )


async def participation(
    session: AsyncSession, actor: Actor, *, start: date, end: date, today: date
) -> Participation:
    """The children's participation on the cases in scope: in the reviews held in the period, in the
    introductions of the IROs allocated to them in it, and in being told what the disputes resolved in it
    decided (issue 19)."""
    require_viewer_for(actor, start, end)
    row = await participation_rows.counts(session, actor, start=start, end=end, today=today)
    audit.record(session, actor, "participation_dashboard.read", subject_type="dashboard")
    return Participation(
        reviews=row[Figure.PARTICIPATION_REVIEWS.value],
        attendance=[(how, row[f"participation:reviews_{how.value}"]) for how in ChildAttendance],
        not_recorded=row[Figure.PARTICIPATION_REVIEWS_NOT_RECORDED.value],
        conveyed=[(how, row[f"participation:reviews_by_{how.value}"]) for how in ViewsConveyed],
        allocations=row[Figure.PARTICIPATION_ALLOCATIONS.value],
        introduced=row[Figure.PARTICIPATION_ALLOCATIONS_INTRODUCED.value],
        not_introduced=row[Figure.PARTICIPATION_ALLOCATIONS_NOT_INTRODUCED.value],
        advocacy=row[Figure.PARTICIPATION_ALLOCATIONS_ADVOCACY.value],
        disputes_resolved=row[Figure.PARTICIPATION_DISPUTES_RESOLVED.value],
        disputes_told=row[Figure.PARTICIPATION_DISPUTES_TOLD.value],
    )
