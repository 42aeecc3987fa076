"""The shared case view: the children, the proceedings' timetable, the people and the contact ledger."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime
from enum import StrEnum
from typing import Any

import strawberry
from strawberry.types.nodes import SelectedField

from models import CaseMembership, CaseRole, LegalStatus, ObligationState, Proceedings, Role, Stage
from models import Child as ChildModel
from models import PaperShare as PaperShareModel
from portal.access.policy import Permission, case_permissions, granting_role
from portal.api.context import Info
from portal.api.doc import enum_type, field, object_type, resolver
from portal.api.errors import UserError
from portal.api.pagination import PageInfo, decode_time_cursor, encode_time_cursor, page_size
from portal.api.types.audit import AccessEvent, AccessLog
from portal.api.types.contacts import Contact
from portal.api.types.disputes import Dispute
from portal.api.types.handovers import ClosingCondition, Closure, Handover
from portal.api.types.letters import IroIntroduction
from portal.api.types.midpoints import MidpointCheck, MidpointChild, MidpointCycle
from portal.api.types.obligations import ConsultationArrangement, Obligation, Protocol
from portal.api.types.papers import (
    CarePlanVersion,
    ChecklistItem,
    CourtPaper,
    ForwardingConfirmation,
    PaperVersion,
    PlanChange,
    PlanInBrief,
)
from portal.api.types.people import (
    OrganisationRef,
    Person,
    PersonRef,
    load_person,
    organisation_ref,
    person_ref,
)
from portal.api.types.records import Discussion, FinalOrder, NextReview, RaisedIssue, Review
from portal.api.types.referrals import CafcassReferral
from portal.api.types.retention import CaseRetention, LegalHold
from portal.api.types.significant_changes import SignificantChange
from portal.audit import service as audit
from portal.audit.service import Look
from portal.cases import service as cases_service
from portal.cases.service import age_on
from portal.cases.timescale import timescale
from portal.contacts.service import CASE_ROLE_OF_SIDE, SIDE_OF_ROLE
from portal.dashboards.drill import Behind
from portal.disputes import service as disputes_service
from portal.handovers import service as handovers_service
from portal.midpoints.coverage import CycleRow, current_cycle
from portal.obligations.service import protocol_applies
from portal.papers.checklist import checklist
from portal.papers.plans import PLAN_FIELDS
from portal.papers.plans import history as plan_history
from portal.referrals import service as referrals_service
from portal.retention.policy import kept_until, rule_in_words
from portal.reviews.schedule import standing


@object_type
class Timescale:
    """Where the proceedings stand against the 26-week limit (CA 1989 s32(1)(a)(ii)) and its extensions."""

    statutory_date: date = field("The 26-week date: the same weekday 26 weeks after the day of issue.")
    deadline: date = field(
        "The date the proceedings must finish by: the statutory date plus every extension."
    )
    last_day_within_limit: date = field(
        "The last day within the limit: s32(1)(a)(ii) counts 26 weeks beginning with the day of issue (plus "
        "any extension, s32(5)), so it is the day before the deadline."
    )
    extension_weeks: int = field("The weeks added by extensions, in all.")
    weeks_elapsed: int = field("Whole weeks since issue (to the conclusion, once concluded).")
    days_remaining: int = field("Days left until the deadline; negative once it has passed.")
    overdue: bool = field("Still open after the deadline.")
    at_risk: bool = field(
        "Open, and either overdue or within 4 weeks of the deadline without having reached the final hearing."
    )


@object_type
class SoleScrutiny:
    """The case after the proceedings: the IRO, having acknowledged the handover (P15), is the only
    independent scrutiniser of the child's plan; the handover's issues are their monitoring items."""

    since: datetime = field("When the IRO acknowledged the handover.")
    _iro_ids: strawberry.Private[list[uuid.UUID]]

    @resolver
    def iros(self, info: Info) -> list[PersonRef]:
        """The IRO (or IROs, for siblings) on the case now."""
        return [person_ref(info, i) for i in self._iro_ids]


@object_type
class StageChange:
    """A step in the proceedings' timeline."""

    stage: Stage = field("The stage reached.")
    changed_on: date = field("The date it was reached (the hearing date, or the issue date).")


@object_type
class Extension:
    """An extension of the timetable, of up to 8 weeks, granted only when necessary (CA 1989 s32(5)-(8))."""

    weeks: int = field("How many weeks were added.")
    reason: str = field("Why the court extended the timetable.")
    granted_on: date = field("When the court granted it.")


@object_type
class LegalStatusChange:
    """One entry in a child's legal status history."""

    status: LegalStatus = field("The legal status.")
    effective_from: date = field("When it took effect.")


class IroAbsenceReason(StrEnum):
    NOT_LOOKED_AFTER = "not_looked_after"
    NOT_YET_ASSIGNED = "not_yet_assigned"


IroAbsenceReasonEnum = enum_type(IroAbsenceReason, "Why a child has no IRO on the case.")


@object_type
class IroAbsence:
    """Why a child in proceedings has no IRO."""

    reason: IroAbsenceReason = field("The reason, as a stable value.")
    explanation: str = field("The reason in words.")


@object_type
class Child:
    """A child the proceedings concern."""

    id: strawberry.ID = field("The child's id.")
    given_name: str = field("First name.")
    family_name: str = field("Last name.")
    date_of_birth: date = field("Date of birth.")
    age: int = field("Age in whole years today.")
    legal_status: LegalStatus = field("The current legal status.")
    looked_after: bool = field("Whether the child is looked after (care order of any kind, or section 20).")
    looked_after_since: date | None = field("When the current period of being looked after began.")
    _case_id: strawberry.Private[uuid.UUID]
    _model_id: strawberry.Private[uuid.UUID]

    @resolver
    async def legal_status_history(self, info: Info) -> list[LegalStatusChange]:
        """Every legal status the child has had, oldest first."""
        entries = await info.context.loaders.legal_status.load(self._model_id)
        return [LegalStatusChange(status=e.status, effective_from=e.effective_from) for e in entries]

    @resolver
    async def iro(self, info: Info) -> Person | None:
        """The child's IRO on this case; empty when there is none (see iroAbsence)."""
        return await self._holder(info, CaseRole.IRO)

    @resolver
    async def guardian(self, info: Info) -> Person | None:
        """The child's guardian on this case, once allocated."""
        return await self._holder(info, CaseRole.GUARDIAN)

    @resolver
    async def iro_absence(self, info: Info) -> IroAbsence | None:
        """Why the child has no IRO; empty when they have one."""
        if not self.looked_after:
            return IroAbsence(
                reason=IroAbsenceReason.NOT_LOOKED_AFTER,
                explanation=(
                    f"{self.given_name} is not looked after ({_status_words(self.legal_status)}), "
                    "so has no IRO and the guardian–IRO protocol does not apply."
                ),
            )
        if await self._holder(info, CaseRole.IRO) is None:
            return IroAbsence(
                reason=IroAbsenceReason.NOT_YET_ASSIGNED,
                explanation=f"{self.given_name} is looked after, but no IRO has been assigned yet.",
            )
        return None

    @resolver
    async def next_review(self, info: Info) -> NextReview | None:
        """When the child's next looked-after review is due (CPPCR reg 33); empty when not looked after."""
        if not self.looked_after or self.looked_after_since is None:
            return None
        mine = [
            r
            for r, _ in await info.context.loaders.reviews.load(self._case_id)
            if r.child_id == self._model_id
        ]
        found = standing(
            self.looked_after_since, [(r.review_date, r.held_on) for r in mine], info.context.today
        )
        return NextReview(kind=found.kind, due_by=found.due_by, booked_on=found.booked_on, late=found.late)

    async def _holder(self, info: Info, role: CaseRole) -> Person | None:
        members = await info.context.loaders.memberships.load(self._case_id)
        holder = next(
            (m for m in members if m.child_id == self._model_id and m.role is role and m.ended_at is None),
            None,
        )
        return await load_person(info, holder.person_id) if holder else None

    @resolver
    async def midpoint(self, info: Info) -> MidpointCycle | None:
        """The child's current cycle between reviews on this case, and whether their IRO has done a midpoint
        check in it (issue 19; the rule: portal/midpoints/coverage.py); empty when not looked after."""
        if not self.looked_after or self.looked_after_since is None:
            return None
        reviews = await info.context.loaders.reviews.load(self._case_id)
        checks = await info.context.loaders.midpoint_checks.load(self._case_id)
        today = info.context.today
        return MidpointCycle.of(
            current_cycle(
                self.looked_after_since,
                [r.held_on for r, _ in reviews if r.child_id == self._model_id and r.held_on is not None],
                [c.done_on for c in checks if c.child_id == self._model_id],
                today,
            )
        )

    @staticmethod
    def of(model: ChildModel, case_id: uuid.UUID, today: date) -> Child:
        return Child(
            id=strawberry.ID(str(model.id)),
            given_name=model.given_name,
            family_name=model.family_name,
            date_of_birth=model.date_of_birth,
            age=age_on(model.date_of_birth, today),
            legal_status=model.legal_status,
            looked_after=model.legal_status.is_looked_after,
            looked_after_since=model.looked_after_since,
            _case_id=case_id,
            _model_id=model.id,
        )


def _status_words(status: LegalStatus) -> str:
    return status.value.replace("_", " ").replace("section 20", "section 20 accommodation")


@object_type
class CaseMember:
    """A person's part on the case: their role and the children it covers. Reallocation ends one membership
    and starts another, so ended memberships are the case's history."""

    role: CaseRole = field("Their role on the case.")
    started_at: datetime = field("When they took the role (the earliest, across the children).")
    ended_at: datetime | None = field("When they left the role, if they have.")
    end_reason: str | None = field("Why they left it, if they have.")
    _person_id: strawberry.Private[uuid.UUID]
    _case_id: strawberry.Private[uuid.UUID]
    _child_ids: strawberry.Private[list[uuid.UUID]]

    @resolver
    def person(self, info: Info) -> PersonRef:
        """Who they are and who employs them."""
        return person_ref(info, self._person_id)

    @resolver
    async def children(self, info: Info) -> list[Child]:
        """The children of the case they hold this role for."""
        children = await info.context.loaders.children.load(self._case_id)
        return [Child.of(c, self._case_id, info.context.today) for c in children if c.id in self._child_ids]


def _members(case_id: uuid.UUID, memberships: list[CaseMembership]) -> list[CaseMember]:
    """One row per person, role and whether the role has ended; siblings share a row."""
    grouped: dict[tuple[uuid.UUID, CaseRole, bool], list[CaseMembership]] = defaultdict(list)
    for m in memberships:
        grouped[(m.person_id, m.role, m.ended_at is not None)].append(m)
    rows = []
    for (person_id, role, ended), group in grouped.items():
        last = max(group, key=lambda m: m.ended_at or m.started_at)
        rows.append(
            CaseMember(
                role=role,
                started_at=min(m.started_at for m in group),
                ended_at=last.ended_at if ended else None,
                end_reason=last.end_reason if ended else None,
                _person_id=person_id,
                _case_id=case_id,
                _child_ids=[m.child_id for m in group],
            )
        )
    order = list(CaseRole)
    return sorted(rows, key=lambda r: (r.ended_at is not None, order.index(r.role), r.started_at))


@object_type
class CaseAbilities:
    """What the viewer may do on this case; the pages show only the actions allowed."""

    log_contact: bool = field("Log a contact with the other side (the case's guardian or IRO).")
    mark_reply: bool = field("Mark that the reply to a contact came.")
    manage_proceedings: bool = field("Record extensions, stages and legal status (the LA solicitor).")
    allocate_guardian: bool = field("Allocate or reallocate the guardian (a Cafcass manager in scope).")
    assign_iro: bool = field("Assign or reassign the IRO (an IRO manager in scope).")
    view_access_log: bool = field("See who looked at and changed the case (managers in scope).")
    record_arrangement: bool = field("Record how guardian and IRO keep in touch (P3; the guardian or IRO).")
    waive_obligation: bool = field("Waive obligations whose rules name one of your roles, with a reason.")
    export_child_file: bool = field(
        "Export a child's file for the authority's record (IRO, LA legal, IRO manager)."
    )
    write_handover: bool = field("Write the handover and close your involvement (the guardian, P14).")
    answer_handover: bool = field("Acknowledge or return the handover (the IRO, P15).")
    override_closure: bool = field("Close the guardian's involvement with a reason (a Cafcass manager).")
    file_paper: bool = field("File court papers (the guardian and the LA solicitor).")
    confirm_forwarding: bool = field("Confirm every court paper is forwarded to the IRO (the guardian).")
    record_iro_view: bool = field(
        "Record whether your analyses cite the IRO's view of the care plan (the guardian; issue 19)."
    )
    manage_reviews: bool = field("Book reviews, tell the guardian, record them held (P4, P5; the IRO).")
    notify_significant_change: bool = field(
        "Tell a child's IRO of a significant change in their circumstances (SC; the child's social worker, "
        "or their IRO recording one)."
    )
    prepare_reviews: bool = field(
        "Record the social worker's part before a review (SW1, SW2; the child's social worker or IRO)."
    )
    write_to_children: bool = field(
        "Introduce yourself to a child you are the IRO for, and tell them what was decided in a resolved "
        "dispute, each with a plain-language letter (the IRO)."
    )
    record_discussion: bool = field(
        "Record a discussion with the guardian on the child's file (P7; the IRO)."
    )
    raise_concern: bool = field("Raise a concern with the IRO (P8; the guardian).")
    record_significant_issue: bool = field("Record a significant issue and tell the guardian (P9; the IRO).")
    acknowledge_issue: bool = field("Acknowledge a concern (the IRO) or a significant issue (the guardian).")
    manage_legal_holds: bool = field(
        "Place or lift a legal hold that keeps the case past its retention date (the LA solicitor, and "
        "managers in scope)."
    )
    raise_challenge: bool = field("Raise a challenge about the care plan (the IRO).")
    read_disputes: bool = field(
        "Read the case's disputes about the care plan that the role table shows you (IRO, IRO manager, "
        "guardian once told, LA solicitor from the ladder's stated stage)."
    )
    refer_to_cafcass: bool = field("Refer the case to Cafcass (CA 1989 s25B(3)(a); the IRO).")
    read_referrals: bool = field(
        "Read the case's referrals to Cafcass (the IRO, the IRO manager, the service area's managers)."
    )


@object_type
class ContactCounts:
    """The contact ledger counted: every entry, and the current ones (not corrected) by who made them."""

    total: int = field("Every entry, corrected ones and their corrections included.")
    from_guardian: int = field("Current entries the guardian made (contact initiated by the guardian).")
    from_iro: int = field("Current entries the IRO made.")
    awaiting_reply: int = field("Current entries still waiting for the reply they expect.")


@object_type
class Case:
    """One set of care proceedings: the shared record that the guardian, the IRO and the LA solicitor all
    see. One set of proceedings may concern several siblings."""

    id: strawberry.ID = field("The case's id.")
    case_number: str = field("The court's case number.")
    issued_on: date = field("When the application was issued.")
    stage: Stage = field("The current stage.")
    viewer_roles: list[Role] = field(
        "The roles you hold on this case (as a member, or as a manager in scope)."
    )
    _model: strawberry.Private[Proceedings]

    @resolver
    def court(self, info: Info) -> OrganisationRef:
        """The family court hearing the proceedings."""
        return organisation_ref(info, self._model.court_id)

    @resolver
    def local_authority(self, info: Info) -> OrganisationRef:
        """The applicant local authority."""
        return organisation_ref(info, self._model.local_authority_id)

    @resolver
    async def timescale(self, info: Info) -> Timescale:
        """The 26-week date, extensions, weeks elapsed and whether the proceedings are at risk."""
        extensions = await info.context.loaders.extensions.load(self._model.id)
        concluded_on = None
        if self._model.stage is Stage.CONCLUDED:
            concluded_on = (await info.context.loaders.stage_changes.load(self._model.id))[-1].changed_on
        t = timescale(
            self._model.issued_on,
            self._model.stage,
            (e.weeks for e in extensions),
            info.context.today,
            concluded_on,
        )
        return Timescale(
            statutory_date=t.statutory_date,
            deadline=t.deadline,
            last_day_within_limit=t.last_day,
            extension_weeks=t.extension_weeks,
            weeks_elapsed=t.weeks_elapsed,
            days_remaining=t.days_remaining,
            overdue=t.overdue,
            at_risk=t.at_risk,
        )

    @resolver
    async def stage_history(self, info: Info) -> list[StageChange]:
        """The proceedings' timeline: each stage reached, oldest first."""
        changes = await info.context.loaders.stage_changes.load(self._model.id)
        return [StageChange(stage=c.stage, changed_on=c.changed_on) for c in changes]

    @resolver
    async def extensions(self, info: Info) -> list[Extension]:
        """Each extension of the timetable, oldest first."""
        extensions = await info.context.loaders.extensions.load(self._model.id)
        return [Extension(weeks=e.weeks, reason=e.reason, granted_on=e.granted_on) for e in extensions]

    @resolver
    async def children(self, info: Info) -> list[Child]:
        """The children the proceedings concern, eldest first."""
        children = await info.context.loaders.children.load(self._model.id)
        return [Child.of(c, self._model.id, info.context.today) for c in children]

    @resolver
    async def members(self, info: Info, include_ended: bool = False) -> list[CaseMember]:
        """Everyone on the case with their role and employer; with includeEnded, those who have left too."""
        memberships = await info.context.loaders.memberships.load(self._model.id)
        return _members(self._model.id, [m for m in memberships if include_ended or m.ended_at is None])

    @resolver
    async def contacts(self, info: Info, first: int | None = None) -> list[Contact]:
        """The contact ledger, newest first. Both sides see the same entries. With `first`, only the newest
        so many (up to the page-size cap); `contactCounts` counts them all."""
        if first is not None:
            newest = await info.context.loaders.newest_contacts(page_size(info, first)).load(self._model.id)
            return [Contact.of(c, reply, corrected_by) for c, reply, corrected_by in newest]
        entries = await info.context.loaders.contacts.load(self._model.id)
        corrected_by = {c.corrects_id: c.id for c, _ in entries if c.corrects_id}
        return [Contact.of(c, reply, corrected_by.get(c.id)) for c, reply in entries]

    @resolver
    async def contact_counts(self, info: Info) -> ContactCounts:
        """How many entries the contact ledger has and who made them (P1), however few are fetched."""
        counts = await info.context.loaders.ledger_counts.load(self._model.id)
        return ContactCounts(
            total=counts.total,
            from_guardian=counts.from_guardian,
            from_iro=counts.from_iro,
            awaiting_reply=counts.awaiting_reply,
        )

    @resolver
    async def protocol(self, info: Info) -> Protocol:
        """Whether the guardian–IRO protocol applies: while a child is in proceedings and looked after."""
        children = await info.context.loaders.children.load(self._model.id)
        if protocol_applies(children):
            return Protocol(applies=True, explanation=None)
        return Protocol(
            applies=False,
            explanation=(
                "No child in these proceedings is looked after, so there is no IRO and the protocol's "
                "obligations do not apply."
            ),
        )

    @resolver
    async def consultation_arrangement(self, info: Info) -> ConsultationArrangement | None:
        """How the guardian and the IRO agreed to keep in touch (P3), once they have."""
        model = await info.context.loaders.arrangement.load(self._model.id)
        return ConsultationArrangement.of(model) if model else None

    @resolver
    async def obligations(self, info: Info) -> list[Obligation]:
        """The protocol's obligations on the case, in the order they fall due, with their evidence."""
        rows = await info.context.loaders.obligations.load(self._model.id)
        return [Obligation.of(o, rule, info.context.today) for o, rule in rows]

    @resolver
    async def reviews(self, info: Info) -> list[Review]:
        """The children's looked-after reviews, by date. A review's record shows once it is shared with
        the guardian (before that, only to the IRO)."""
        models = await info.context.loaders.reviews.load(self._model.id)
        return [Review.of(r, show_record=visible) for r, visible in models]

    @resolver
    async def significant_changes(self, info: Info) -> list[SignificantChange]:
        """Significant changes in the children's circumstances notified to their IRO, the latest first, each
        with the IRO's answer once given: an additional review booked (CPPCR 2010 reg 33(3)), or no review
        needed, with the reason (SC)."""
        changes = await info.context.loaders.significant_changes.load(self._model.id)
        return [SignificantChange.of(c) for c in changes]

    @resolver
    async def midpoint_checks(self, info: Info) -> list[MidpointCheck]:
        """The IRO's midpoint checks between the children's reviews (issue 19), the latest done first: the
        day, the file read, the contact with the social worker, the outcome and a note."""
        return [MidpointCheck.of(c) for c in await info.context.loaders.midpoint_checks.load(self._model.id)]

    @resolver
    async def introductions(self, info: Info) -> list[IroIntroduction]:
        """How each IRO explained their role to each looked-after child and the way of keeping in touch they
        agreed, each with its letter to the child or carer (issue 19), the latest first."""
        return [IroIntroduction.of(i) for i in await info.context.loaders.introductions.load(self._model.id)]

    @resolver
    async def discussions(self, info: Info) -> list[Discussion]:
        """The discussion records on the children's file (P7), newest first."""
        return [Discussion.of(d) for d in await info.context.loaders.discussions.load(self._model.id)]

    @resolver
    async def discussion(self, info: Info, id: strawberry.ID) -> Discussion | None:
        """One discussion record on this case, for its case-file export."""
        found = await info.context.loaders.discussions.load(self._model.id)
        return next((Discussion.of(d) for d in found if str(d.id) == str(id)), None)

    @resolver
    async def raised_issues(self, info: Info) -> list[RaisedIssue]:
        """Concerns (P8) and significant issues (P9), newest first: between the guardian and the IRO (and
        their managers), never shown to the authority's lawyers or social workers. A significant issue not
        yet shared shows only to the IRO."""
        return [RaisedIssue.of(i) for i in await info.context.loaders.raised_issues.load(self._model.id)]

    @resolver
    async def final_orders(self, info: Info) -> list[FinalOrder]:
        """The final order for each child, once the proceedings have ended."""
        return [FinalOrder.of(o) for o in await info.context.loaders.final_orders.load(self._model.id)]

    @resolver
    async def papers(self, info: Info) -> list[CourtPaper]:
        """The court papers you may open, with their versions (an IRO: those shared with them)."""
        shares = await info.context.loaders.paper_shares.load(self._model.id)
        by_version: dict[uuid.UUID, list[PaperShareModel]] = defaultdict(list)
        for share in shares:
            by_version[share.version_id].append(share)
        return [
            CourtPaper.of(paper, [PaperVersion.of(v, by_version[v.id]) for v in versions])
            for paper, versions in await self._visible_papers(info)
        ]

    async def _visible_papers(self, info: Info) -> list[tuple[Any, list[Any]]]:
        """Each paper the viewer may open, with the versions they may open, newest first (the loader
        returns only those)."""
        models = await info.context.loaders.papers.load(self._model.id)
        versions_of = await info.context.loaders.paper_versions.load_many([p.id for p in models])
        return [(paper, versions) for paper, versions in zip(models, versions_of, strict=True) if versions]

    @resolver
    async def care_plans(self, info: Info) -> list[CarePlanVersion]:
        """Every version of the care plan you may open, oldest first, with the differences in the plan in
        brief between versions and the final care plan marked. Read-only."""
        visible = await self._visible_papers(info)
        by_paper = {paper.id: versions for paper, versions in visible}
        models = [paper for paper, _ in visible]
        found = []
        for entry in plan_history(models, by_paper):
            brief = entry.version.plan_in_brief
            found.append(
                CarePlanVersion(
                    paper_id=strawberry.ID(str(entry.paper.id)),
                    title=entry.paper.title,
                    kind=entry.paper.kind,
                    filed_by_party=entry.paper.filed_by_party,
                    is_final=entry.is_final,
                    version=PaperVersion.of(entry.version, []),
                    plan_in_brief=PlanInBrief(**{k: brief.get(k, "") for k in PLAN_FIELDS})
                    if brief
                    else None,
                    changes=[
                        PlanChange(key=c.field, label=PLAN_FIELDS[c.field], before=c.before, after=c.after)
                        for c in entry.changes
                    ],
                    compared=entry.compared,
                )
            )
        return found

    @resolver
    async def paper_checklist(self, info: Info) -> list[ChecklistItem]:
        """P6: the kinds of paper the IRO must have, and how far they have them."""
        models = await info.context.loaders.papers.load(self._model.id)
        versions = await info.context.loaders.paper_versions.load_many([p.id for p in models])
        shares = await info.context.loaders.paper_shares.load(self._model.id)
        members = await info.context.loaders.memberships.load(self._model.id)
        iros = {m.person_id for m in members if m.role is CaseRole.IRO and m.ended_at is None}
        lines = checklist(models, {p.id: v for p, v in zip(models, versions, strict=True)}, shares, iros)
        return [
            ChecklistItem(
                label=line.label,
                kinds=list(line.kinds),
                filed=line.filed,
                with_iro=line.with_iro,
                opened_by_iro=line.opened_by_iro,
                missing=line.filed == 0,
            )
            for line in lines
        ]

    @resolver
    async def forwarding_confirmations(self, info: Info) -> list[ForwardingConfirmation]:
        """The guardian's confirmations that every paper was forwarded to the IRO, newest first."""
        return [
            ForwardingConfirmation.of(c) for c in await info.context.loaders.forwarding.load(self._model.id)
        ]

    @resolver
    async def retention(self, info: Info) -> CaseRetention:
        """How long the case is kept once concluded, and its legal holds."""
        loaders = info.context.loaders
        holds = await loaders.legal_holds.load(self._model.id)
        authority = await loaders.organisation.load(self._model.local_authority_id)
        keep_years = authority.keep_concluded_years if authority else None
        until = None
        if self._model.stage is Stage.CONCLUDED:
            concluded_on = (await loaders.stage_changes.load(self._model.id))[-1].changed_on
            children = await loaders.children.load(self._model.id)
            until = kept_until(concluded_on, (c.date_of_birth for c in children), keep_years)
        return CaseRetention(
            rule=rule_in_words(keep_years),
            kept_until=until,
            held=any(h.lifted_at is None for h in holds),
            legal_holds=[LegalHold.of(h) for h in holds],
        )

    @resolver
    async def handovers(self, info: Info) -> list[Handover]:
        """The guardian's handover to the IRO (P14), every version, newest first: for the guardian, the IRO
        and their managers; a draft only for the guardian."""
        return [Handover.of(h) for h in await info.context.loaders.handovers.load(self._model.id)]

    @resolver
    async def disputes(self, info: Info) -> list[Dispute]:
        """The case's disputes about the care plan that the role table shows you (IRO Handbook ch. 6), the
        open first."""
        actor = info.context.require_actor()
        found = await info.context.uow.run(
            lambda s: disputes_service.readable_disputes(s, actor, self._model.id)
        )
        return [Dispute.of(view, info.context.today) for view in found]

    @resolver
    async def referrals(self, info: Info) -> list[CafcassReferral]:
        """The case's referrals to Cafcass, if you may read them (CA 1989 s25B(3)(a)), the open first."""
        actor = info.context.require_actor()
        found = await info.context.uow.run(
            lambda s: referrals_service.readable_referrals(s, actor, self._model.id)
        )
        return [CafcassReferral.of(view, info.context.today) for view in found]

    @resolver
    async def closing_checklist(self, info: Info) -> list[ClosingCondition]:
        """What the guardian must have done before closing their involvement (P12, every paper confirmed
        forwarded, P13, P14), in the order the work is done."""
        return [
            ClosingCondition(key=step.key, label=step.task, met=met)
            for step, met in await self._closing_conditions(info)
        ]

    @resolver
    async def closing_problems(self, info: Info) -> list[UserError]:
        """Why the guardian cannot close their involvement now: what closeGuardianInvolvement would refuse
        (the same check), every reason at once; empty when it can close."""
        members = await info.context.loaders.memberships.load(self._model.id)
        closed = await info.context.loaders.closure.load(self._model.id) is not None
        problems = handovers_service.closing_problems(
            await self._closing_conditions(info),
            closed=closed,
            has_guardian=any(m.role is CaseRole.GUARDIAN and m.ended_at is None for m in members),
        )
        return [UserError.of(p) for p in problems]

    async def _closing_conditions(self, info: Info) -> list[tuple[handovers_service.Step, bool]]:
        obligations = await info.context.loaders.obligations.load(self._model.id)
        confirmed = bool(await info.context.loaders.forwarding.load(self._model.id))
        return handovers_service.closing_conditions((o for o, _ in obligations), confirmed)

    @resolver
    async def sole_scrutiny(self, info: Info) -> SoleScrutiny | None:
        """After the proceedings: once the IRO has acknowledged the guardian's handover (P15), the IRO is the
        only independent scrutiniser of the child's plan. Empty until then."""
        obligations = await info.context.loaders.obligations.load(self._model.id)
        acknowledged = [
            o.closed_at
            for o, _ in obligations
            if o.code == "P15" and o.state is ObligationState.MET and o.closed_at is not None
        ]
        if not acknowledged:
            return None
        members = await info.context.loaders.memberships.load(self._model.id)
        iros = list(
            dict.fromkeys(m.person_id for m in members if m.role is CaseRole.IRO and m.ended_at is None)
        )
        return SoleScrutiny(since=min(acknowledged), _iro_ids=iros)

    @resolver
    async def closure(self, info: Info) -> Closure | None:
        """The close of the guardian's involvement, once it has closed."""
        model = await info.context.loaders.closure.load(self._model.id)
        return Closure.of(model) if model else None

    @resolver
    async def contact_counterparts(self, info: Info) -> list[Person]:
        """The people on the other side you can log a contact with; empty if you cannot log contacts."""
        side = next((SIDE_OF_ROLE[r] for r in self.viewer_roles if r in SIDE_OF_ROLE), None)
        if side is None or Permission.LOG_CONTACT not in case_permissions(self.viewer_roles):
            return []
        wanted = next(role for s, role in CASE_ROLE_OF_SIDE.items() if s is not side)
        members = await info.context.loaders.memberships.load(self._model.id)
        ids = list(dict.fromkeys(m.person_id for m in members if m.role is wanted and m.ended_at is None))
        return [Person.of(p) for p in await info.context.loaders.person.load_many(ids) if p is not None]

    @resolver
    async def access_log(self, info: Info, first: int = 50, after: str | None = None) -> AccessLog | None:
        """Who looked at and changed the case, newest first, a page at a time: for the managers whose scope
        covers it (and in the child's file the pages export, for those who may export it). Anyone else gets
        NOT_FOUND, as for a case they cannot see."""
        actor = info.context.require_actor()
        size = page_size(info, first)
        before = decode_time_cursor(after) if after else None
        exporting = info.context.case_need is Permission.EXPORT_CHILD_FILE
        need = Permission.EXPORT_CHILD_FILE if exporting else Permission.VIEW_ACCESS_LOG
        events, more = await info.context.uow.run(
            lambda s: cases_service.access_log(s, actor, self._model.id, first=size, before=before, need=need)
        )
        end = encode_time_cursor(events[-1].occurred_at, events[-1].id) if events else None
        return AccessLog(
            nodes=[AccessEvent.of(e) for e in events], page_info=PageInfo(has_next_page=more, end_cursor=end)
        )

    @resolver
    def viewer_can(self, info: Info) -> CaseAbilities:
        """What you may do on this case."""
        actor = info.context.require_actor()
        allowed = {
            need
            for need in case_permissions(self.viewer_roles)
            if granting_role(actor, self._model.id, self.viewer_roles, need)
        }
        return CaseAbilities(
            log_contact=Permission.LOG_CONTACT in allowed,
            mark_reply=Permission.MARK_REPLY in allowed,
            manage_proceedings=Permission.MANAGE_PROCEEDINGS in allowed,
            allocate_guardian=Permission.ALLOCATE_GUARDIAN in allowed,
            assign_iro=Permission.ASSIGN_IRO in allowed,
            view_access_log=Permission.VIEW_ACCESS_LOG in allowed,
            record_arrangement=Permission.RECORD_ARRANGEMENT in allowed,
            waive_obligation=Permission.WAIVE_OBLIGATION in allowed,
            export_child_file=Permission.EXPORT_CHILD_FILE in allowed,
            write_handover=Permission.WRITE_HANDOVER in allowed,
            answer_handover=Permission.ANSWER_HANDOVER in allowed,
            override_closure=Permission.OVERRIDE_CLOSURE in allowed,
            file_paper=Permission.FILE_PAPER in allowed,
            confirm_forwarding=Permission.CONFIRM_FORWARDING in allowed,
            record_iro_view=Permission.RECORD_IRO_VIEW in allowed,
            manage_reviews=Permission.MANAGE_REVIEWS in allowed,
            notify_significant_change=Permission.NOTIFY_CHANGES in allowed,
            prepare_reviews=Permission.PREPARE_REVIEWS in allowed,
            write_to_children=Permission.WRITE_TO_CHILD in allowed,
            record_discussion=Permission.RECORD_DISCUSSION in allowed,
            raise_concern=Permission.RAISE_CONCERN in allowed,
            record_significant_issue=Permission.RECORD_SIGNIFICANT_ISSUE in allowed,
            acknowledge_issue=Permission.ACKNOWLEDGE_ISSUE in allowed,
            manage_legal_holds=Permission.MANAGE_LEGAL_HOLDS in allowed,
            raise_challenge=Permission.RAISE_CHALLENGE in allowed,
            read_disputes=Permission.READ_DISPUTES in allowed,
            refer_to_cafcass=Permission.REFER_TO_CAFCASS in allowed,
            read_referrals=Permission.READ_REFERRALS in allowed,
        )


@object_type
class CaseConnection:
    """A page of cases."""

    nodes: list[Case] = field("The cases on this page.")
    page_info: PageInfo = field("How to get the next page.")
    total_count: int = field("How many cases match, across all pages.")


def record_look(info: Info, case_id: uuid.UUID, look: Look, acting_as: Role | None = None) -> None:
    """Note that the response carries the case's content, to be recorded in the audit trail before the
    response leaves (one event per case and kind of look in a request). A page exporting the case names
    its own kind of look in the context."""
    actor = info.context.require_actor()
    audit.look(info.context.uow.session, actor, case_id, info.context.look or look, acting_as)


# The lists on a case whose entries refer to its members (whose duty, who made a contact, who met whom).
REFER_TO_MEMBERS = frozenset({"members", "contacts", "obligations", "discussions", "raisedIssues"})


async def load_members(info: Info, model: Proceedings) -> None:
    """When the case's selection has lists that refer to its members: loads the members, who they are and
    the organisations involved, so that each such reference resolves at once rather than with an await of
    its own (one await per reference is where a long view's time went)."""
    selections = [s for field in info.selected_fields for s in field.selections]
    if not any(not isinstance(s, SelectedField) or s.name in REFER_TO_MEMBERS for s in selections):
        return
    loaders = info.context.loaders
    await loaders.memberships.load(model.id)  # with the members and their organisations
    await loaders.organisation.load_many({model.court_id, model.local_authority_id})  # loaded with the case


def case_node(info: Info, model: Proceedings, roles: Sequence[Role], look: Look) -> Case:
    """The only way a ``Case`` is made, so that every path to one records its look."""
    record_look(info, model.id, look, roles[0] if roles else None)
    return Case(
        id=strawberry.ID(str(model.id)),
        case_number=model.case_number,
        issued_on=model.issued_on,
        stage=model.stage,
        viewer_roles=list(roles),
        _model=model,
    )


@object_type
class CaseReference:
    """A case behind a dashboard figure: its number, which the figures' viewers (with adherence:view) may
    see, and, for those who may also read the case, the case itself and the obligations on it behind the
    figure."""

    id: strawberry.ID = field("The case's id.")
    case_number: str = field("The court's case number.")
    _model: strawberry.Private[Proceedings]
    _obligation_ids: strawberry.Private[frozenset[uuid.UUID]]
    _midpoints: strawberry.Private[tuple[CycleRow, ...]] = ()

    @resolver
    async def case(self, info: Info) -> Case | None:
        """The case, if you may read it (signed in, or a token with case:read); otherwise empty."""
        actor = info.context.require_actor()
        model = await info.context.loaders.readable_case.load(self._model.id)
        if model is None:
            return None
        return case_node(info, model, cases_service.viewer_roles(actor, model.id), Look.DRILL_DOWN)

    @resolver
    async def obligations(self, info: Info) -> list[Obligation]:
        """The obligations on the case that the figure counts, with their owners, due dates and when they
        were met or closed, if you may read the case; otherwise empty, as ``case`` is. For an adherence
        figure: those of its code and measure; for a handover figure: P14 (acknowledged: P15); for a
        court paper figure: each version's P6; for the final discussion: P13; for the other figures, none."""
        if not self._obligation_ids:
            return []
        model = await info.context.loaders.readable_case.load(self._model.id)
        if model is None:
            return []
        actor = info.context.require_actor()
        roles = cases_service.viewer_roles(actor, model.id)
        record_look(info, model.id, Look.DRILL_DOWN, roles[0] if roles else None)
        rows = await info.context.loaders.obligations.load(model.id)
        return [
            Obligation.of(o, rule, info.context.today) for o, rule in rows if o.id in self._obligation_ids
        ]

    @resolver
    async def midpoints(self, info: Info) -> list[MidpointChild]:
        """For a figure of monitoring between reviews: the children on the case it counts (each in their
        current cycle, or a review of theirs held in the period), if you may read the case; otherwise empty,
        as ``case`` is. Empty for every other figure."""
        if not self._midpoints or await info.context.loaders.readable_case.load(self._model.id) is None:
            return []
        return [MidpointChild.of(row) for row in self._midpoints]

    @staticmethod
    def of(info: Info, found: Behind) -> CaseReference:
        model = found.case
        roles = cases_service.viewer_roles(info.context.require_actor(), model.id)
        record_look(info, model.id, Look.DRILL_DOWN, roles[0] if roles else None)
        return CaseReference(
            id=strawberry.ID(str(model.id)),
            case_number=model.case_number,
            _model=model,
            _obligation_ids=found.obligation_ids,
            _midpoints=found.midpoints,
        )
