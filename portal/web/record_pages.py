"""Pages for the records around the protocol: booking and recording reviews (P4, P5), discussion records
with their case-file exports (P7, P13), concerns and significant issues (P8, P9), and each person's email
preference (the final orders are in proceedings_pages.py). Each form runs a named mutation and re-shows
itself with the errors."""

from __future__ import annotations

import json
from functools import partial
from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from portal.access.policy import Permission
from portal.audit.service import Look
from portal.auth.actor import Actor
from portal.web.case_forms import CaseForm, case_for
from portal.web.exports import child_file_json, child_file_pdf, discussion_json, discussion_pdf
from portal.web.forms import NOBODY, FormErrors, date_values, iso, parse_date
from portal.web.headers import attachment
from portal.web.labels import LABELS
from portal.web.operations import PageNotFound
from portal.web.pages import operations
from portal.web.rendering import render
from portal.web.requests import posted_form, signed_in

REVIEW = CaseForm(
    "review_form.html",
    "manageReviews",
    {
        "childIds": "childIds",
        "reviewDate": "reviewDate-day",
        "arrangements": "arrangements",
        "kind": "kind",
        "longTermFosterSettled": "longTermFosterSettled",
        "childAgreed": "childAgreed",
        # The significant change the review is booked for (a hidden field): its problems show at the kind.
        "significantChangeId": "kind",
    },
)


async def review_form(request: Request) -> Response:
    values = {"tellGuardian": "yes"}
    # From a significant change (SC): an additional review of its child, whose booking answers the change.
    change, child = request.query_params.get("change", ""), request.query_params.get("child", "")
    if change:
        values |= {"kind": "ADDITIONAL", "significantChangeId": change}
    return await REVIEW.show(request, values, chosen_children=[child] if child else [])


async def schedule_review(request: Request) -> Response:
    form = await posted_form(request)
    children = [c for c in (await request.form()).getlist("childIds") if isinstance(c, str)]
    errors = FormErrors(REVIEW.anchors)
    review_date = parse_date(form, "reviewDate", "The review's date", errors, "reviewDate")
    kind = form.get("kind") or None
    variables = {
        "input": {
            "caseId": request.path_params["case_id"],
            "childIds": children,
            "reviewDate": iso(review_date),
            "arrangements": form.get("arrangements", ""),
            "kind": kind if kind in ("ADDITIONAL", "INFORMATION_GATHERING") else None,
            "guardianInvited": form.get("guardianInvited") == "yes",
            "tellGuardian": form.get("tellGuardian") == "yes",
            "longTermFosterSettled": form.get("longTermFosterSettled") == "yes",
            "childAgreed": form.get("childAgreed") == "yes",
            "significantChangeId": form.get("significantChangeId") or None,
        }
    }
    return await REVIEW.submit(
        request, "ScheduleReview", variables, errors, form, "review", chosen_children=children
    )


OUTCOME = CaseForm(
    "review_outcome.html",
    "manageReviews",
    {
        "heldOn": "heldOn-day",
        "record": "record",
        "reviewDate": "reviewDate-day",
        "arrangements": "arrangements",
    },
)


# The child's participation in a held review (issue 18), on the same page: its own fields' anchors (a
# refusal about the review itself goes to the first of them).
PARTICIPATION = CaseForm(
    OUTCOME.template,
    "manageReviews",
    {
        "attendance": "attendance",
        "viewsConveyed": "viewsConveyed",
        "conveyedBy": "conveyedBy",
        "wishesAndFeelings": "wishesAndFeelings",
        "id": "attendance",
    },
)


def _participation_values(review: dict[str, Any]) -> dict[str, Any]:
    """The participation form's fields as last recorded (empty before it is)."""
    found = review.get("participation")
    if not found:
        return {}
    return {
        "attendance": found["attendance"],
        "viewsConveyed": found["viewsConveyed"] or "",
        "conveyedBy": found["conveyedBy"],
        "wishesAndFeelings": found["wishesAndFeelings"] or "",
        "private": "yes" if found["private"] else "",
    }


def _review(case: dict[str, Any], review_id: str) -> dict[str, Any]:
    review: dict[str, Any] | None = next((r for r in case["reviews"] if r["id"] == review_id), None)
    if review is None:
        raise PageNotFound
    return review


async def review_page(request: Request) -> Response:
    async with signed_in(request) as (uow, actor):
        case = await case_for(request, uow, actor, "manageReviews")
        review = _review(case, request.path_params["review_id"])
        # The managers the IRO may ask to confirm the decisions, while they are still to record.
        recording = review["heldOn"] and review["decisionsCheck"] is None
        managers = await _managers(request, uow, actor, case["id"]) if recording else []
        earlier = await _to_settle(request, uow, actor, review) if recording else []
    values = {
        **date_values("reviewDate", review["reviewDate"]),
        "arrangements": review["arrangements"],
        **_participation_values(review),
    }
    return render(
        request,
        OUTCOME.template,
        {
            "actor": actor,
            "case": case,
            "review": review,
            "values": values,
            "errors": FormErrors({}),
            "earlier": earlier,
            "managers": managers,
            "decision_rows": range(DECISION_ROWS),
        },
    )


async def _review_action(
    request: Request,
    operation: str,
    input: dict[str, Any],
    errors: FormErrors,
    form: dict[str, str],
    done: str,
    page: CaseForm = OUTCOME,
) -> Response:
    async with signed_in(request) as (uow, actor):
        case = await case_for(request, uow, actor, "manageReviews")
    review = _review(case, request.path_params["review_id"])
    return await page.submit(
        request, operation, {"input": {"id": review["id"], **input}}, errors, form, done, review=review
    )


async def review_held(request: Request) -> Response:
    form = await posted_form(request)
    errors = FormErrors(OUTCOME.anchors)
    held = parse_date(form, "heldOn", "The date held", errors, "heldOn")
    record = form.get("record", "").strip() or None
    return await _review_action(
        request, "RecordReviewHeld", {"heldOn": iso(held), "record": record}, errors, form, "review-held"
    )


async def review_record(request: Request) -> Response:
    form = await posted_form(request)
    return await _review_action(
        request,
        "ShareReviewRecord",
        {"record": form.get("record", "")},
        FormErrors(OUTCOME.anchors),
        form,
        "review-record",
    )


async def review_participation(request: Request) -> Response:
    """The child's IRO records (or changes) the child's participation in a held review (issue 18)."""
    form = await posted_form(request)
    errors = FormErrors(PARTICIPATION.anchors)
    attendance = form.get("attendance", "")
    if attendance and attendance not in LABELS["child_attendance"]:
        errors.add("attendance", "Say whether the child attended the review")
    conveyed = form.get("viewsConveyed", "")
    if conveyed and conveyed not in LABELS["views_conveyed"]:
        errors.add("viewsConveyed", "Say how the child's views were conveyed")
    input = {
        "attendance": attendance if attendance in LABELS["child_attendance"] else None,
        "viewsConveyed": conveyed if conveyed in LABELS["views_conveyed"] else None,
        "conveyedBy": form.get("conveyedBy", ""),
        "wishesAndFeelings": form.get("wishesAndFeelings", ""),
        "private": form.get("private") == "yes",
    }
    return await _review_action(
        request, "RecordReviewParticipation", input, errors, form, "review-participation", PARTICIPATION
    )


# A review held before the case came to the portal, recorded by the child's IRO (issue 18).
EARLIER = CaseForm("review_earlier.html", "manageReviews", {"childId": "childId", "heldOn": "heldOn-day"})


def _earlier_children(case: dict[str, Any], actor: Actor) -> dict[str, Any]:
    me = str(actor.person_id)
    children = [c for c in case["children"] if c["lookedAfter"] and c["iro"] and c["iro"]["id"] == me]
    options = [(c["id"], f"{c['givenName']} {c['familyName']}", None) for c in children]
    return {"children": children, "children_options": options}


async def earlier_review_form(request: Request) -> Response:
    async with signed_in(request) as (uow, actor):
        case = await EARLIER.case(request, uow, actor)
    return EARLIER.render(request, actor, case, {}, FormErrors({}), **_earlier_children(case, actor))


async def record_earlier_review(request: Request) -> Response:
    form = await posted_form(request)
    errors = FormErrors(EARLIER.anchors)
    held = parse_date(form, "heldOn", "The date held", errors, "heldOn")
    child = form.get("childId", "")
    if not child:
        errors.add("childId", "Select the child")
    async with signed_in(request) as (uow, actor):
        case = await EARLIER.case(request, uow, actor)
    input = {"caseId": case["id"], "childId": child or NOBODY, "heldOn": iso(held)}
    return await EARLIER.submit(
        request,
        "RecordEarlierReview",
        {"input": input},
        errors,
        form,
        "review-earlier",
        **_earlier_children(case, actor),
    )


# The social worker's part before a review (SW1, SW2; issue 18): its own page, for the child's social worker
# (who cannot manage reviews) and the child's IRO.
PREPARATION = CaseForm(
    "review_preparation.html",
    "prepareReviews",
    {
        "socialWorkerConsultedOn": "socialWorkerConsultedOn-day",
        "papersReceivedOn": "papersReceivedOn-day",
        "id": "socialWorkerConsultedOn-day",
    },
)


def _preparing(case: dict[str, Any], review_id: str, actor: Actor) -> dict[str, Any]:
    """The review, if the viewer is its child's social worker or IRO; otherwise there is no such page."""
    review = _review(case, review_id)
    me = str(actor.person_id)
    if not any(
        m["role"] in ("SOCIAL_WORKER", "IRO")
        and m["person"]["id"] == me
        and any(c["id"] == review["childId"] for c in m["children"])
        for m in case["members"]
    ):
        raise PageNotFound
    return review


def _preparation_values(review: dict[str, Any]) -> dict[str, str]:
    found = review.get("preparation") or {}
    return {
        **date_values("socialWorkerConsultedOn", found.get("socialWorkerConsultedOn")),
        **date_values("papersReceivedOn", found.get("papersReceivedOn")),
    }


async def preparation_page(request: Request) -> Response:
    async with signed_in(request) as (uow, actor):
        case = await PREPARATION.case(request, uow, actor)
    review = _preparing(case, request.path_params["review_id"], actor)
    return PREPARATION.render(
        request, actor, case, _preparation_values(review), FormErrors({}), review=review
    )


async def record_preparation(request: Request) -> Response:
    form = await posted_form(request)
    errors = FormErrors(PREPARATION.anchors)
    consulted = parse_date(
        form,
        "socialWorkerConsultedOn",
        "The day the social worker consulted the IRO",
        errors,
        "socialWorkerConsultedOn",
    )
    papers = parse_date(
        form, "papersReceivedOn", "The day the IRO had the papers", errors, "papersReceivedOn"
    )
    async with signed_in(request) as (uow, actor):
        case = await PREPARATION.case(request, uow, actor)
    review = _preparing(case, request.path_params["review_id"], actor)
    input = {"id": review["id"], "socialWorkerConsultedOn": iso(consulted), "papersReceivedOn": iso(papers)}
    return await PREPARATION.submit(
        request,
        "RecordReviewPreparation",
        {"input": input},
        errors,
        form,
        "review-preparation",
        review=review,
    )


# The review's decisions as actions (issue 18): rows for new decisions (blank ones ignored), one row for
# each decision still open from the child's earlier reviews, and the manager asked to confirm them.
DECISION_ROWS = 5
DECISIONS = CaseForm(
    OUTCOME.template,
    "manageReviews",
    {
        "id": "decisions",
        "decisions": "decisions-0-description",
        **{
            f"decisions.{n}.{part}": f"decisions-{n}-{part}{'-day' if part == 'dueOn' else ''}"
            for n in range(DECISION_ROWS)
            for part in ("description", "ownerId", "dueOn")
        },
        **{f"earlier.{n}": f"earlier-{n}-outcome" for n in range(50)},
        **{
            f"earlier.{n}.{part}": f"earlier-{n}-{part}{'-day' if part == 'dueOn' else ''}"
            for n in range(50)
            for part in ("outcome", "note", "dueOn")
        },
        "managerId": "managerId",
    },
)


async def _to_settle(request: Request, uow: Any, actor: Any, review: dict[str, Any]) -> list[dict[str, Any]]:
    """The decisions still open from the child's earlier reviews, on any of their proceedings, oldest first:
    what the review's decisions must say are done, dropped or carried forward."""
    data = await operations(request).run(uow, actor, "DecisionsToSettle", {"reviewId": review["id"]})
    found: list[dict[str, Any]] = data["decisionsToSettle"]
    return found


async def _managers(request: Request, uow: Any, actor: Any, case_id: str) -> list[dict[str, Any]]:
    """The managers of the case's authority the IRO may ask to confirm the decisions."""
    data = await operations(request).run(uow, actor, "DisputeAnswerers", {"caseId": case_id})
    found: list[dict[str, Any]] = data["disputeAnswerers"]
    return found


async def review_decisions(request: Request) -> Response:
    """The child's IRO records the review's decisions as actions, once (issue 18; RD)."""
    form = await posted_form(request)
    errors = FormErrors(DECISIONS.anchors)
    decisions: list[dict[str, Any]] = []
    for n in range(DECISION_ROWS):
        prefix = f"decisions-{n}"
        description = form.get(f"{prefix}-description", "").strip()
        owner = form.get(f"{prefix}-ownerId", "")
        due = parse_date(
            form, f"{prefix}-dueOn", "The date it is due", errors, f"decisions.{len(decisions)}.dueOn"
        )
        if description or owner or due:
            decisions.append({"description": description, "ownerId": owner or None, "dueOn": iso(due)})
    earlier: list[dict[str, Any]] = []
    n = 0
    while f"earlier-{n}-id" in form:
        prefix = f"earlier-{n}"
        outcome = form.get(f"{prefix}-outcome", "")
        carried = outcome == "CARRIED_FORWARD"
        due = (
            parse_date(form, f"{prefix}-dueOn", "The new date it is due", errors, f"earlier.{n}.dueOn")
            if carried
            else None
        )
        earlier.append(
            {
                "id": form[f"{prefix}-id"],
                "outcome": outcome if outcome in LABELS["earlier_outcome"] else None,
                "note": form.get(f"{prefix}-note", ""),
                "dueOn": iso(due),
            }
        )
        n += 1
    input = {"decisions": decisions, "earlier": earlier, "managerId": form.get("managerId") or None}
    async with signed_in(request) as (uow, actor):
        case = await case_for(request, uow, actor, "manageReviews")
        review = _review(case, request.path_params["review_id"])
        managers = await _managers(request, uow, actor, case["id"])
        to_settle = await _to_settle(request, uow, actor, review)
    return await DECISIONS.submit(
        request,
        "RecordReviewDecisions",
        {"input": {"id": review["id"], **input}},
        errors,
        form,
        "review-decisions",
        review=review,
        earlier=to_settle,
        managers=managers,
        decision_rows=range(DECISION_ROWS),
    )


async def complete_decision(request: Request) -> Response:
    """The owner of a review's decision (or the child's IRO) marks it done, from their task list."""
    form = await posted_form(request)
    input = {"id": request.path_params["decision_id"], "note": form.get("note", "")}
    async with signed_in(request) as (uow, actor):
        result = await operations(request).run(uow, actor, "CompleteReviewDecision", {"input": input})
        if result["completeReviewDecision"]["errors"]:
            uow.fail()
            raise PageNotFound
    return RedirectResponse("/tasks#decisions", status_code=303)


CHECK_FIELDS = {"response": "response", "comment": "comment", "reviewId": "response", "form": "response"}


async def _check(request: Request, uow: Any, actor: Any) -> dict[str, Any]:
    """The review's decisions put to the viewer to confirm, not yet answered; anyone else finds no page."""
    data = await operations(request).run(uow, actor, "DecisionChecks", {})
    review_id = request.path_params["review_id"]
    found: dict[str, Any] | None = next(
        (c for c in data["myDecisionChecks"] if c["reviewId"] == review_id), None
    )
    if found is None:
        raise PageNotFound
    return found


async def decision_check_page(request: Request) -> Response:
    """The manager the IRO named confirms the review's decisions, or disputes them (issue 18)."""
    async with signed_in(request) as (uow, actor):
        check = await _check(request, uow, actor)
    return render(
        request,
        "decision_check.html",
        {"actor": actor, "check": check, "values": {}, "errors": FormErrors({})},
    )


async def respond_to_decisions(request: Request) -> Response:
    form = await posted_form(request)
    errors = FormErrors(CHECK_FIELDS)
    response = form.get("response", "")
    if response not in LABELS["manager_response"]:
        errors.add("response", "Say whether you confirm or dispute the decisions")
    input = {
        "reviewId": request.path_params["review_id"],
        "response": response if response in LABELS["manager_response"] else "CONFIRMED",
        "comment": form.get("comment", ""),
    }
    async with signed_in(request) as (uow, actor):
        if not errors:
            result = await operations(request).run(uow, actor, "RespondToReviewDecisions", {"input": input})
            errors.add_api_errors(result["respondToReviewDecisions"]["errors"])
        if errors:
            uow.fail()
            check = await _check(request, uow, actor)
            return render(
                request,
                "decision_check.html",
                {"actor": actor, "check": check, "values": form, "errors": errors},
                status_code=400,
            )
    return RedirectResponse("/tasks#decision-checks", status_code=303)


async def review_reschedule(request: Request) -> Response:
    form = await posted_form(request)
    errors = FormErrors(OUTCOME.anchors)
    new_date = parse_date(form, "reviewDate", "The review's date", errors, "reviewDate")
    input = {"reviewDate": iso(new_date), "arrangements": form.get("arrangements", "")}
    return await _review_action(request, "RescheduleReview", input, errors, form, "review-moved")


async def _button(request: Request, operation: str, input: dict[str, Any], done: str) -> Response:
    """A one-button action from the case page (its form already checked); a refusal comes back as a message
    there."""
    case_id = request.path_params["case_id"]
    async with signed_in(request) as (uow, actor):
        result = await operations(request).run(uow, actor, operation, {"input": input})
        if next(iter(result.values()))["errors"]:
            uow.fail()
            return RedirectResponse(f"/cases/{case_id}?done=failed", status_code=303)
    return RedirectResponse(f"/cases/{case_id}?done={done}", status_code=303)


async def review_notice(request: Request) -> Response:
    await posted_form(request)
    return await _button(
        request, "TellGuardianOfReview", {"id": request.path_params["review_id"]}, "review-notice"
    )


ACTION_ROWS = 3
DISCUSSION = CaseForm(
    "discussion_form.html",
    "recordDiscussion",
    {
        "heldOn": "heldOn-day",
        "mode": "mode",
        "kind": "kind",
        "contactId": "contactId",
        "othersPresent": "othersPresent",
        "summary": "summary",
        **{
            f"actions.{n}.{part}": f"actions-{n}-{part}"
            for n in range(ACTION_ROWS)
            for part in ("description", "ownerId", "dueOn")
        },
        "form": "heldOn-day",
    },
)


async def discussion_form(request: Request) -> Response:
    contact = request.query_params.get("contact", "")
    # P13 leads here with the final discussion chosen (portal/web/next_steps.py).
    kind = request.query_params.get("kind", "")
    kind = kind if kind in LABELS["discussion_kind"] else "DURING_PROCEEDINGS"
    return await DISCUSSION.show(request, {"contactId": contact, "kind": kind}, rows=range(ACTION_ROWS))


async def record_discussion(request: Request) -> Response:
    form = await posted_form(request)
    errors = FormErrors(DISCUSSION.anchors)
    held = parse_date(form, "heldOn", "The date of the discussion", errors, "heldOn")
    actions: list[dict[str, str | None]] = []
    for n in range(ACTION_ROWS):
        description = form.get(f"actions-{n}-description", "").strip()
        owner = form.get(f"actions-{n}-ownerId", "")
        due = parse_date(
            form, f"actions-{n}-dueOn", "The date it is due", errors, f"actions.{len(actions)}.dueOn"
        )
        if description or owner or due:
            actions.append({"description": description, "ownerId": owner or None, "dueOn": iso(due)})
    mode = form.get("mode", "")
    if mode not in LABELS["discussion_mode"]:
        errors.add("mode", "Choose how the discussion took place")
    variables = {
        "input": {
            "caseId": request.path_params["case_id"],
            "heldOn": iso(held),
            "mode": mode or "PHONE",
            "kind": form.get("kind")
            if form.get("kind") in LABELS["discussion_kind"]
            else "DURING_PROCEEDINGS",
            "summary": form.get("summary", ""),
            "othersPresent": form.get("othersPresent", ""),
            "contactId": form.get("contactId") or None,
            "actions": actions,
        }
    }
    return await DISCUSSION.submit(
        request, "RecordDiscussion", variables, errors, form, "discussion", rows=range(ACTION_ROWS)
    )


async def _discussion(request: Request, look: Look) -> dict[str, Any]:
    variables = {"id": request.path_params["case_id"], "discussionId": request.path_params["discussion_id"]}
    async with signed_in(request) as (uow, actor):
        data = await operations(request).run(uow, actor, "DiscussionRecord", variables, look=look)
    case: dict[str, Any] = data["case"]
    if case["discussion"] is None:
        raise PageNotFound
    return case


async def discussion_export_pdf(request: Request) -> Response:
    case = await _discussion(request, Look.EXPORT_DISCUSSION_PDF)
    return Response(
        await discussion_pdf(case),
        media_type="application/pdf",
        headers={"Content-Disposition": attachment(f"discussion-{case['discussion']['heldOn']}.pdf")},
    )


async def discussion_export_json(request: Request) -> Response:
    case = await _discussion(request, Look.EXPORT_DISCUSSION_JSON)
    return Response(
        json.dumps(discussion_json(case), indent=2, ensure_ascii=False),
        media_type="application/json",
        headers={"Content-Disposition": attachment(f"discussion-{case['discussion']['heldOn']}.json")},
    )


async def child_file(request: Request) -> Response:
    """One child's file for the authority's statutory record, as JSON or PDF (IRO, LA legal, IRO manager):
    anyone else finds no such page, and nothing of the case is read for them."""
    child_id, extension = request.path_params["child_id"], request.path_params["format"]
    look = {"json": Look.EXPORT_CHILD_FILE_JSON, "pdf": Look.EXPORT_CHILD_FILE_PDF}.get(extension)
    if look is None:
        raise PageNotFound
    async with signed_in(request) as (uow, actor):
        variables = {"id": request.path_params["case_id"]}
        run = partial(operations(request).run, uow, actor, look=look, need=Permission.EXPORT_CHILD_FILE)
        case = (await run("ChildFile", variables))["case"]
        if all(c["id"] != child_id for c in case["children"]):
            raise PageNotFound
        case["accessLog"], after = [], None
        while True:  # the whole log, a page at a time
            page = (await run("AccessLog", {**variables, "first": 100, "after": after}))["case"]["accessLog"]
            case["accessLog"] += page["nodes"]
            if not page["pageInfo"]["hasNextPage"]:
                break
            after = page["pageInfo"]["endCursor"]
    name = f"child-file-{case['caseNumber']}-{child_id[:8]}.{extension}"
    headers = {"Content-Disposition": attachment(name)}
    if extension == "json":
        body = json.dumps(child_file_json(case, child_id), indent=2, ensure_ascii=False)
        return Response(body, media_type="application/json", headers=headers)
    return Response(await child_file_pdf(case, child_id), media_type="application/pdf", headers=headers)


CONCERN = CaseForm("issue_form.html", "raiseConcern", {"summary": "summary", "form": "summary"})
SIGNIFICANT = CaseForm(
    "issue_form.html",
    "recordSignificantIssue",
    {"aroseOn": "aroseOn-day", "meeting": "meeting", "summary": "summary", "form": "summary"},
)


async def concern_form(request: Request) -> Response:
    return await CONCERN.show(request, kind="CONCERN")


async def raise_concern(request: Request) -> Response:
    form = await posted_form(request)
    variables = {"input": {"caseId": request.path_params["case_id"], "summary": form.get("summary", "")}}
    return await CONCERN.submit(
        request, "RaiseConcern", variables, FormErrors(CONCERN.anchors), form, "concern", kind="CONCERN"
    )


async def significant_issue_form(request: Request) -> Response:
    return await SIGNIFICANT.show(request, {"tellGuardianNow": "yes"}, kind="SIGNIFICANT_ISSUE")


async def record_significant_issue(request: Request) -> Response:
    form = await posted_form(request)
    errors = FormErrors(SIGNIFICANT.anchors)
    arose = parse_date(form, "aroseOn", "The meeting's date", errors, "aroseOn")
    variables = {
        "input": {
            "caseId": request.path_params["case_id"],
            "aroseOn": iso(arose),
            "meeting": form.get("meeting", ""),
            "summary": form.get("summary", ""),
            "tellGuardianNow": form.get("tellGuardianNow") == "yes",
        }
    }
    return await SIGNIFICANT.submit(
        request,
        "RecordSignificantIssue",
        variables,
        errors,
        form,
        "significant-issue",
        kind="SIGNIFICANT_ISSUE",
    )


async def share_issue(request: Request) -> Response:
    await posted_form(request)
    return await _button(
        request, "ShareSignificantIssue", {"id": request.path_params["issue_id"]}, "issue-shared"
    )


async def acknowledge_issue(request: Request) -> Response:
    form = await posted_form(request)
    input = {"id": request.path_params["issue_id"], "response": form.get("response", "")}
    return await _button(request, "AcknowledgeIssue", input, "acknowledged")


async def email_settings(request: Request) -> Response:
    async with signed_in(request) as (uow, actor):
        me = (await operations(request).run(uow, actor, "Me", {}))["me"]
    done = request.query_params.get("done") == "saved"
    return render(request, "email_settings.html", {"actor": actor, "me": me, "saved": done})


async def save_email_settings(request: Request) -> Response:
    form = await posted_form(request)
    preference = form.get("preference", "")
    if preference not in LABELS["email_preference"]:
        return RedirectResponse("/settings/email", status_code=303)
    async with signed_in(request) as (uow, actor):
        await operations(request).run(uow, actor, "SetEmailPreference", {"input": {"preference": preference}})
    return RedirectResponse("/settings/email?done=saved", status_code=303)


routes = [
    Route("/settings/email", email_settings, methods=["GET"]),
    Route("/settings/email", save_email_settings, methods=["POST"]),
    Route("/cases/{case_id}/reviews/new", review_form, methods=["GET"]),
    Route("/cases/{case_id}/earlier-reviews", earlier_review_form, methods=["GET"]),
    Route("/cases/{case_id}/earlier-reviews", record_earlier_review, methods=["POST"]),
    Route("/cases/{case_id}/reviews", schedule_review, methods=["POST"]),
    Route("/cases/{case_id}/reviews/{review_id}", review_page, methods=["GET"]),
    Route("/cases/{case_id}/reviews/{review_id}/held", review_held, methods=["POST"]),
    Route("/cases/{case_id}/reviews/{review_id}/record", review_record, methods=["POST"]),
    Route("/cases/{case_id}/reviews/{review_id}/reschedule", review_reschedule, methods=["POST"]),
    Route("/cases/{case_id}/reviews/{review_id}/participation", review_participation, methods=["POST"]),
    Route("/cases/{case_id}/reviews/{review_id}/preparation", preparation_page, methods=["GET"]),
    Route("/cases/{case_id}/reviews/{review_id}/preparation", record_preparation, methods=["POST"]),
    Route("/cases/{case_id}/reviews/{review_id}/decisions", review_decisions, methods=["POST"]),
    Route("/decisions/{decision_id}/done", complete_decision, methods=["POST"]),
    Route("/decision-checks/{review_id}", decision_check_page, methods=["GET"]),
    Route("/decision-checks/{review_id}", respond_to_decisions, methods=["POST"]),
    Route("/cases/{case_id}/reviews/{review_id}/notice", review_notice, methods=["POST"]),
    Route("/cases/{case_id}/discussions/new", discussion_form, methods=["GET"]),
    Route("/cases/{case_id}/discussions", record_discussion, methods=["POST"]),
    Route("/cases/{case_id}/discussions/{discussion_id}.pdf", discussion_export_pdf, methods=["GET"]),
    Route("/cases/{case_id}/discussions/{discussion_id}.json", discussion_export_json, methods=["GET"]),
    Route("/cases/{case_id}/children/{child_id}/file.{format}", child_file, methods=["GET"]),
    Route("/cases/{case_id}/concerns/new", concern_form, methods=["GET"]),
    Route("/cases/{case_id}/concerns", raise_concern, methods=["POST"]),
    Route("/cases/{case_id}/significant-issues/new", significant_issue_form, methods=["GET"]),
    Route("/cases/{case_id}/significant-issues", record_significant_issue, methods=["POST"]),
    Route("/cases/{case_id}/issues/{issue_id}/share", share_issue, methods=["POST"]),
    Route("/cases/{case_id}/issues/{issue_id}/acknowledge", acknowledge_issue, methods=["POST"]),
]
