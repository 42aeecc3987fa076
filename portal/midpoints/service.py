"""Midpoint checks between a looked-after child's reviews, and the IRO manager's coverage figures (issue 19).

The child's IRO records each check: the day, whether they read the file, their contact with the social worker,
and the outcome, with a note unless the plan is on track (RESEARCH-NOTES.md §5.6; IRO Handbook 2010 paras
3.74-3.79: the IRO monitors the case between reviews, and raises problems first with the social worker and
their team manager, ch. 6). The manager sees, per IRO of the authority and for the authority, how many of the
looked-after children were monitored this cycle, and over a period how many reviews had a check before them
(§7.2: 30-50% in practice). What counts is one rule, in portal/midpoints/coverage.py."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from models import CaseRole, MidpointCheck, MidpointOutcome, Organisation, Role, SocialWorkerContact
from portal import clock
from portal.access.policy import Permission
from portal.access.service import access_case
from portal.audit import service as audit
from portal.auth.actor import Actor
from portal.cases import repository as cases
from portal.dashboards.repository import workload as workload_rows
from portal.dashboards.repository.sql import as_uuid
from portal.dashboards.viewer import require_viewer_for
from portal.errors import DomainError, ErrorCode, NotFound, Problems
from portal.midpoints import repository
from portal.midpoints.coverage import CycleRow, Standing, current_cycle, midpoint, percent, review_cycles
from portal.validation import check_past_date, clean

NOTE_MAX_LENGTH = 4000


@dataclass(frozen=True)
class RecordCheck:
    case_id: uuid.UUID
    child_id: uuid.UUID | None
    done_on: date | None
    file_read: bool | None
    social_worker_contact: SocialWorkerContact | None
    outcome: MidpointOutcome | None
    note: str = ""


async def record_check(session: AsyncSession, actor: Actor, data: RecordCheck) -> MidpointCheck:
    """Record a midpoint check on a looked-after child (their IRO on the case only). Anyone who may not
    manage the case's reviews finds no such case; another IRO on the case is told they are not the child's
    (NOT_ON_CASE); every other problem is listed at once."""
    try:
        access = await access_case(session, actor, data.case_id, Permission.MANAGE_REVIEWS)
    except NotFound:
        raise NotFound("Case", "caseId") from None
    iros = await cases.live_memberships(session, data.case_id, CaseRole.IRO)
    mine = {m.child_id for m in iros if m.person_id == actor.person_id}
    if not mine:
        raise DomainError.one(
            ErrorCode.NOT_ON_CASE, "You are not the IRO for a child on this case", "childId"
        )
    children = {c.id: c for c in await cases.case_children(session, data.case_id)}
    child = children.get(data.child_id) if data.child_id is not None else None
    problems = Problems()
    if data.child_id is None:
        problems.add(ErrorCode.REQUIRED, "Choose the child you checked on", "childId")
    elif child is None:
        problems.add(ErrorCode.NOT_IN_PROCEEDINGS, "That child is not in these proceedings", "childId")
        child = None
    elif child.id not in mine:
        problems.add(ErrorCode.NOT_ON_CASE, f"You are not the IRO for {child.given_name}", "childId")
        child = None
    elif not child.legal_status.is_looked_after or child.looked_after_since is None:
        problems.add(
            ErrorCode.NOT_LOOKED_AFTER,
            f"{child.given_name} is not looked after, so there are no reviews to monitor between",
            "childId",
        )
        child = None
    check_past_date(
        problems,
        data.done_on,
        "doneOn",
        missing="Enter the date you did the check",
        label="The date of the check",
        today=clock.today(),
        not_before=child.looked_after_since if child else None,
        too_early="The check cannot be before the child became looked after",
    )
    if data.file_read is None:
        problems.add(ErrorCode.REQUIRED, "Say whether you read the child's file", "fileRead")
    if data.social_worker_contact is None:
        problems.add(
            ErrorCode.REQUIRED, "Say how you were in touch with the social worker", "socialWorkerContact"
        )
    if data.outcome is None:
        problems.add(ErrorCode.REQUIRED, "Say what the outcome was", "outcome")
    note = clean(data.note)
    if len(note) > NOTE_MAX_LENGTH:
        problems.add(ErrorCode.TOO_LONG, f"This must be {NOTE_MAX_LENGTH:,} characters or fewer", "note")
    elif not note and data.outcome is not None and data.outcome is not MidpointOutcome.ON_TRACK:
        problems.add(ErrorCode.REQUIRED, "Say what you found, and what you raised or asked for", "note")
    problems.raise_if_any()
    assert child is not None
    assert data.done_on is not None
    assert data.file_read is not None
    assert data.social_worker_contact is not None
    assert data.outcome is not None
    check = MidpointCheck(
        proceedings_id=data.case_id,
        child_id=child.id,
        done_on=data.done_on,
        file_read=data.file_read,
        social_worker_contact=data.social_worker_contact,
        outcome=data.outcome,
        note=note,
        recorded_by_id=actor.person_id,
    )
    session.add(check)
    await session.flush()
    audit.record_on_case(
        session, actor, access, "midpoint_check.record", subject_type="midpoint_check", subject_id=check.id
    )
    return check


@dataclass(frozen=True)
class Line:
    """One IRO's figures, or the authority's. Now: the looked-after children they are the IRO for (each in
    their current cycle) and where each cycle stands. Over the period: the reviews held in it that had a cycle
    before them, and how many had a midpoint check in it."""

    id: uuid.UUID
    name: str
    monitored: int = 0
    not_monitored: int = 0
    not_yet_due: int = 0
    reviews: int = 0
    reviews_checked: int = 0

    @property
    def children(self) -> int:
        return self.monitored + self.not_monitored + self.not_yet_due

    @property
    def due(self) -> int:
        """Children whose midpoint has come, or who were checked already."""
        return self.monitored + self.not_monitored

    @property
    def coverage(self) -> int | None:
        """Monitored this cycle, as a whole percentage of those due; none when none is due."""
        return percent(self.monitored, self.due)

    @property
    def reviews_unchecked(self) -> int:
        return self.reviews - self.reviews_checked

    @property
    def period_coverage(self) -> int | None:
        """Reviews with a check before them, as a whole percentage of the reviews counted."""
        return percent(self.reviews_checked, self.reviews)


@dataclass(frozen=True)
class Coverage:
    """The coverage between reviews for an IRO manager: a line per IRO (the authority's active IROs, by name,
    and anyone else who holds one of its children), the authority's line, and the children behind them (for
    the drill-downs)."""

    iros: list[Line]
    authority: Line | None
    children: list[CycleRow] = field(default_factory=list)
    reviews: list[CycleRow] = field(default_factory=list)


async def _rows(
    session: AsyncSession, actor: Actor, *, start: date, end: date, today: date
) -> tuple[list[CycleRow], list[CycleRow]]:
    """Each looked-after child of the authority with an IRO, in their current cycle (a child on several cases
    counted once, on the latest issued), and each review held in the period with a cycle before it: five
    statements however many children."""
    children = await repository.looked_after_children(session, actor)
    reviews = await repository.held_reviews(session, actor, until=max(end, today))
    checks: dict[tuple[uuid.UUID, uuid.UUID], list[date]] = defaultdict(list)
    for case_id, child_id, day in await repository.check_days(session, actor, until=max(end, today)):
        checks[(as_uuid(case_id), as_uuid(child_id))].append(day)
    held: dict[tuple[uuid.UUID, uuid.UUID], list[date]] = defaultdict(list)
    for review in reviews:
        held[(as_uuid(review["case_id"]), as_uuid(review["child_id"]))].append(review["held_on"])
    latest: dict[uuid.UUID, tuple[date, str]] = {}
    current = []
    for row in sorted(children, key=lambda r: (r["issued_on"], r["case_number"]), reverse=True):
        child_id = as_uuid(row["child_id"])
        if child_id in latest:
            continue
        latest[child_id] = (row["issued_on"], row["case_number"])
        key = (as_uuid(row["case_id"]), child_id)
        days = [d for d in held[key] if d <= today]
        cycle = current_cycle(row["looked_after_since"], days, [d for d in checks[key] if d <= today], today)
        current.append(
            CycleRow(
                key[0],
                row["case_number"],
                child_id,
                row["given_name"],
                row["family_name"],
                as_uuid(row["iro_id"]),
                row["iro_name"],
                cycle.starts_on,
                cycle.last_review,
                cycle.ends_by,
                cycle.midpoint,
                cycle.checked_on,
                cycle.standing,
            )
        )
    iro_at = _iro_at(await repository.iro_memberships(session, actor))
    past = []
    seen: set[tuple[uuid.UUID, uuid.UUID]] = set()
    for review in reviews:
        key = (as_uuid(review["case_id"]), as_uuid(review["child_id"]))
        if key in seen:
            continue
        seen.add(key)
        for before in review_cycles(review["looked_after_since"], held[key], checks[key]):
            if not start <= before.held_on <= end:
                continue
            iro = iro_at(key, before.held_on)
            past.append(
                CycleRow(
                    key[0],
                    review["case_number"],
                    key[1],
                    review["given_name"],
                    review["family_name"],
                    iro[0] if iro else None,
                    iro[1] if iro else None,
                    before.starts_on,
                    before.previous,
                    before.held_on,
                    midpoint(before.starts_on, before.held_on),
                    before.checked_on,
                    Standing.MONITORED if before.checked_on else Standing.NOT_MONITORED,
                    before.held_on,
                )
            )
    order = lambda row: (row.case_number, row.family_name, row.given_name, row.ends_on)  # noqa: E731
    return sorted(current, key=order), sorted(past, key=order)


def _iro_at(
    memberships: Sequence[sa.RowMapping],
) -> Callable[[tuple[uuid.UUID, uuid.UUID], date], tuple[uuid.UUID, str] | None]:
    """Whose child each was on a day: the IRO whose membership of the case for the child covered the day,
    or else (a review held before the case came to the portal) the first IRO the child had on it."""
    by_key: dict[tuple[uuid.UUID, uuid.UUID], list[tuple[date, date | None, uuid.UUID, str]]] = defaultdict(
        list
    )
    for row in memberships:
        by_key[(as_uuid(row["case_id"]), as_uuid(row["child_id"]))].append(
            (
                clock.day_of(row["started_at"]),
                clock.day_of(row["ended_at"]) if row["ended_at"] else None,
                as_uuid(row["iro_id"]),
                row["iro_name"],
            )
        )

    def at(key: tuple[uuid.UUID, uuid.UUID], day: date) -> tuple[uuid.UUID, str] | None:
        found = sorted(by_key.get(key, []), key=lambda m: m[0])
        covering = [m for m in found if m[0] <= day and (m[1] is None or m[1] > day)]
        chosen = covering[-1] if covering else (found[0] if found else None)
        return (chosen[2], chosen[3]) if chosen else None

    return at


def _line(id: uuid.UUID, name: str, children: Sequence[CycleRow], reviews: Sequence[CycleRow]) -> Line:
    def count(standing: Standing) -> int:
        return sum(1 for row in children if row.standing is standing)

    return Line(
        id,
        name,
        monitored=count(Standing.MONITORED),
        not_monitored=count(Standing.NOT_MONITORED),
        not_yet_due=count(Standing.NOT_YET_DUE),
        reviews=len(reviews),
        reviews_checked=sum(1 for row in reviews if row.checked_on is not None),
    )


async def _coverage(session: AsyncSession, actor: Actor, *, start: date, end: date, today: date) -> Coverage:
    require_viewer_for(actor, start, end)
    if not actor.has_role(Role.IRO_MANAGER):
        # The IRO service's own account: for its managers (as its workload is), not Cafcass's.
        return Coverage([], None)
    children, reviews = await _rows(session, actor, start=start, end=end, today=today)
    named = {as_uuid(iro_id): name for iro_id, name in await workload_rows.iros(session, actor)}
    for row in [*children, *reviews]:
        if row.iro_id is not None and row.iro_id not in named:
            named[row.iro_id] = row.iro_name or ""
    lines = [
        _line(
            iro_id,
            name,
            [row for row in children if row.iro_id == iro_id],
            [row for row in reviews if row.iro_id == iro_id],
        )
        for iro_id, name in sorted(named.items(), key=lambda item: (item[1], str(item[0])))
    ]
    authority = await session.get(Organisation, actor.organisation_id)
    name = authority.name if authority else ""
    return Coverage(lines, _line(actor.organisation_id, name, children, reviews), children, reviews)


async def coverage_for_period(
    session: AsyncSession, actor: Actor, *, start: date, end: date, today: date
) -> Coverage:
    """For an IRO manager: the coverage between reviews per IRO of their authority and for the authority,
    now (as of ``today``) and over the period from ``start`` to ``end`` (empty for a Cafcass manager; refused
    for anyone who may not see the dashboards, or a period they refuse). Audited as a dashboard section's
    reading. The annual report's figure for a year is this function's for that year."""
    found = await _coverage(session, actor, start=start, end=end, today=today)
    if found.authority is not None:
        audit.record(session, actor, "midpoints.read", subject_type="dashboard")
    return found


# The figures behind which the drill-downs list the children: each a test on a row of the current cycle
# (``current``) or of the period's reviews.
FIGURES: dict[str, tuple[bool, Callable[[CycleRow], bool]]] = {
    "children": (True, lambda row: True),
    "due": (True, lambda row: row.standing is not Standing.NOT_YET_DUE),
    "monitored": (True, lambda row: row.standing is Standing.MONITORED),
    "not_monitored": (True, lambda row: row.standing is Standing.NOT_MONITORED),
    "not_yet_due": (True, lambda row: row.standing is Standing.NOT_YET_DUE),
    "reviews": (False, lambda row: True),
    "reviews_checked": (False, lambda row: row.checked_on is not None),
    "reviews_unchecked": (False, lambda row: row.checked_on is None),
}


async def rows_behind(
    session: AsyncSession,
    actor: Actor,
    category: str,
    *,
    start: date,
    end: date,
    today: date,
    iro_id: uuid.UUID | None = None,
) -> list[CycleRow]:
    """The children (or reviews) behind one coverage figure (``category``, one of FIGURES), of one IRO
    (``iro_id``) or of the authority: exactly those the figure counts."""
    found = await _coverage(session, actor, start=start, end=end, today=today)
    current, test = FIGURES[category]
    rows = found.children if current else found.reviews
    return [row for row in rows if test(row) and (iro_id is None or row.iro_id == iro_id)]
