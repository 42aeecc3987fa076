"""Pages for disputes about a child's care plan (issue 17; portal/disputes/): the IRO's challenge form, each
dispute's page with what the viewer may do on it, and the list of every dispute the viewer may see.

On a dispute's page the IRO records exchanges, takes it to the next stage (naming the manager to answer),
records an answer received, resolves it and tells the guardian; the manager named answers the stage it is
at; the guardian, once told, gives their view. Each is a small form posting a named mutation; a refusal
shows the page again with every problem, and anyone who may not see the dispute finds no such page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from portal import clock
from portal.auth.actor import Actor
from portal.db import UnitOfWork
from portal.web import uploads
from portal.web.actions import ActionForm, RecordPage, act
from portal.web.dispute_lists import lists_disputes, reads_cases, standing
from portal.web.forms import NOBODY, FormErrors, date_values, iso, parse_date, parse_whole_number
from portal.web.labels import LABELS
from portal.web.operations import PageNotFound
from portal.web.pages import Flash, operations
from portal.web.rendering import render
from portal.web.requests import posted_form, signed_in

# ---------------------------------------------------------------------------------------------------------
# Raising a challenge (the IRO on the case)

CHALLENGE_FIELDS = {
    "subject": "subject",
    "childId": "childId",
    "concernId": "summary",
    "summary": "summary",
    "raisedWith": "raisedWith",
    "resolutionSought": "resolutionSought",
    "soughtBy": "soughtBy-day",
    "fastTrackStage": "fastTrackStage",
    "fastTrackReason": "fastTrackReason",
    "answererId": "answererId",
    "caseId": "subject",
    "form": "subject",
}


@dataclass(frozen=True)
class ChallengeCase:
    """The IRO's case, as the challenge form and a dispute's page show it, the managers of its authority the
    IRO may name to answer at a stage, and the ladder a challenge raised now would follow."""

    case: dict[str, Any]
    managers: list[dict[str, Any]]
    ladder: dict[str, Any]

    def disputed_review(self, review_id: str) -> dict[str, Any] | None:
        """One of the case's reviews whose decisions the manager asked to confirm them disputed."""
        return next(
            (
                r
                for r in self.case.get("reviews", [])
                if r["id"] == review_id and (r["decisionsCheck"] or {}).get("response") == "DISPUTED"
            ),
            None,
        )

    def concern(self, concern_id: str) -> dict[str, Any] | None:
        """One of the guardian's concerns on the case."""
        return next(
            (i for i in self.case["raisedIssues"] if i["id"] == concern_id and i["kind"] == "CONCERN"), None
        )


async def _challenge_case(request: Request, uow: UnitOfWork, actor: Actor, case_id: str) -> ChallengeCase:
    """The case, if the viewer is its IRO (who raises challenges); anyone else finds no such page (the API
    gives them no managers to name)."""
    data = await operations(request).run(uow, actor, "ChallengeForm", {"id": case_id})
    return ChallengeCase(data["case"], data["disputeAnswerers"], data["caseDisputeLadder"])


def _render_challenge(
    request: Request,
    actor: Actor,
    found: ChallengeCase,
    values: dict[str, str],
    errors: FormErrors,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "challenge_form.html",
        {
            "actor": actor,
            "case": found.case,
            "managers": found.managers,
            "ladder": found.ladder,
            "concern": found.concern(values.get("concernId", "")),
            "values": values,
            "errors": errors,
        },
        status_code=status_code,
    )


async def challenge_form(request: Request) -> Response:
    async with signed_in(request) as (uow, actor):
        found = await _challenge_case(request, uow, actor, request.path_params["case_id"])
    values: dict[str, str] = {}
    # Taking up one of the guardian's concerns (from its "Take up as a challenge" link on the case page).
    concern = found.concern(request.query_params.get("concern", ""))
    if concern is not None:
        values = {"concernId": concern["id"], "summary": concern["summary"]}
    # Taking up a team manager's dispute of a review's decisions (from the review's page; issue 18).
    disputed = found.disputed_review(request.query_params.get("review", ""))
    if disputed is not None:
        check = disputed["decisionsCheck"]
        values = {
            "childId": disputed["childId"],
            "summary": f"{check['manager']['name']} disputed the decisions of the looked-after review held "
            f"on {date.fromisoformat(disputed['heldOn']):%-d %B %Y}: {check['comment']}",
        }
    return _render_challenge(request, actor, found, values, FormErrors({}))


def _challenge_input(case_id: str, form: dict[str, str], errors: FormErrors) -> dict[str, Any]:
    """The mutation's input from the form, with the page's own problems (what it could not read) added."""
    sought_by = parse_date(form, "soughtBy", "The date it is sought by", errors, "soughtBy")
    subject = form.get("subject", "")
    if subject not in LABELS["dispute_subject"]:
        errors.add("subject", "Choose what is disputed")
        subject = "OTHER"  # so that the API still checks every other field
    fast = form.get("fastTrack") == "yes"
    stage = (
        parse_whole_number(
            form.get("fastTrackStage", ""), errors, "fastTrackStage", "Choose the stage to start at"
        )
        if fast
        else None
    )
    return {
        "caseId": case_id,
        "subject": subject,
        "summary": form.get("summary", ""),
        "raisedWith": form.get("raisedWith", ""),
        "resolutionSought": form.get("resolutionSought", ""),
        "soughtBy": iso(sought_by),
        "childId": form.get("childId") or None,
        "concernId": form.get("concernId") or None,
        "fastTrackStage": stage,
        "fastTrackReason": form.get("fastTrackReason", "") if fast else "",
        "answererId": (form.get("answererId") or None) if fast else None,
    }


async def raise_challenge(request: Request) -> Response:
    form = await posted_form(request)
    case_id = request.path_params["case_id"]
    errors = FormErrors(CHALLENGE_FIELDS)
    variables = {"input": _challenge_input(case_id, form, errors)}
    async with signed_in(request) as (uow, actor):
        result = (await operations(request).run(uow, actor, "RaiseChallenge", variables))["raiseChallenge"]
        errors.add_api_errors(result["errors"])
        if errors:
            uow.fail()
            found = await _challenge_case(request, uow, actor, case_id)
            return _render_challenge(request, actor, found, form, errors, status_code=400)
    return RedirectResponse(f"/disputes/{result['dispute']['id']}?done=raised", status_code=303)


# ---------------------------------------------------------------------------------------------------------
# A dispute's page

DISPUTE_FLASH = {
    "raised": Flash("The challenge is recorded. Record each exchange on it as it happens."),
    "exchange": Flash("The exchange is recorded."),
    "escalated": Flash("The dispute is at its next stage. The manager named is told by email."),
    "answered": Flash("The answer is recorded."),
    "resolved": Flash("The dispute is recorded as resolved."),
    "guardian-told": Flash("The guardian is told of the dispute, as a significant issue (P9)."),
    "view": Flash("The guardian's view is recorded."),
    "document": Flash("The document is kept with the dispute."),
    "child-summary-written": Flash("What the child is told is saved. Download the letter to send it."),
}


@dataclass(frozen=True)
class DisputePage:
    """A dispute as the viewer sees it, with (for its IRO) its case and the managers to name."""

    dispute: dict[str, Any]
    found: ChallengeCase | None

    @property
    def child(self) -> dict[str, Any] | None:
        """The child it concerns, when the page knows the case's children."""
        if self.found is None:
            return None
        return next((c for c in self.found.case["children"] if c["id"] == self.dispute["childId"]), None)

    @property
    def may(self) -> dict[str, bool]:
        """What the viewer may do on it, as the API's abilities and its state allow."""
        d = self.dispute
        can, unresolved = d["viewerCan"], d["state"] != "RESOLVED"
        unanswered = d["current"] is not None and d["current"]["answeredAt"] is None
        return {
            "answer": can["answer"] or (can["manage"] and unanswered),
            "exchange": can["manage"] and unresolved,
            "escalate": can["manage"] and unresolved,
            "resolve": can["manage"] and unresolved,
            "tell": can["manage"] and not d["guardianToldAt"],
            "view": can["giveView"] or (can["manage"] and bool(d["guardianToldAt"])),
            "document": can["addDocument"],
        }

    @property
    def actions(self) -> dict[str, str]:
        """The words for what the viewer may do, in the order the page offers it."""
        can = self.dispute["viewerCan"]
        words = {
            "answer": "Answer the stage" if can["answer"] else "Record the answer received",
            "exchange": "Record an exchange",
            "escalate": "Take it to the next stage",
            "resolve": "Record it as resolved",
            "tell": "Tell the guardian",
            "view": "Give your view" if can["giveView"] else "Record the guardian's view",
            "document": "Add a document",
        }
        may = self.may
        return {key: text for key, text in words.items() if may[key]}


async def _dispute(request: Request, uow: UnitOfWork, actor: Actor) -> DisputePage:
    """The dispute the path names, if the viewer may see it; otherwise no such page."""
    data = await operations(request).run(uow, actor, "Dispute", {"id": request.path_params["dispute_id"]})
    dispute = standing(data["dispute"], clock.today())
    # Its IRO reads the case anyway; nobody else has the case read for them here.
    found = (
        await _challenge_case(request, uow, actor, dispute["caseId"])
        if dispute["viewerCan"]["manage"]
        else None
    )
    return DisputePage(dispute, found)


def _render_dispute(
    request: Request,
    actor: Actor,
    page: DisputePage,
    values: dict[str, str],
    errors: FormErrors,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "dispute.html",
        {
            "actor": actor,
            "page": page,
            "dispute": page.dispute,
            "actions": page.actions,
            "links_case": reads_cases(actor),
            "values": values,
            "errors": errors,
            "flash": DISPUTE_FLASH.get(request.query_params.get("done", "")),
            **uploads.page_limits(request),
        },
        status_code=status_code,
    )


async def dispute_page(request: Request) -> Response:
    async with signed_in(request) as (uow, actor):
        page = await _dispute(request, uow, actor)
    values = {
        **date_values("occurredOn", clock.today().isoformat()),
        "view": page.dispute["guardianView"] or "",
    }
    return _render_dispute(request, actor, page, values, FormErrors({}))


EXCHANGE = ActionForm(
    "RecordDisputeExchange",
    "exchange",
    {"occurredOn": "occurredOn-day", "party": "party", "note": "note"},
)
ESCALATE = ActionForm("EscalateDispute", "escalated", {"answererId": "answererId", "reason": "reason"})
ANSWER = ActionForm("AnswerDispute", "answered", {"answer": "answer"})
RESOLVE = ActionForm(
    "ResolveDispute", "resolved", {"resolution": "resolution", "resolvedOn": "resolvedOn-day"}
)
TELL = ActionForm("TellGuardianOfDispute", "guardian-told", {"tell": "tell-guardian"})
VIEW = ActionForm("GiveGuardianViewOfDispute", "view", {"view": "view"})


async def _again(
    request: Request, uow: UnitOfWork, actor: Actor, form: dict[str, str], errors: FormErrors
) -> Response:
    page = await _dispute(request, uow, actor)
    return _render_dispute(request, actor, page, form, errors, status_code=400)


DISPUTE_PAGE = RecordPage("/disputes/{}", "dispute_id", "disputeId", _again)


async def record_exchange(request: Request) -> Response:
    form = await posted_form(request)
    errors = EXCHANGE.errors()
    on = parse_date(form, "occurredOn", "The exchange's date", errors, "occurredOn")
    input = {"occurredOn": iso(on), "party": form.get("party", ""), "note": form.get("note", "")}
    return await act(request, DISPUTE_PAGE, EXCHANGE, input, errors, form)


async def escalate(request: Request) -> Response:
    form = await posted_form(request)
    errors = ESCALATE.errors()
    input = {"answererId": form.get("answererId") or NOBODY, "reason": form.get("reason", "")}
    return await act(request, DISPUTE_PAGE, ESCALATE, input, errors, form)


async def answer(request: Request) -> Response:
    form = await posted_form(request)
    return await act(request, DISPUTE_PAGE, ANSWER, {"text": form.get("answer", "")}, ANSWER.errors(), form)


async def resolve(request: Request) -> Response:
    form = await posted_form(request)
    errors = RESOLVE.errors()
    on = parse_date(form, "resolvedOn", "The date it was resolved", errors, "resolvedOn")
    input = {"resolution": form.get("resolution", ""), "resolvedOn": iso(on)}
    return await act(request, DISPUTE_PAGE, RESOLVE, input, errors, form)


async def tell_guardian(request: Request) -> Response:
    form = await posted_form(request)
    return await act(request, DISPUTE_PAGE, TELL, {}, TELL.errors(), form)


async def give_view(request: Request) -> Response:
    form = await posted_form(request)
    return await act(request, DISPUTE_PAGE, VIEW, {"text": form.get("view", "")}, VIEW.errors(), form)


# ---------------------------------------------------------------------------------------------------------
# Every dispute the viewer may see


async def disputes_page(request: Request) -> Response:
    """The IRO manager's view of every dispute on their authority's cases and the stage each is at; the
    IRO's own; those a manager is named to answer; the open first."""
    async with signed_in(request) as (uow, actor):
        if not (lists_disputes(actor) or reads_cases(actor)):
            raise PageNotFound  # nobody else ever sees a dispute
        data = await operations(request).run(uow, actor, "Disputes", {})
    today = clock.today()
    disputes = [standing(d, today) for d in data["disputes"]]
    return render(
        request,
        "disputes.html",
        {
            "actor": actor,
            "open": [d for d in disputes if d["state"] != "RESOLVED"],
            "resolved": [d for d in disputes if d["state"] == "RESOLVED"],
            "links_case": reads_cases(actor),
        },
    )


routes = [
    Route("/cases/{case_id}/disputes/new", challenge_form, methods=["GET"]),
    Route("/cases/{case_id}/disputes", raise_challenge, methods=["POST"]),
    Route("/disputes", disputes_page, methods=["GET"]),
    Route("/disputes/{dispute_id}", dispute_page, methods=["GET"]),
    Route("/disputes/{dispute_id}/exchange", record_exchange, methods=["POST"]),
    Route("/disputes/{dispute_id}/escalate", escalate, methods=["POST"]),
    Route("/disputes/{dispute_id}/answer", answer, methods=["POST"]),
    Route("/disputes/{dispute_id}/resolve", resolve, methods=["POST"]),
    Route("/disputes/{dispute_id}/tell-guardian", tell_guardian, methods=["POST"]),
    Route("/disputes/{dispute_id}/view", give_view, methods=["POST"]),
]
