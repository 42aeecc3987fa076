"""Referrals to Cafcass (CA 1989 s25B(3)(a), CPPCR 2010 reg 45): the IRO's referral, each step Cafcass took
on it, and each service area's timescale for those steps (portal/referrals/)."""

from __future__ import annotations

import uuid
from datetime import date, datetime

import strawberry

from models import PaperKind, ReferralGround, ReferralOutcome, ReferralState
from models import ReferralEnquiry as ReferralEnquiryModel
from models import ReferralTimescale as ReferralTimescaleRow
from portal.api.context import Info
from portal.api.doc import field, object_type, resolver
from portal.api.types.people import Person, PersonRef, person_ref
from portal.referrals.service import ReferralView


@object_type
class ReferralEnquiry:
    """An enquiry the Cafcass officer made on a referral."""

    made_on: date = field("When it was made.")
    made_with: str = field("Of whom (the authority, the IRO, the child, the carers ...).")
    note: str = field("What it found.")
    recorded_at: datetime = field("When it was recorded.")
    _recorded_by_id: strawberry.Private[uuid.UUID]

    @resolver
    def recorded_by(self, info: Info) -> PersonRef:
        """Who recorded it."""
        return person_ref(info, self._recorded_by_id)

    @staticmethod
    def of(model: ReferralEnquiryModel) -> ReferralEnquiry:
        return ReferralEnquiry(
            made_on=model.made_on,
            made_with=model.made_with,
            note=model.note,
            recorded_at=model.recorded_at,
            _recorded_by_id=model.recorded_by_id,
        )


@object_type
class ReferralPaper:
    """A court paper the IRO sent with a referral (opened from the case's papers, by those who may)."""

    id: strawberry.ID = field("The paper's id.")
    title: str = field("Its title.")
    kind: PaperKind = field("Its kind.")


@object_type
class ReferralAbilities:
    """What the viewer may do on the referral."""

    manage: bool = field("Acknowledge it and appoint (or change) its officer: a manager of the service area.")
    enquire: bool = field(
        "Record enquiries and the outcome: its officer, or a manager, once one is appointed."
    )


@object_type
class CafcassReferral:
    """An IRO's referral of a case to Cafcass, when the authority's failure may breach the child's human
    rights (CA 1989 s25B(3)(a), CPPCR 2010 reg 45): acknowledged by a manager of the court's Cafcass service
    area, given an officer, who makes enquiries and records the outcome; each step due by the service area's
    timescale. Seen by the IRO and the IRO manager, the service area's managers and the officer appointed.
    To anyone else it does not exist."""

    id: strawberry.ID = field("The referral's id.")
    case_id: strawberry.ID = field("The case referred.")
    case_number: str = field("The case's number.")
    local_authority: str = field("The name of the local authority whose plan it concerns.")
    child_id: strawberry.ID | None = field("The child it concerns; empty for every child of the case.")
    dispute_id: strawberry.ID | None = field("The dispute it takes further, if it began as one.")
    service_area_id: strawberry.ID = field("The Cafcass service area it went to (the court's).")
    referred_at: datetime = field("When it was made.")
    ground: ReferralGround = field("The Convention right the IRO thinks may be breached.")
    grounds: str = field("How the child's rights may be breached, in the IRO's words.")
    steps_taken: str = field("What the IRO did first (the authority's dispute resolution, and how far).")
    papers: list[ReferralPaper] = field("The court papers sent with it.")
    state: ReferralState = field("Where it stands.")
    due_on: date | None = field("When the step it waits for is due; empty once concluded.")
    overdue: bool = field("Whether that step is past its date.")
    acknowledge_due_on: date = field("When its acknowledgement was due.")
    acknowledged_at: datetime | None = field("When a manager acknowledged it.")
    appoint_due_on: date | None = field("When an officer's appointment was (or is) due.")
    appointed_at: datetime | None = field("When its officer was appointed.")
    outcome_due_on: date | None = field("When its outcome was (or is) due.")
    outcome: ReferralOutcome | None = field("How it ended.")
    outcome_on: date | None = field("When it ended.")
    outcome_note: str | None = field("How it was resolved, or what was decided.")
    enquiries: list[ReferralEnquiry] = field("The officer's enquiries, the first first.")
    viewer_can: ReferralAbilities = field("What you may do on it.")
    _referred_by_id: strawberry.Private[uuid.UUID]
    _officer_id: strawberry.Private[uuid.UUID | None]
    _service_area_id: strawberry.Private[uuid.UUID]

    @resolver
    def referred_by(self, info: Info) -> PersonRef:
        """The IRO who made it."""
        return person_ref(info, self._referred_by_id)

    @resolver
    def officer(self, info: Info) -> PersonRef | None:
        """The Cafcass officer appointed, once there is one."""
        return person_ref(info, self._officer_id) if self._officer_id else None

    @resolver
    async def officer_candidates(self, info: Info) -> list[Person]:
        """The officers of the service area you may appoint (a manager of it); empty for anyone else."""
        if not self.viewer_can.manage:
            return []
        return [Person.of(p) for p in await info.context.loaders.officers.load(self._service_area_id)]

    @staticmethod
    def of(view: ReferralView, today: date) -> CafcassReferral:
        r = view.referral
        return CafcassReferral(
            id=strawberry.ID(str(r.id)),
            case_id=strawberry.ID(str(r.proceedings_id)),
            case_number=view.case_number,
            local_authority=view.local_authority,
            child_id=strawberry.ID(str(r.child_id)) if r.child_id else None,
            dispute_id=strawberry.ID(str(r.dispute_id)) if r.dispute_id else None,
            service_area_id=strawberry.ID(str(r.service_area_id)),
            referred_at=r.referred_at,
            ground=r.ground,
            grounds=r.grounds,
            steps_taken=r.steps_taken,
            papers=[
                ReferralPaper(id=strawberry.ID(str(p.id)), title=p.title, kind=p.kind) for p in view.papers
            ],
            state=r.state,
            due_on=r.due_on,
            overdue=view.overdue(today),
            acknowledge_due_on=r.acknowledge_due_on,
            acknowledged_at=r.acknowledged_at,
            appoint_due_on=r.appoint_due_on,
            appointed_at=r.appointed_at,
            outcome_due_on=r.outcome_due_on,
            outcome=r.outcome,
            outcome_on=r.outcome_on,
            outcome_note=r.outcome_note,
            enquiries=[ReferralEnquiry.of(e) for e in view.enquiries],
            viewer_can=ReferralAbilities(manage=view.may_manage, enquire=view.may_enquire),
            _referred_by_id=r.referred_by_id,
            _officer_id=r.officer_id,
            _service_area_id=r.service_area_id,
        )


@object_type
class ReferralTimescale:
    """The working days a Cafcass service area allows for each step of a referral (its own, or the national
    default until it sets one): referrals made from now on follow it, and keep it."""

    version: int = field("Its version; each change is a new one.")
    own: bool = field("Whether it is the service area's own (otherwise the national default).")
    acknowledge_working_days: int = field("From the referral to its acknowledgement.")
    appoint_working_days: int = field("From the acknowledgement to the officer's appointment.")
    outcome_working_days: int = field("From the appointment to the outcome.")

    @staticmethod
    def of(row: ReferralTimescaleRow) -> ReferralTimescale:
        return ReferralTimescale(
            version=row.version,
            own=row.organisation_id is not None,
            acknowledge_working_days=row.acknowledge_working_days,
            appoint_working_days=row.appoint_working_days,
            outcome_working_days=row.outcome_working_days,
        )
