"""What a person should do next, in one place: the form that meets each of the protocol's duties (by the
evidence it asks for), the actions each role has on a case, and the page each role lands on after signing
in. The case page's panel, "What needs doing" and the landing all use these, so a duty never leads to one
form from one page and another from the next."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from models import Role


@dataclass(frozen=True)
class Step:
    """A link to the form (or the place on a page) that does something: its address and its words."""

    href: str
    text: str


def form_for_duty(
    case_id: str, evidence_kind: str, trigger_id: str | None = None, roles: Collection[str] = ()
) -> Step:
    """The form that meets a duty, by the evidence that meets it (PROTOCOL.md §2), for its case and the
    viewer's ``roles`` on it. A duty opened by a record (a review, a conversation, a significant issue) leads
    to that record's form."""
    case = f"/cases/{case_id}"
    match evidence_kind:
        case "CONTACT_FROM_GUARDIAN":  # P2: the guardian's first contact with the IRO
            return Step(f"{case}/contacts/new", "Log the contact")
        case "CONSULTATION_ARRANGEMENT":  # P3
            return Step(f"{case}/arrangement", "Record how you will keep in touch")
        case "REVIEW_NOTICE":  # P4: "Tell the guardian" is a button on the review's row
            where = f"#review-{trigger_id}" if trigger_id else "#reviews"
            return Step(f"{case}{where}", "Tell the guardian")
        case "REVIEW_RECORD_SHARED":  # P5
            page = f"/reviews/{trigger_id}" if trigger_id else "#reviews"
            return Step(f"{case}{page}", "Share the review's record")
        case "DOCUMENT_SHARED" | "FINAL_CARE_PLAN_SHARED":  # P6, P12
            return Step(f"{case}/papers", "Share the court papers with the IRO")
        case "DISCUSSION_RECORD":  # P7: the conversation it records, when a contact opened it
            query = f"?contact={trigger_id}" if trigger_id else ""
            return Step(f"{case}/discussions/new{query}", "Record the discussion")
        case "FINAL_DISCUSSION":  # P13: shared, but only the IRO records discussions on the child's file
            if "IRO" in roles:
                return Step(f"{case}/discussions/new?kind=FINAL_DISCUSSION", "Record the final discussion")
            return Step(
                f"{case}/contacts/new?purpose=END_OF_PROCEEDINGS_DISCUSSION",
                "Log the final discussion with the IRO",
            )
        case "SIGNIFICANT_ISSUE_NOTICE":  # P9: "Tell the guardian" is a button on the issue
            return Step(
                f"{case}#issue-{trigger_id}" if trigger_id else f"{case}/significant-issues/new",
                "Tell the guardian of the issue",
            )
        case "PRE_REVIEW_CONSULTATION":  # P11: a contact whose purpose is the consultation
            return Step(f"{case}/contacts/new?purpose=PRE_REVIEW_CONSULTATION", "Log the consultation")
        case "HANDOVER_SUBMITTED":  # P14
            return Step(f"{case}/handover", "Write the handover")
        case "HANDOVER_ACKNOWLEDGED":  # P15
            return Step(f"{case}/handover", "Read and acknowledge the handover")
        case "REVIEW_DECISIONS_RECORDED":  # RD: the review's decisions, on its page
            page = f"/reviews/{trigger_id}#decisions" if trigger_id else "#reviews"
            return Step(f"{case}{page}", "Record the review's decisions")
        case "CHANGE_CONSIDERED":  # SC: the change's page, where the IRO books a review or says why not
            page = f"/significant-changes/{trigger_id}" if trigger_id else "#significant-changes"
            return Step(f"{case}{page}", "Consider the significant change")
        case "REVIEW_HELD":  # R1-R3: the child's looked-after review, booked and then recorded as held
            return Step(f"{case}#reviews", "Book the child's review, or record it held")
    return Step(f"{case}#protocol", "See the duty")


def case_actions(case: Mapping[str, Any]) -> list[Step]:
    """The viewer's main actions on a case, in the order their role most often needs them, from what the
    API says they may do (``viewerCan``). The first is the role's main action."""
    can = case["viewerCan"]
    base = f"/cases/{case['id']}"
    concluded = case["stage"] == "CONCLUDED"
    steps: list[Step] = []
    if can["logContact"]:
        steps.append(Step(f"{base}/contacts/new", "Log a contact"))
    # The handover is offered while its duty is open: P14 to the guardian, P15 to the IRO.
    open_duties = {d["evidenceKind"] for d in case.get("obligations", []) if d["state"] == "OPEN"}
    if can.get("writeHandover") and "HANDOVER_SUBMITTED" in open_duties:
        steps.append(Step(f"{base}/handover", "Write the handover"))
    if can.get("answerHandover") and "HANDOVER_ACKNOWLEDGED" in open_duties:
        steps.append(Step(f"{base}/handover", "Read and acknowledge the handover"))
    if can["raiseConcern"]:
        steps.append(Step(f"{base}/concerns/new", "Raise a concern"))
    if can["manageReviews"]:
        steps.append(Step(f"{base}/reviews/new", "Book a review"))
    if can["recordDiscussion"]:
        steps.append(Step(f"{base}/discussions/new", "Record a discussion"))
    if can["recordSignificantIssue"]:
        steps.append(Step(f"{base}/significant-issues/new", "Record a significant issue"))
    if can.get("notifySignificantChange"):  # SC: the child's social worker's main action, or the IRO's record
        iro = "IRO" in case["viewerRoles"]
        words = "Record a significant change" if iro else "Tell the IRO of a significant change"
        steps.append(Step(f"{base}/significant-changes/new", words))
    if can["manageProceedings"] and not concluded:
        steps.append(Step(f"{base}/stage", "Record a hearing or stage change"))
        steps.append(Step(f"{base}/extensions/new", "Record an extension"))
        if not case["finalOrders"]:
            steps.append(Step(f"{base}/final-orders", "Record final orders"))
        steps.append(Step(f"{base}/legal-status", "Record a change of legal status"))
    children = case["children"]
    if can["allocateGuardian"] and not concluded:
        allocated = all(child["guardian"] for child in children)
        words = "Reallocate the guardian" if allocated else "Allocate the guardian"
        steps.append(Step(f"{base}/guardian", words))
    looked_after = [child for child in children if child["lookedAfter"]]
    if can["assignIro"] and looked_after:
        assigned = all(child["iro"] for child in looked_after)
        steps.append(Step(f"{base}/iro", "Reassign the IRO" if assigned else "Assign the IRO"))
    return steps


@dataclass(frozen=True)
class Duty:
    """One of the viewer's open duties on a case, with the form that meets it."""

    code: str
    description: str
    due_on: str
    overdue: bool
    working_days_overdue: int
    step: Step


def my_duties(case: Mapping[str, Any], me: str, due_by: str) -> list[Duty]:
    """The viewer's open duties on the case (theirs, or shared with them) that are overdue or due by
    ``due_by`` (an ISO date), overdue first, each with the form that meets it."""
    duties = []
    for duty in case["obligations"]:
        if duty["state"] != "OPEN" or not (duty["overdue"] or duty["dueOn"] <= due_by):
            continue
        people = {(duty.get("ownerPerson") or {}).get("id"), (duty.get("partnerPerson") or {}).get("id")}
        if me not in people:
            continue
        duties.append(
            Duty(
                code=duty["code"],
                description=duty["description"],
                due_on=duty["dueOn"],
                overdue=duty["overdue"],
                working_days_overdue=duty["workingDaysOverdue"],
                step=form_for_duty(
                    case["id"], duty["evidenceKind"], duty.get("triggerId"), case["viewerRoles"]
                ),
            )
        )
    return sorted(duties, key=lambda d: (not d.overdue, d.due_on, d.code))


# Where each role lands after signing in: first what needs doing. The first of a person's roles in this
# order wins (a person with duties on cases sees those before any queue they also manage).
LANDING: tuple[tuple[Role, str], ...] = (
    (Role.GUARDIAN, "/tasks"),
    (Role.IRO, "/tasks"),
    (Role.CAFCASS_MANAGER, "/allocations"),
    (Role.IRO_MANAGER, "/assignments"),
    (Role.LA_SOLICITOR, "/cases"),
    (Role.SOCIAL_WORKER, "/cases"),
    # The disputes they are named to answer are among their tasks (portal/web/dispute_lists.py).
    (Role.LA_MANAGER, "/tasks"),
    (Role.NATIONAL_ADMIN, "/admin/organisations"),
    (Role.ADMIN, "/admin/people"),
)


def landing_page(roles: Iterable[Role]) -> str:
    """The page a person with these roles lands on after signing in."""
    held = set(roles)
    return next((page for role, page in LANDING if role in held), "/cases")
