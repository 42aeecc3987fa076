"""Words for the schema's enum values on the pages (GraphQL gives the values' names)."""

from __future__ import annotations

from datetime import date, datetime

from portal.clock import LONDON

LABELS: dict[str, dict[str, str]] = {
    "stage": {
        "ISSUED": "Issued",
        "CASE_MANAGEMENT_HEARING": "Case management hearing",
        "ISSUES_RESOLUTION_HEARING": "Issues resolution hearing",
        "FINAL_HEARING": "Final hearing",
        "CONCLUDED": "Concluded",
    },
    "legal_status": {
        "INTERIM_CARE_ORDER": "Interim care order",
        "CARE_ORDER": "Care order",
        "PLACEMENT_ORDER": "Placement order",
        "SECTION_20": "Accommodated under section 20",
        "INTERIM_SUPERVISION_ORDER": "Interim supervision order",
        "NO_ORDER": "No order",
    },
    "role": {
        "GUARDIAN": "Children's guardian",
        "CAFCASS_MANAGER": "Cafcass manager",
        "IRO": "IRO",
        "IRO_MANAGER": "IRO manager",
        "LA_SOLICITOR": "LA solicitor",
        "SOCIAL_WORKER": "Social worker",
        "LA_MANAGER": "Manager (dispute resolution)",
        "ADMIN": "Administrator",
        "NATIONAL_ADMIN": "National administrator",
    },
    "side": {"GUARDIAN": "Guardian", "IRO": "IRO"},
    "referral_ground": {
        "LIFE": "The right to life (Article 2)",
        "INHUMAN_TREATMENT": "Freedom from inhuman or degrading treatment (Article 3)",
        "FAIR_HEARING": "The right to a fair hearing (Article 6)",
        "FAMILY_LIFE": "Respect for private and family life (Article 8)",
        "DISCRIMINATION": "Freedom from discrimination (Article 14)",
        "OTHER": "Another right",
    },
    "referral_state": {
        "REFERRED": "Referred, awaiting acknowledgement",
        "ACKNOWLEDGED": "Acknowledged, awaiting an officer",
        "OFFICER_APPOINTED": "Officer appointed",
        "CONCLUDED": "Concluded",
    },
    "referral_outcome": {
        "RESOLVED_BY_CORRESPONDENCE": "Resolved by correspondence",
        "RESOLVED_BY_DISCUSSION": "Resolved by discussion",
        "CAFCASS_DISAGREES": "Cafcass disagrees with the IRO",
        "APPLICATION_TO_COURT": "Application to court",
    },
    "channel": {
        "PHONE": "Phone call",
        "MESSAGE_LEFT": "Message left",
        "EMAIL": "Email",
        "VIDEO_CALL": "Video call",
        "IN_PERSON": "In person",
        "LETTER": "Letter",
    },
    "purpose": {
        "INTRODUCTION": "Introduction",
        "COURT_UPDATE": "Court update",
        "CARE_PLANNING_UPDATE": "Care-planning update",
        "PRE_REVIEW_CONSULTATION": "Pre-review consultation",
        "SIGNIFICANT_ISSUE": "Significant issue",
        "CONCERN": "Concern about the case",
        "END_OF_PROCEEDINGS_DISCUSSION": "End-of-proceedings discussion",
    },
    "action": {
        "case.view": "Viewed the case",
        "case.list": "Saw the case in a list of cases",
        "case.task_list": "Saw the case on their task list",
        "case.drill_down": "Saw the case behind a dashboard figure",
        "case.export.child_file.json": "Exported a child's file (JSON)",
        "case.export.child_file.pdf": "Exported a child's file (PDF)",
        "case.export.discussion.json": "Exported a discussion record (JSON)",
        "case.export.discussion.pdf": "Exported a discussion record (PDF)",
        "case.export.handover.pdf": "Exported the handover (PDF)",
        "case.export.letter.pdf": "Downloaded a letter to a child (PDF)",
        "paper.read": "Opened a court paper",
        "paper.iro_view": "Recorded whether the guardian's analysis cites the IRO's view",
        "case.access_log": "Read this access log",
        "proceedings.open": "Opened the proceedings",
        "proceedings.extend": "Recorded an extension",
        "proceedings.stage": "Recorded a new stage",
        "child.legal_status": "Recorded a legal status",
        "guardian.allocate": "Allocated the guardian",
        "iro.allocate": "Assigned the IRO",
        "social_worker.allocate": "Recorded the social worker",
        "la_solicitor.allocate": "Recorded the LA solicitor",
        "contact.log": "Logged a contact",
        "contact.reply": "Marked a reply",
        "arrangement.record": "Recorded how guardian and IRO keep in touch",
        "obligation.waive": "Waived an obligation",
        "review.schedule": "Booked a review",
        "review.reschedule": "Moved a review",
        "review.notice": "Told the guardian of a review",
        "review.held": "Recorded a review as held",
        "review.share": "Shared a review's record",
        "review.earlier": "Recorded a review held before the case came to the portal",
        "review.preparation": "Recorded the social worker's part before a review",
        "review.preparation.change": "Added to the record of the social worker's part before a review",
        "review.participation": "Recorded the child's participation in a review",
        "review.participation.change": "Changed the record of the child's participation in a review",
        "case.review.participation": "Read what the child said at a review",
        "review.decisions": "Recorded a review's decisions",
        "review.decisions.check": "Asked a manager to confirm a review's decisions",
        "review.decision.done": "Marked a review's decision done",
        "review.decision.dropped": "Dropped a decision of an earlier review",
        "review.decision.carried_forward": "Carried a decision of an earlier review forward",
        "review.decisions.confirmed": "Confirmed a review's decisions",
        "review.decisions.disputed": "Disputed a review's decisions",
        "case.review.decisions": "Read a review's decisions",
        "introduction.record": "Recorded the IRO's introduction to a child",
        "introduction.change": "Changed the record of the IRO's introduction to a child",
        "dispute.child_summary": "Wrote a dispute's summary for a child",
        "dispute.child_summary.change": "Changed a dispute's summary for a child",
        "significant_change.notify": "Told the IRO of a significant change",
        "conflict_of_interest.record": "Recorded an IRO's conflict of interest with a child",
        "conflict_of_interest.withdraw": "Withdrew an IRO's conflict of interest with a child",
        "conflict_of_interest.acknowledge": "Assigned an IRO knowing of their conflict of interest",
        "significant_change.review_booked": "Booked an additional review for a significant change",
        "significant_change.no_review": "Recorded that a significant change needs no review",
        "midpoint_check.record": "Recorded a midpoint check between reviews",
        "discussion.record": "Recorded a discussion",
        "concern.raise": "Raised a concern",
        "concern.share": "Shared a concern",
        "concern.acknowledge": "Acknowledged a concern",
        "significant_issue.raise": "Recorded a significant issue",
        "significant_issue.share": "Told the guardian of a significant issue",
        "significant_issue.acknowledge": "Acknowledged a significant issue",
        "proceedings.final_orders": "Recorded the final orders",
        "legal_hold.place": "Placed a legal hold",
        "legal_hold.lift": "Lifted a legal hold",
        "case.dispute": "Read a dispute about the care plan",
        "case.dispute.list": "Saw a dispute about the care plan in a list",
        "case.referral": "Read a referral to Cafcass",
        "case.referral.list": "Saw a referral to Cafcass in a list",
        "referral.make": "Referred the case to Cafcass",
        "referral.acknowledge": "Acknowledged a referral to Cafcass",
        "referral.appoint": "Appointed the Cafcass officer for a referral",
        "referral.enquiry": "Recorded an enquiry on a referral to Cafcass",
        "referral.outcome": "Recorded the outcome of a referral to Cafcass",
        "referral-timescale.read": "Read the service area's timescale for referrals",
        "referral-timescale.set": "Set the service area's timescale for referrals",
        "disputes_dashboard.read": "Read the dispute and referral figures",
        "iro_views_dashboard.read": "Read the figures of the IRO's view in the guardians' analyses",
        "monthly_report.read": "Read the monthly management report",
        "dispute.raise": "Raised a challenge",
        "dispute.exchange": "Recorded an exchange about a dispute",
        "dispute.escalate": "Took a dispute to the next stage",
        "dispute.answer": "Answered a stage of a dispute",
        "dispute.resolve": "Recorded a dispute as resolved",
        "dispute.tell_guardian": "Told the guardian of a dispute",
        "dispute.guardian_view": "Gave the guardian's view of a dispute",
        "dispute.document.add": "Added a document to a dispute",
        "dispute.document.read": "Opened a document of a dispute",
        "dispute-ladder.read": "Read the authority's dispute resolution ladder",
        "dispute-ladder.set": "Set a new version of the authority's dispute resolution ladder",
    },
    "dispute_subject": {
        "REVIEW_DECISION": "A decision of a review",
        "CARE_PLAN": "A point of the care plan",
        "DRIFT_OR_DELAY": "Drift or delay",
        "PLACEMENT_MOVE": "A placement move",
        "RESOURCES": "Resources",
        "OTHER": "Another matter",
    },
    "dispute_state": {"INFORMAL": "Informal", "FORMAL": "On the ladder", "RESOLVED": "Resolved"},
    "stage_outcome": {
        "RESOLVED": "Resolved",
        "ESCALATED": "Taken to the next stage",
        "REFERRED": "Referred to Cafcass",
    },
    # A dispute's record of each step (DisputeNote.kind, in the service's own words).
    "dispute_note": {
        "raised": "Challenge raised",
        "exchange": "Exchange",
        "fast tracked": "Started at a formal stage at once (fast track)",
        "escalated": "Taken to the next stage",
        "answered": "Stage answered",
        "document": "Document added",
        "guardian told": "Guardian told of the dispute",
        "guardian's view": "The guardian's view",
        "referred to Cafcass": "Referred to Cafcass",
        "resolved": "Resolved",
    },
    "review_kind": {
        "FIRST": "First review",
        "SECOND": "Second review",
        "SUBSEQUENT": "Review",
        "ADDITIONAL": "Additional review, at the IRO's request",
        "INFORMATION_GATHERING": "Information-gathering review",
    },
    "decision_state": {
        "OPEN": "Open",
        "DONE": "Done",
        "CARRIED_FORWARD": "Carried forward",
        "DROPPED": "Dropped",
    },
    # What happens to a decision of an earlier review, at the next one.
    "earlier_outcome": {
        "DONE": "Done",
        "CARRIED_FORWARD": "Carried forward to this review",
        "DROPPED": "Dropped: no longer needed",
    },
    "manager_response": {"CONFIRMED": "Confirmed", "DISPUTED": "Disputed"},
    # What changed in a looked-after child's circumstances (SC; issue 18).
    "change_kind": {
        "PLACEMENT_MOVE": "A placement move",
        "PLACEMENT_ENDED": "A placement breakdown or ending",
        "CARE_PLAN": "A change to the care plan",
        "LEGAL_STATUS": "A change of legal status",
        "EDUCATION": "An education event (a new school, an exclusion)",
        "HEALTH": "A health event (a hospital stay, a diagnosis)",
        "OTHER": "Another significant change",
    },
    # How the IRO explained their role to a child (issue 19); and as the letter to the child says it.
    "explained_how": {
        "MET_ALONE": "Met the child on their own",
        "MET_WITH_CARER": "Met the child with their carer",
        "VIDEO_CALL": "By video call",
        "PHONE_CALL": "By phone",
        "THROUGH_CARER": "Through their carer (a young child)",
    },
    "explained_how_letter": {
        "MET_ALONE": "met",
        "MET_WITH_CARER": "met",
        "VIDEO_CALL": "talked on a video call",
        "PHONE_CALL": "talked on the phone",
        "THROUGH_CARER": "were introduced",
    },
    "letter_to": {"CHILD": "The child", "CARER": "Their carer (for a young child)"},
    # IRO workloads and conflicts of interest (issue 19).
    "employment": {"DIRECT": "Directly employed", "SESSIONAL": "Sessional", "AGENCY": "Agency"},
    "conflict_kind": {
        "FOSTERING_REVIEWER": "Reviews the child's foster carer",
        "CHILDS_SOCIAL_WORKER": "Was the child's social worker",
        "SOCIAL_WORKERS_MANAGER": "Was the manager of the child's social worker",
        "OTHER": "Another conflict of interest",
    },
    "caseload_standing": {"UNDER": "Under 50", "WITHIN": "Within 50 to 70", "OVER": "Over 70"},
    "change_response": {"REVIEW_BOOKED": "Additional review booked", "NO_REVIEW": "No review needed"},
    # A midpoint check between reviews (issue 19): the contact with the social worker, and what it found.
    "social_worker_contact": {
        "CONVERSATION": "A conversation, in person or by phone",
        "EMAIL": "Email",
        "MEETING": "A meeting",
        "NONE": "None",
    },
    "midpoint_outcome": {
        "ON_TRACK": "The plan is on track",
        "RAISED_WITH_SOCIAL_WORKER": "I raised a matter with the social worker",
        "RAISED_WITH_TEAM_MANAGER": "I raised a matter with the team manager",
        "ADDITIONAL_REVIEW_NEEDED": "An additional review is needed",
    },
    "midpoint_standing": {
        "MONITORED": "Checked this cycle",
        "NOT_MONITORED": "Not checked, midpoint passed",
        "NOT_YET_DUE": "Not yet due",
    },
    "child_attendance": {
        "ATTENDED": "Attended the review",
        "ATTENDED_PART": "Attended part of the review",
        "VIEWS_CONVEYED": "Did not attend, but their views were conveyed",
        "VIEWS_NOT_CONVEYED": "Did not attend, and their views were not conveyed",
    },
    "views_conveyed": {
        "AT_THE_REVIEW": "Said them at the review",
        "TO_THE_IRO_BEFORE": "Spoke to the IRO before the review",
        "ADVOCATE": "Through an advocate",
        "WRITTEN": "In writing: a consultation form, letter, drawing or app",
        "SOCIAL_WORKER": "Through their social worker",
        "CARER": "Through their carer",
        "OBSERVATION": "Observed (a child too young to say)",
        "OTHER": "Another way",
    },
    "discussion_mode": {"PHONE": "Phone call", "VIDEO_CALL": "Video call", "IN_PERSON": "In person"},
    "discussion_kind": {
        "DURING_PROCEEDINGS": "Discussion during proceedings",
        "FINAL_DISCUSSION": "Final discussion of the care plan (P13)",
    },
    "issue_kind": {"CONCERN": "Concern (P8)", "SIGNIFICANT_ISSUE": "Significant issue (P9)"},
    "final_order": {
        "CARE_ORDER": "Care order",
        "PLACEMENT_ORDER": "Placement order",
        "SUPERVISION_ORDER": "Supervision order",
        "SPECIAL_GUARDIANSHIP_ORDER": "Special guardianship order",
        "CHILD_ARRANGEMENTS_ORDER": "Child arrangements order",
        "NO_ORDER": "No order",
        "APPLICATION_WITHDRAWN": "Application withdrawn",
    },
    "paper_kind": {
        "APPLICATION": "Application and documents filed on issue",
        "SOCIAL_WORK_EVIDENCE": "Social work evidence and statements",
        "CARE_PLAN_INTERIM": "Care plan (interim)",
        "CARE_PLAN_FINAL": "Care plan (final)",
        "ASSESSMENT": "Parenting, family or viability assessment",
        "EXPERT_PSYCHOLOGICAL": "Expert report: psychological",
        "EXPERT_PSYCHIATRIC": "Expert report: psychiatric",
        "EXPERT_PAEDIATRIC": "Expert report: paediatric",
        "EXPERT_INDEPENDENT_SOCIAL_WORK": "Expert report: independent social work",
        "EXPERT_DRUG_AND_ALCOHOL": "Expert report: drug and alcohol",
        "EXPERT_DNA": "Expert report: DNA",
        "EXPERT_OTHER": "Expert report: other",
        "GUARDIAN_ANALYSIS_INITIAL": "Guardian's initial analysis",
        "GUARDIAN_ANALYSIS_FINAL": "Guardian's final analysis",
        "POSITION_STATEMENT": "Position statement",
        "THRESHOLD_DOCUMENT": "Threshold document",
        "CASE_SUMMARY": "Case summary",
        "ORDER_INTERIM": "Order (interim)",
        "ORDER_FINAL": "Order (final)",
        "ORDER_DIRECTIONS": "Directions order",
        "JUDGMENT": "Judgment",
        "HEARING_NOTICE": "Notice of hearing",
        "OTHER": "Other",
    },
    "filing_party": {
        "LOCAL_AUTHORITY": "The local authority",
        "CHILDRENS_GUARDIAN": "The children's guardian",
        "PARENT": "A parent",
        "OTHER_PARTY": "Another party",
        "COURT": "The court",
        "EXPERT": "An expert",
    },
    "confidentiality": {
        "STANDARD": "Everyone on the case",
        "RESTRICTED": "The guardian, the IRO and the LA solicitor",
        "LEGAL_ONLY": "The guardian and the LA solicitor only",
    },
    "lawful_basis": {
        "FPR_12_73_IRO": "Disclosure to the IRO allowed by FPR 12.73 and PD12G",
        "COURT_DIRECTION": "A direction of the court",
        "WITHHELD_BY_COURT": "Withheld from the IRO by the court",
    },
    "email_preference": {
        "IMMEDIATE": "As things happen",
        "DAILY_DIGEST": "One summary a day",
    },
    "consultation_event": {
        "AFTER_EACH_HEARING": "After each hearing",
        "BEFORE_EACH_REVIEW": "Before each looked-after review",
        "ON_SIGNIFICANT_CHANGE": "When something significant changes",
        "ON_PLACEMENT_CHANGE": "When the placement changes",
    },
    "organisation_kind": {
        "LOCAL_AUTHORITY": "Local authority",
        "CAFCASS_SERVICE_AREA": "Cafcass",
        "COURT": "Court",
    },
}


def label(value: str | None, kind: str) -> str:
    if value is None:
        return ""
    if kind == "action" and value.startswith("refused:"):
        return f"Was refused ({value.removeprefix('refused:')})"
    return LABELS[kind].get(value, value.replace("_", " ").capitalize())


def long_date(value: str | date | None) -> str:
    """5 March 2026, the GOV.UK style; a timestamp gives its date in England."""
    if value is None:
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value) if "T" in value else date.fromisoformat(value)
    if isinstance(value, datetime):
        value = value.astimezone(LONDON).date()
    return f"{value.day} {value:%B %Y}"


def date_time(value: str | datetime | None) -> str:
    """5 March 2026 at 2:30pm, in England's time."""
    if value is None:
        return ""
    moment = (datetime.fromisoformat(value) if isinstance(value, str) else value).astimezone(LONDON)
    hour = moment.hour % 12 or 12
    suffix = "am" if moment.hour < 12 else "pm"
    clock = f"{hour}{suffix}" if moment.minute == 0 else f"{hour}:{moment.minute:02d}{suffix}"
    return f"{long_date(moment.date())} at {clock}"
