"""The root Query type."""

from __future__ import annotations

import base64
import binascii
import dataclasses
import uuid
from datetime import date

import strawberry

from handover.template import CURRENT
from models import Stage
from portal.access.policy import Permission, has_global_permission
from portal.access.service import access_case
from portal.api.context import Info
from portal.api.doc import object_type, resolver
from portal.api.errors import parse_id
from portal.api.iro_service import IroServiceQueries
from portal.api.mutations.cases import OpenProceedingsInput, ProceedingsCheck, check_opening
from portal.api.pagination import PageInfo, page_size
from portal.api.staffing import StaffingQueries
from portal.api.types.adherence import (
    AdherenceLine,
    AtRisk,
    DisputeFigures,
    HandoverFigures,
    IroWorkload,
    PaperTimings,
    Perceived,
    ProceedingsTracker,
    Table1Line,
    TrackerBucket,
)
from portal.api.types.cases import Case, CaseConnection, CaseReference, case_node, load_members, record_look
from portal.api.types.contacts import Contact
from portal.api.types.disputes import Dispute, DisputeLadder
from portal.api.types.email import UndeliveredEmail
from portal.api.types.handovers import HandoverTemplate, MonitoringItem
from portal.api.types.iro_views import IroViewFigures
from portal.api.types.midpoints import MidpointCoverage
from portal.api.types.obligations import Obligation
from portal.api.types.obligations import ObligationRule as ObligationRuleType
from portal.api.types.people import Me, Organisation, Person
from portal.api.types.records import RaisedIssue
from portal.api.types.referrals import CafcassReferral, ReferralTimescale
from portal.api.types.reports import MonthlyReport
from portal.api.types.retention import DeletedCase, RetentionRule
from portal.api.types.tasks import (
    AwaitedReply,
    DecisionsCheckTask,
    DecisionTask,
    DecisionToSettle,
    IssueToAcknowledge,
    Task,
)
from portal.api.types.tokens import ApiToken
from portal.api.workloads import WorkloadQueries
from portal.audit.service import Look
from portal.auth import tokens
from portal.cases import service as cases
from portal.cases.repository import Cursor
from portal.contacts import repository as contact_rows
from portal.dashboards import service as dashboards
from portal.dashboards import table1
from portal.dashboards.adherence import GroupBy, Measure
from portal.dashboards.drill import Figure
from portal.disputes import service as disputes
from portal.errors import DomainError, ErrorCode
from portal.handovers import repository as handover_rows
from portal.mail import service as mail
from portal.midpoints import service as midpoints
from portal.obligations import rules
from portal.obligations import service as obligations
from portal.people import service as people
from portal.raised_issues import service as raised_issues
from portal.referrals import service as referrals
from portal.reports import monthly
from portal.retention import service as retention
from portal.retention.policy import SOURCE, rule_in_words
from portal.reviews import decisions


def encode_cursor(case: Case) -> str:
    return base64.urlsafe_b64encode(f"{case.issued_on.isoformat()}|{case.id}".encode()).decode()


def decode_cursor(cursor: str) -> Cursor:
    try:
        issued, case_id = base64.urlsafe_b64decode(cursor.encode()).decode().split("|")
        return date.fromisoformat(issued), uuid.UUID(case_id)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise DomainError.one(
            ErrorCode.INVALID_VALUE, "That is not a cursor from this list", "after"
        ) from None


@object_type
class Query(StaffingQueries, WorkloadQueries, IroServiceQueries):
    """Reading the portal. Every read of a case is audited."""

    @resolver
    async def me(self, info: Info) -> Me:
        """The person making the request."""
        actor = info.context.require_actor()
        return Me.of(actor, has_global_permission(actor.roles, Permission.OPEN_PROCEEDINGS, actor.scopes))

    @resolver
    async def cases(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        stage: Stage | None = None,
        local_authority_id: strawberry.ID | None = None,
    ) -> CaseConnection:
        """Your cases: those you are a member of, and, for managers, those in your organisation's scope.
        Newest issued first, a page at a time (at most 100), optionally filtered by stage and authority."""
        actor = info.context.require_actor()
        size = page_size(info, first)
        authority = parse_id(local_authority_id, "localAuthorityId") if local_authority_id else None
        cursor = decode_cursor(after) if after else None
        page = await info.context.uow.run(
            lambda s: cases.list_cases(
                s, actor, first=size, after=cursor, stage=stage, local_authority_id=authority
            )
        )
        nodes = [case_node(info, c, cases.viewer_roles(actor, c.id), Look.LIST) for c in page.cases]
        end = encode_cursor(nodes[-1]) if nodes else None
        return CaseConnection(
            nodes=nodes,
            page_info=PageInfo(has_next_page=page.has_next, end_cursor=end),
            total_count=page.total,
        )

    @resolver
    async def case(self, info: Info, id: strawberry.ID) -> Case | None:
        """One case, the shared view. A case that does not exist and one you may not see give the same
        NOT_FOUND error."""
        actor = info.context.require_actor()
        case_id = parse_id(id, "id")
        need = info.context.case_need
        access = await info.context.uow.run(lambda s: access_case(s, actor, case_id, need))
        for organisation in (access.court, access.local_authority):
            info.context.loaders.organisation.prime(organisation.id, organisation)
        await load_members(info, access.case)
        return case_node(info, access.case, access.roles, Look.VIEW)

    @resolver
    async def open_proceedings_check(self, info: Info, input: OpenProceedingsInput) -> ProceedingsCheck:
        """Every problem that would stop ``openProceedings`` with this input, found without opening anything
        (LA solicitors): a form checks this before its check-your-answers page, since opening proceedings
        starts the 26-week clock. Anyone else gets NOT_PERMITTED."""
        return await check_opening(info, input)

    @resolver
    async def api_tokens(self, info: Info) -> list[ApiToken]:
        """Your API tokens, live and ended, newest first."""
        actor = info.context.require_actor()
        return [
            ApiToken.of(t) for t in await info.context.uow.run(lambda s: tokens.tokens_of(s, actor.person_id))
        ]

    @resolver
    async def undelivered_email(self, info: Info) -> list[UndeliveredEmail]:
        """Email the portal gave up sending to the people you look after, the latest first (at most 200):
        your organisation's as its administrator or a manager, everyone's as a national administrator;
        empty for anyone else."""
        actor = info.context.require_actor()
        found = await info.context.uow.run(lambda s: mail.undelivered(s, actor))
        return [UndeliveredEmail.of(message, name) for message, name in found]

    @resolver
    async def retention_rule(self, info: Info, organisation_id: strawberry.ID) -> RetentionRule:
        """A local authority's rule for keeping its concluded cases, and the cases lately deleted under it
        (its administrators, or a national one; NOT_FOUND for anyone else)."""
        actor = info.context.require_actor()
        organisation_id_ = parse_id(organisation_id, "organisationId")
        found = await info.context.uow.run(
            lambda s: retention.authority_retention(s, actor, organisation_id_)
        )
        years = found.organisation.keep_concluded_years
        return RetentionRule(
            organisation=Organisation.of(found.organisation),
            keep_years_after_conclusion=years,
            rule=rule_in_words(years),
            default_source=SOURCE,
            deleted=[DeletedCase.of(d) for d in found.deleted],
        )

    @resolver
    async def disputes(
        self,
        info: Info,
        case_id: strawberry.ID | None = None,
    ) -> list[Dispute]:
        """Every dispute you may see, the open first, then the latest raised: the IRO manager's, every
        dispute on their authority's cases and the stage it is at; the IRO's, theirs; the guardian's, those
        they were told of; the authority's solicitor's, those past the ladder's stated stage; a manager's,
        those they are named to answer. Empty for anyone else. Given ``caseId``, only those on that case."""
        actor = info.context.require_actor()
        case = parse_id(case_id, "caseId") if case_id is not None else None
        found = await info.context.uow.run(lambda s: disputes.readable_disputes(s, actor, case))
        return [Dispute.of(view, info.context.today) for view in found]

    @resolver
    async def dispute(self, info: Info, id: strawberry.ID) -> Dispute:
        """One dispute, if you may see it (NOT_FOUND otherwise, as for one that does not exist)."""
        actor = info.context.require_actor()
        dispute_id = parse_id(id, "id")
        view = await info.context.uow.run(lambda s: disputes.dispute(s, actor, dispute_id))
        return Dispute.of(view, info.context.today)

    @resolver
    async def dispute_ladder(self, info: Info, organisation_id: strawberry.ID) -> DisputeLadder:
        """A local authority's ladder in force (its administrators, or a national one; NOT_FOUND for
        anyone else)."""
        actor = info.context.require_actor()
        organisation_id_ = parse_id(organisation_id, "organisationId")
        ladder = await info.context.uow.run(lambda s: disputes.authority_ladder(s, actor, organisation_id_))
        return DisputeLadder.of(ladder)

    @resolver
    async def case_dispute_ladder(self, info: Info, case_id: strawberry.ID) -> DisputeLadder:
        """The ladder a challenge raised now on the case would follow (the IRO on the case; NOT_FOUND for
        anyone else)."""
        actor = info.context.require_actor()
        case = parse_id(case_id, "caseId")
        ladder = await info.context.uow.run(lambda s: disputes.case_ladder(s, actor, case))
        return DisputeLadder.of(ladder)

    @resolver
    async def dispute_answerers(self, info: Info, case_id: strawberry.ID) -> list[Person]:
        """The managers of the case's authority you may name to answer a stage of a dispute on it (the IRO
        on the case; NOT_FOUND for anyone else)."""
        actor = info.context.require_actor()
        case = parse_id(case_id, "caseId")
        found = await info.context.uow.run(lambda s: disputes.answerer_candidates(s, actor, case))
        return [Person.of(p) for p in found]

    @resolver
    async def referrals(self, info: Info, case_id: strawberry.ID | None = None) -> list[CafcassReferral]:
        """Every referral to Cafcass you may see, the open first, then the latest: a Cafcass manager's, their
        service area's queue; the IRO manager's, their authority's; the IRO's, theirs; an officer's, those
        they are appointed to. Empty for anyone else. Given ``caseId``, only those on that case."""
        actor = info.context.require_actor()
        case = parse_id(case_id, "caseId") if case_id is not None else None
        found = await info.context.uow.run(lambda s: referrals.readable_referrals(s, actor, case))
        return [CafcassReferral.of(view, info.context.today) for view in found]

    @resolver
    async def referral(self, info: Info, id: strawberry.ID) -> CafcassReferral:
        """One referral to Cafcass, if you may see it (NOT_FOUND otherwise, as for one that does not
        exist)."""
        actor = info.context.require_actor()
        referral_id = parse_id(id, "id")
        view = await info.context.uow.run(lambda s: referrals.referral(s, actor, referral_id))
        return CafcassReferral.of(view, info.context.today)

    @resolver
    async def referral_timescale(self, info: Info, organisation_id: strawberry.ID) -> ReferralTimescale:
        """A Cafcass service area's timescale for referrals in force (its administrators, or a national
        one; NOT_FOUND for anyone else)."""
        actor = info.context.require_actor()
        organisation_id_ = parse_id(organisation_id, "organisationId")
        row = await info.context.uow.run(
            lambda s: referrals.service_area_timescale(s, actor, organisation_id_)
        )
        return ReferralTimescale.of(row)

    @resolver
    async def organisations(self, info: Info) -> list[Organisation]:
        """Every organisation, by kind and name."""
        info.context.require_actor()
        return [Organisation.of(o) for o in await info.context.uow.run(people.organisations)]

    @resolver
    async def people(self, info: Info, organisation_id: strawberry.ID) -> list[Person]:
        """Everyone in an organisation, active or not (administrators only)."""
        actor = info.context.require_actor()
        organisation = parse_id(organisation_id, "organisationId")
        return [
            Person.of(p)
            for p in await info.context.uow.run(lambda s: people.people_of(s, actor, organisation))
        ]

    @resolver
    async def my_tasks(self, info: Info) -> list[Task]:
        """Your tasks: the protocol's obligations that are yours (or shared with you) on your cases, open or
        closed in the last fortnight, by due date. Overdue is worked out in working days, today."""
        actor = info.context.require_actor()
        rows = await info.context.uow.run(lambda s: obligations.tasks(s, actor))
        return [
            Task(
                obligation=Obligation.of(o, rule, info.context.today),
                case=case_node(info, case, cases.viewer_roles(actor, case.id), Look.TASK_LIST),
            )
            for o, rule, case in rows
        ]

    @resolver
    async def my_awaited_replies(self, info: Info) -> list[AwaitedReply]:
        """Contacts to or from you still waiting for a reply, on your cases, the longest overdue first: each
        side sees the same list, so neither can think the other never called (P1)."""
        actor = info.context.require_actor()

        rows = await info.context.uow.run(lambda s: contact_rows.awaited_replies(s, actor))
        return [
            AwaitedReply(
                contact=Contact.of(c, None, None),
                case=case_node(info, case, cases.viewer_roles(actor, case.id), Look.TASK_LIST),
                waiting_on_you=c.to_person_id == actor.person_id,
            )
            for c, case in rows
        ]

    @resolver
    async def my_issues_to_acknowledge(self, info: Info) -> list[IssueToAcknowledge]:
        """Concerns (for an IRO) and significant issues (for a guardian) raised with you and not yet
        acknowledged."""
        actor = info.context.require_actor()

        rows = await info.context.uow.run(lambda s: raised_issues.to_acknowledge(s, actor))
        return [
            IssueToAcknowledge(
                issue=RaisedIssue.of(i),
                case=case_node(info, case, cases.viewer_roles(actor, case.id), Look.TASK_LIST),
            )
            for i, case in rows
        ]

    @resolver
    async def my_review_decisions(self, info: Info) -> list[DecisionTask]:
        """The open decisions of looked-after reviews that are yours to act on, soonest due first, overdue
        ones marked (issue 18). You need not be on the case: you see what to do, by when, the case's number
        and the child's given name."""
        actor = info.context.require_actor()
        rows = await info.context.uow.run(lambda s: decisions.my_open_decisions(s, actor))
        return [DecisionTask.of(row, info.context.today) for row in rows]

    @resolver
    async def decisions_to_settle(self, info: Info, review_id: strawberry.ID) -> list[DecisionToSettle]:
        """For the child's IRO, on a held review whose decisions are still to be recorded: the child's
        decisions still open from earlier reviews (on any of their proceedings), which its decisions must say
        are done, dropped or carried forward (issue 18). Empty for anyone else."""
        actor = info.context.require_actor()
        review = parse_id(review_id, "reviewId")
        rows = await info.context.uow.run(lambda s: decisions.decisions_to_settle(s, actor, review))
        return [DecisionToSettle.of(decision, held_on, info.context.today) for decision, held_on in rows]

    @resolver
    async def my_decision_checks(self, info: Info) -> list[DecisionsCheckTask]:
        """For a manager of a local authority: the reviews' decisions an IRO asked you to confirm or
        dispute, not yet answered, oldest first (issue 18)."""
        actor = info.context.require_actor()
        rows = await info.context.uow.run(lambda s: decisions.checks_awaiting_me(s, actor))
        return [DecisionsCheckTask.of(row) for row in rows]

    @resolver
    async def adherence(
        self, info: Info, start: date, end: date, by: GroupBy = GroupBy.NONE
    ) -> list[AdherenceLine]:
        """Adherence per obligation code for obligations opened from ``start`` to ``end``, grouped ``by``,
        over the cases in your scope (Cafcass and IRO managers)."""
        actor = info.context.require_actor()
        today = info.context.today
        lines = await info.context.uow.run(
            lambda s: dashboards.adherence(s, actor, start=start, end=end, by=by, today=today)
        )
        return [AdherenceLine.of(line) for line in lines]

    @resolver
    async def table1(self, info: Info, start: date, end: date) -> list[Table1Line]:
        """The measured Table 1 over the proceedings in your scope that ran in the period, beside the
        research's perceived figures (Cafcass and IRO managers)."""
        actor = info.context.require_actor()
        today = info.context.today
        measured = await info.context.uow.run(
            lambda s: dashboards.table1(s, actor, start=start, end=end, today=today)
        )
        return [
            Table1Line(
                question=m.question,
                label=table1.QUESTIONS[m.question],
                cases=m.cases,
                always_or_mostly=m.always_or_mostly,
                sometimes=m.sometimes,
                rarely_or_never=m.rarely_or_never,
                perceived=[
                    Perceived(respondent=who, always_or_mostly=mostly, rarely_or_never=rarely)
                    for who, (mostly, rarely) in table1.PERCEIVED[m.question].items()
                ],
            )
            for m in measured
        ]

    @resolver
    async def proceedings_tracker(self, info: Info) -> ProceedingsTracker:
        """The 26-week tracker over the open proceedings in your scope (Cafcass and IRO managers)."""
        actor = info.context.require_actor()
        today = info.context.today
        found = await info.context.uow.run(lambda s: dashboards.tracker(s, actor, today))
        for case_id, *_ in found.at_risk:  # their numbers are shown: recorded as looks behind a figure
            record_look(info, case_id, Look.DRILL_DOWN)
        return ProceedingsTracker(
            buckets=[TrackerBucket(label=label, count=count) for label, count in found.buckets],
            extended=found.extended,
            at_risk=[
                AtRisk(
                    case_id=strawberry.ID(str(case_id)),
                    case_number=number,
                    deadline=deadline,
                    days_remaining=days,
                )
                for case_id, number, deadline, days in found.at_risk
            ],
        )

    @resolver
    async def iro_workload(self, info: Info) -> list[IroWorkload]:
        """For an IRO manager: each IRO of your authority and their caseload, weighed as IRO managers count
        it (issue 19), with their open conflicts of interest; empty for anyone else. The authority's total
        and weights: authorityWorkload."""
        actor = info.context.require_actor()
        today = info.context.today
        loads = await info.context.uow.run(lambda s: dashboards.iro_workload(s, actor, today))
        return [IroWorkload.of(info, load) for load in loads]

    @resolver
    async def midpoint_coverage(self, info: Info, start: date, end: date) -> MidpointCoverage:
        """For an IRO manager: monitoring between reviews (issue 19), per IRO of your authority and for the
        authority: the looked-after children monitored this cycle (a midpoint check since their last review),
        not monitored with their midpoint passed, and not yet due; and of the reviews held from ``start`` to
        ``end``, how many had a midpoint check in the cycle before them. Empty for a Cafcass manager."""
        actor = info.context.require_actor()
        today = info.context.today
        found = await info.context.uow.run(
            lambda s: midpoints.coverage_for_period(s, actor, start=start, end=end, today=today)
        )
        return MidpointCoverage.of(found)

    @resolver
    async def handover_figures(self, info: Info, start: date, end: date) -> HandoverFigures:
        """Handovers that fell due from ``start`` to ``end`` in your scope: on time, late, missing, awaited
        and acknowledged (Cafcass and IRO managers)."""
        actor = info.context.require_actor()
        today = info.context.today
        found = await info.context.uow.run(
            lambda s: dashboards.handovers(s, actor, start=start, end=end, today=today)
        )
        return HandoverFigures(**dataclasses.asdict(found))

    @resolver
    async def paper_timings(self, info: Info, start: date, end: date) -> PaperTimings:
        """Court papers filed from ``start`` to ``end`` in your scope and how fast they reached the IRO's eyes
        (Cafcass and IRO managers)."""
        actor = info.context.require_actor()
        today = info.context.today
        found = await info.context.uow.run(
            lambda s: dashboards.papers(s, actor, start=start, end=end, today=today)
        )
        return PaperTimings(**dataclasses.asdict(found))

    @resolver
    async def dispute_figures(self, info: Info, start: date, end: date) -> DisputeFigures:
        """Disputes about care plans and referrals to Cafcass in your scope, from ``start`` to ``end`` and
        open now (Cafcass and IRO managers)."""
        actor = info.context.require_actor()
        today = info.context.today
        found = await info.context.uow.run(
            lambda s: dashboards.disputes(s, actor, start=start, end=end, today=today)
        )
        return DisputeFigures.of(found)

    @resolver
    async def iro_view_figures(
        self, info: Info, start: date, end: date, by: GroupBy = GroupBy.NONE
    ) -> list[IroViewFigures]:
        """The guardians' analyses first filed from ``start`` to ``end`` in your scope, grouped ``by`` (a team
        or practitioner is the filing guardian's), by whether they cite the IRO's view of the care plan
        (Cafcass and IRO managers; issue 19)."""
        actor = info.context.require_actor()
        today = info.context.today
        lines = await info.context.uow.run(
            lambda s: dashboards.iro_views(s, actor, start=start, end=end, by=by, today=today)
        )
        return [IroViewFigures.of(line) for line in lines]

    @resolver
    async def monthly_report(
        self, info: Info, year: int, month: int, local_authority_id: strawberry.ID | None = None
    ) -> MonthlyReport:
        """For an IRO manager: the monthly management report of your authority (``localAuthorityId``, if
        given, must be it) for a month that has begun: by team, reviews held late and overdue, the reviews'
        decisions overdue, disputes opened, resolved and open at the month's end, and the children concerned
        (issue 19). Each figure is the dashboard's for the same month. Anyone else: NOT_PERMITTED."""
        actor = info.context.require_actor()
        authority = parse_id(local_authority_id, "localAuthorityId") if local_authority_id else None
        today = info.context.today
        found = await info.context.uow.run(
            lambda s: monthly.monthly_report(
                s, actor, year=year, month=month, today=today, authority_id=authority
            )
        )
        return MonthlyReport.of(found)

    @resolver
    async def dashboard_cases(
        self,
        info: Info,
        figure: Figure,
        start: date,
        end: date,
        iro_id: strawberry.ID | None = None,
        by: GroupBy = GroupBy.NONE,
        group_id: strawberry.ID | None = None,
    ) -> list[CaseReference]:
        """The cases behind one figure of Table 1, the tracker, handovers, court papers, disputes and
        referrals, the IRO's view in the guardians' analyses (in the group ``groupId`` of the grouping
        ``by``; no ``groupId`` for the group without one), or (with ``iroId``) an IRO's caseload, within your
        scope: their numbers, and each case itself if you may read it."""
        actor = info.context.require_actor()
        iro = parse_id(iro_id, "iroId") if iro_id else None
        group = parse_id(group_id, "groupId") if group_id else None
        today = info.context.today
        found = await info.context.uow.run(
            lambda s: dashboards.cases_behind(
                s, actor, figure, start=start, end=end, today=today, iro_id=iro, by=by, group_id=group
            )
        )
        return [CaseReference.of(info, case) for case in found]

    @resolver
    async def adherence_cases(
        self,
        info: Info,
        start: date,
        end: date,
        code: str,
        measure: Measure,
        by: GroupBy = GroupBy.NONE,
        group_id: strawberry.ID | None = None,
    ) -> list[CaseReference]:
        """The cases behind one adherence figure, within your scope: their numbers, and each case itself if
        you may read it."""
        actor = info.context.require_actor()
        group = parse_id(group_id, "groupId") if group_id else None
        today = info.context.today
        found = await info.context.uow.run(
            lambda s: dashboards.cases_behind_adherence(
                s, actor, start=start, end=end, code=code, measure=measure, by=by, group_id=group, today=today
            )
        )
        return [CaseReference.of(info, case) for case in found]

    @resolver
    async def my_monitoring_items(self, info: Info) -> list[MonitoringItem]:
        """For an IRO: the issues handed over by guardians to keep under review, by date (P15), on the cases
        where you are the IRO now."""
        actor = info.context.require_actor()
        items = await info.context.uow.run(lambda s: handover_rows.open_monitoring_items(s, actor))
        for item in items:
            record_look(info, item.proceedings_id, Look.TASK_LIST)
        return [MonitoringItem.of(m) for m in items]

    @resolver
    async def handover_template(self, info: Info) -> HandoverTemplate:
        """The handover template new handovers are written on, worded for no case in particular ("the
        child"; a case's handovers give it worded for their children)."""
        info.context.require_actor()
        return HandoverTemplate.of(CURRENT.worded([]))

    @resolver
    async def obligation_rules(self, info: Info) -> list[ObligationRuleType]:
        """The protocol's rules in force: each code's default and every organisation's override. (The
        defaults are recorded as the database is migrated: a read writes nothing.)"""
        info.context.require_actor()
        return [ObligationRuleType.of(r) for r in await info.context.uow.run(rules.current_rules)]

    @resolver
    async def local_authorities(self, info: Info) -> list[Organisation]:
        """Every local authority, by name (for filtering lists)."""
        info.context.require_actor()
        return [Organisation.of(o) for o in await info.context.uow.run(cases.local_authorities)]
