"""Pages for referrals to Cafcass (issue 17; CA 1989 s25B(3)(a); portal/referrals/): the IRO's referral form
(from the case, or from a dispute, whose stages become the steps taken), each referral's page with the steps
the viewer may take on it, and the list of every referral the viewer may see: the Cafcass service area's
queue for its managers, the officer's referrals, the IRO's and the IRO manager's.

On a referral's page a manager of the service area acknowledges it and appoints an officer; the officer (or
a manager) records enquiries and the outcome. Each is a small form posting a named mutation; a refusal shows
the page again with every problem, and anyone who may not see the referral finds no such page.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from portal import clock
from portal.access.policy import DISPUTE_SIGHT, Sight
from portal.auth.actor import Actor
from portal.db import UnitOfWork
from portal.web.actions import ActionForm, RecordPage, act
from portal.web.forms import NOBODY, FormErrors, date_values, iso, parse_date
from portal.web.labels import LABELS, label, long_date
from portal.web.operations import PageNotFound
from portal.web.pages import Flash, operations
from portal.web.referral_lists import lists_referrals
from portal.web.rendering import render
from portal.web.requests import posted_form, signed_in

# The papers an IRO may send (portal/papers/access.py: never those for the lawyers only).
SENDABLE = {"STANDARD", "RESTRICTED"}
REFERRAL_FIELDS = {
    "ground": "ground",
    "grounds": "grounds",
    "stepsTaken": "stepsTaken",
    "childId": "childId",
    "disputeId": "disputeId",
    "paperIds": "paperIds",
    "caseId": "ground",
}


@dataclass(frozen=True)
class ReferralCase:
    """The IRO's case as the referral form shows it: its children, the papers an IRO may send, and the
    IRO's disputes on it."""

    case: dict[str, Any]
    disputes: list[dict[str, Any]]

    @property
    def papers(self) -> list[dict[str, Any]]:
        return [p for p in self.case["papers"] if p["confidentiality"] in SENDABLE]

    def dispute(self, dispute_id: str) -> dict[str, Any] | None:
        return next((d for d in self.disputes if d["id"] == dispute_id), None)


async def _referral_case(request: Request, uow: UnitOfWork, actor: Actor, case_id: str) -> ReferralCase:
    """The case, if the viewer may refer it (its IRO); anyone else finds no such page."""
    case = (await operations(request).run(uow, actor, "ReferralForm", {"id": case_id}))["case"]
    if not case["viewerCan"]["referToCafcass"]:
        raise PageNotFound
    return ReferralCase(case, [d for d in case["disputes"] if d["viewerCan"]["manage"]])


def steps_of(dispute: dict[str, Any]) -> str:
    """A dispute's course, as the steps taken before a referral: where it was raised, each formal stage and
    how it ended."""
    lines = [
        f"Challenge raised on {long_date(dispute['raisedAt'])} with {dispute['raisedWith']}: "
        f"{dispute['summary']}"
    ]
    if dispute["fastTrackReason"]:
        lines.append(f"Fast-tracked to a formal stage: {dispute['fastTrackReason']}")
    for stage in dispute["stages"]:
        answered = "answered" if stage["answeredAt"] else "not answered"
        ended = f", {stage['outcome'].lower()}" if stage["outcome"] else ""
        lines.append(
            f"Stage {stage['position']} ({stage['answererPost']}) from {long_date(stage['startedOn'])}, due "
            f"{long_date(stage['dueOn'])}: {answered}{ended}."
        )
    return "\n".join(lines)


def _render_form(
    request: Request,
    actor: Actor,
    found: ReferralCase,
    values: dict[str, Any],
    errors: FormErrors,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "referral_form.html",
        {
            "actor": actor,
            "case": found.case,
            "papers": found.papers,
            "disputes": found.disputes,
            "values": values,
            "errors": errors,
        },
        status_code=status_code,
    )


async def referral_form(request: Request) -> Response:
    async with signed_in(request) as (uow, actor):
        found = await _referral_case(request, uow, actor, request.path_params["case_id"])
    values: dict[str, Any] = {}
    # Taking a dispute further (from its page): its course is the steps taken, to start from.
    dispute = found.dispute(request.query_params.get("dispute", ""))
    if dispute is not None:
        values = {"disputeId": dispute["id"], "stepsTaken": steps_of(dispute)}
    return _render_form(request, actor, found, values, FormErrors({}))


async def refer(request: Request) -> Response:
    form = await posted_form(request)
    case_id = request.path_params["case_id"]
    errors = FormErrors(REFERRAL_FIELDS)
    ground = form.get("ground", "")
    if ground not in LABELS["referral_ground"]:
        errors.add("ground", "Choose the right that may be breached")
        ground = "OTHER"  # so that the API still checks every other field
    papers = [p for p in (await request.form()).getlist("paperIds") if isinstance(p, str)]
    variables = {
        "input": {
            "caseId": case_id,
            "ground": ground,
            "grounds": form.get("grounds", ""),
            "stepsTaken": form.get("stepsTaken", ""),
            "childId": form.get("childId") or None,
            "disputeId": form.get("disputeId") or None,
            "paperIds": papers,
        }
    }
    async with signed_in(request) as (uow, actor):
        result = (await operations(request).run(uow, actor, "ReferToCafcass", variables))["referToCafcass"]
        errors.add_api_errors(result["errors"])
        if errors:
            uow.fail()
            found = await _referral_case(request, uow, actor, case_id)
            return _render_form(request, actor, found, {**form, "paperIds": papers}, errors, status_code=400)
    return RedirectResponse(f"/referrals/{result['referral']['id']}?done=referred", status_code=303)


# ---------------------------------------------------------------------------------------------------------
# A referral's page

REFERRAL_FLASH = {
    "referred": Flash("The referral is made. The managers of the Cafcass service area are told by email."),
    "acknowledged": Flash("The referral is acknowledged. The IRO is told by email."),
    "appointed": Flash("The officer is appointed and told by email."),
    "enquiry": Flash("The enquiry is recorded."),
    "outcome": Flash("The outcome is recorded and the IRO told by email."),
}


ACKNOWLEDGE = ActionForm("AcknowledgeReferral", "acknowledged", {"acknowledge": "acknowledge"})
APPOINT = ActionForm("AppointReferralOfficer", "appointed", {"officerId": "officerId"})
ENQUIRY = ActionForm(
    "RecordReferralEnquiry", "enquiry", {"madeOn": "madeOn-day", "madeWith": "madeWith", "note": "note"}
)
OUTCOME = ActionForm(
    "RecordReferralOutcome",
    "outcome",
    {"outcome": "outcome", "outcomeOn": "outcomeOn-day", "outcomeNote": "outcomeNote"},
)


def actions(referral: dict[str, Any]) -> dict[str, str]:
    """What the viewer may do on the referral, in the order the page offers it."""
    can, open_ = referral["viewerCan"], referral["state"] != "CONCLUDED"
    offered = {
        "acknowledge": (can["manage"] and referral["state"] == "REFERRED", "Acknowledge the referral"),
        "appoint": (
            can["manage"] and open_,
            "Appoint another officer" if referral["officer"] else "Appoint an officer",
        ),
        "enquiry": (can["enquire"] and open_, "Record an enquiry"),
        "outcome": (can["enquire"] and open_, "Record the outcome"),
    }
    return {key: words for key, (allowed, words) in offered.items() if allowed}


async def _referral(request: Request, uow: UnitOfWork, actor: Actor) -> dict[str, Any]:
    """The referral the path names, if the viewer may see it; otherwise no such page."""
    data = await operations(request).run(uow, actor, "Referral", {"id": request.path_params["referral_id"]})
    referral: dict[str, Any] = data["referral"]
    return referral


def _render_referral(
    request: Request,
    actor: Actor,
    referral: dict[str, Any],
    values: dict[str, str],
    errors: FormErrors,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "referral.html",
        {
            "actor": actor,
            "referral": referral,
            "actions": actions(referral),
            # Those who see every dispute on their cases (DISPUTE_SIGHT) follow it to the dispute it takes
            # further; Cafcass does not see disputes.
            "sees_disputes": any(DISPUTE_SIGHT.get(r) is Sight.ALWAYS for r in actor.roles),
            "values": values,
            "errors": errors,
            "flash": REFERRAL_FLASH.get(request.query_params.get("done", "")),
        },
        status_code=status_code,
    )


async def referral_page(request: Request) -> Response:
    async with signed_in(request) as (uow, actor):
        referral = await _referral(request, uow, actor)
    today = clock.today().isoformat()
    values = {**date_values("madeOn", today), **date_values("outcomeOn", today)}
    return _render_referral(request, actor, referral, values, FormErrors({}))


async def _again(
    request: Request, uow: UnitOfWork, actor: Actor, form: dict[str, str], errors: FormErrors
) -> Response:
    referral = await _referral(request, uow, actor)
    return _render_referral(request, actor, referral, form, errors, status_code=400)


REFERRAL_PAGE = RecordPage("/referrals/{}", "referral_id", "referralId", _again)


async def acknowledge(request: Request) -> Response:
    form = await posted_form(request)
    return await act(request, REFERRAL_PAGE, ACKNOWLEDGE, {}, ACKNOWLEDGE.errors(), form)


async def appoint(request: Request) -> Response:
    form = await posted_form(request)
    errors = APPOINT.errors()
    if not form.get("officerId"):
        errors.add("officerId", "Choose the officer")
    return await act(
        request, REFERRAL_PAGE, APPOINT, {"officerId": form.get("officerId") or NOBODY}, errors, form
    )


async def record_enquiry(request: Request) -> Response:
    form = await posted_form(request)
    errors = ENQUIRY.errors()
    on = parse_date(form, "madeOn", "The enquiry's date", errors, "madeOn")
    input = {"madeOn": iso(on), "madeWith": form.get("madeWith", ""), "note": form.get("note", "")}
    return await act(request, REFERRAL_PAGE, ENQUIRY, input, errors, form)


async def record_outcome(request: Request) -> Response:
    form = await posted_form(request)
    errors = OUTCOME.errors()
    outcome = form.get("outcome", "")
    if outcome not in LABELS["referral_outcome"]:
        errors.add("outcome", "Choose how the referral ended")
        outcome = "RESOLVED_BY_CORRESPONDENCE"  # so that the API still checks every other field
    on = parse_date(form, "outcomeOn", "The outcome's date", errors, "outcomeOn")
    input = {"outcome": outcome, "outcomeOn": iso(on), "note": form.get("outcomeNote", "")}
    return await act(request, REFERRAL_PAGE, OUTCOME, input, errors, form)


# ---------------------------------------------------------------------------------------------------------
# Every referral the viewer may see


async def referrals_page(request: Request) -> Response:
    """The Cafcass service area's queue for its managers; the officer's referrals; the IRO's and the IRO
    manager's: the open first, each with the step it waits for."""
    async with signed_in(request) as (uow, actor):
        data = await operations(request).run(uow, actor, "Referrals", {})
    found = data["referrals"]
    if not found and not lists_referrals(actor):
        raise PageNotFound  # nobody else ever sees a referral
    return render(
        request,
        "referrals.html",
        {
            "actor": actor,
            "open": [r for r in found if r["state"] != "CONCLUDED"],
            "concluded": [r for r in found if r["state"] == "CONCLUDED"],
            "ground": lambda value: label(value, "referral_ground"),
        },
    )


routes = [
    Route("/cases/{case_id}/referrals/new", referral_form, methods=["GET"]),
    Route("/cases/{case_id}/referrals", refer, methods=["POST"]),
    Route("/referrals", referrals_page, methods=["GET"]),
    Route("/referrals/{referral_id}", referral_page, methods=["GET"]),
    Route("/referrals/{referral_id}/acknowledge", acknowledge, methods=["POST"]),
    Route("/referrals/{referral_id}/appoint", appoint, methods=["POST"]),
    Route("/referrals/{referral_id}/enquiry", record_enquiry, methods=["POST"]),
    Route("/referrals/{referral_id}/outcome", record_outcome, methods=["POST"]),
]
