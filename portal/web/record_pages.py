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
from portal.web.case_forms import CaseForm, case_for
from portal.web.exports import child_file_json, child_file_pdf, discussion_json, discussion_pdf
from portal.web.forms import FormErrors, date_values, iso, parse_date
from portal.web.headers import attachment
from portal.web.labels import LABELS
from portal.web.operations import PageNotFound
from portal.web.pages import operations
from portal.web.rendering import render
from portal.web.requests import posted_form, signed_in

REVIEW = CaseForm(
    "review_form.html",
    "manageReviews",
    {"childIds": "childIds", "reviewDate": "reviewDate-day", "arrangements": "arrangements", "kind": "kind"},
)


async def review_form(request: Request) -> Response:
    return await REVIEW.show(request, {"tellGuardian": "yes"})


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


def _review(case: dict[str, Any], review_id: str) -> dict[str, Any]:
    review: dict[str, Any] | None = next((r for r in case["reviews"] if r["id"] == review_id), None)
    if review is None:
        raise PageNotFound
    return review


async def review_page(request: Request) -> Response:
    async with signed_in(request) as (uow, actor):
        case = await case_for(request, uow, actor, "manageReviews")
    review = _review(case, request.path_params["review_id"])
    values = {**date_values("reviewDate", review["reviewDate"]), "arrangements": review["arrangements"]}
    return render(
        request,
        OUTCOME.template,
        {"actor": actor, "case": case, "review": review, "values": values, "errors": FormErrors({})},
    )


async def _review_action(
    request: Request,
    operation: str,
    input: dict[str, Any],
    errors: FormErrors,
    form: dict[str, str],
    done: str,
) -> Response:
    async with signed_in(request) as (uow, actor):
        case = await case_for(request, uow, actor, "manageReviews")
    review = _review(case, request.path_params["review_id"])
    return await OUTCOME.submit(
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
    Route("/cases/{case_id}/reviews", schedule_review, methods=["POST"]),
    Route("/cases/{case_id}/reviews/{review_id}", review_page, methods=["GET"]),
    Route("/cases/{case_id}/reviews/{review_id}/held", review_held, methods=["POST"]),
    Route("/cases/{case_id}/reviews/{review_id}/record", review_record, methods=["POST"]),
    Route("/cases/{case_id}/reviews/{review_id}/reschedule", review_reschedule, methods=["POST"]),
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
