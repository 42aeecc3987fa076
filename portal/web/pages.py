"""Page routes. Each runs named operations through the schema as the signed-in person; forms post to
routes that run mutations and re-show the form with the GOV.UK error summary when they fail."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from portal import clock
from portal.auth.actor import Actor
from portal.calendar import add_working_days
from portal.clock import LONDON
from portal.db import UnitOfWork
from portal.web.allocation_pages import manager_tasks
from portal.web.dispute_lists import case_disputes, disputes_to_answer
from portal.web.forms import FormErrors, moment, parse_date, parse_time
from portal.web.labels import LABELS
from portal.web.legal_tasks import legal_tasks
from portal.web.next_steps import Step, case_actions, form_for_duty, my_duties
from portal.web.operations import Operations, PageNotFound
from portal.web.referral_lists import case_referrals, referrals_to_act_on
from portal.web.rendering import render
from portal.web.requests import posted_form, signed_in


def operations(request: Request) -> Operations:
    ops: Operations = request.app.state.operations
    return ops


async def cases_page(request: Request) -> Response:
    query = request.query_params
    variables: dict[str, Any] = {"first": 25}
    stage = query.get("stage") or None
    if stage in LABELS["stage"]:
        variables["stage"] = stage
    if query.get("authority"):
        variables["localAuthorityId"] = query["authority"]
    if query.get("after"):
        variables["after"] = query["after"]
    async with signed_in(request) as (uow, actor):
        try:
            data = await operations(request).run(uow, actor, "MyCases", variables)
        except PageNotFound:
            # A stale filter or cursor: start again rather than fail.
            return RedirectResponse("/cases", status_code=303)
    me = str(actor.person_id)
    overdue = {node["id"]: _overdue_counts(node["obligations"], me) for node in data["cases"]["nodes"]}
    next_query = {k: v for k, v in query.items() if k != "after"}
    next_link = None
    if data["cases"]["pageInfo"]["hasNextPage"]:
        next_link = "/cases?" + urlencode({**next_query, "after": data["cases"]["pageInfo"]["endCursor"]})
    return render(
        request,
        "cases.html",
        {
            "actor": actor,
            "data": data,
            "overdue": overdue,
            "filters": {"stage": variables.get("stage", ""), "authority": query.get("authority", "")},
            "next_link": next_link,
            "first_link": ("/cases?" + urlencode(next_query)) if query.get("after") else None,
        },
    )


# The contact ledger shows its newest entries; the rest are a link away (?ledger=all).
LEDGER_PAGE = 20
# Open duties due within this many working days are "due soon".
DUE_SOON_WORKING_DAYS = 10


def _overdue_counts(obligations: list[dict[str, Any]], me: str) -> tuple[int, int]:
    """How many of a case's duties are overdue, and how many of those are the viewer's (or shared)."""
    late = [o for o in obligations if o["overdue"]]
    mine = [o for o in late if me in {(o[k] or {}).get("id") for k in ("ownerPerson", "partnerPerson")}]
    return len(late), len(mine)


async def case_page(request: Request) -> Response:
    everything = request.query_params.get("ledger") == "all"
    variables = {"id": request.path_params["case_id"], "ledgerSize": None if everything else LEDGER_PAGE}
    async with signed_in(request) as (uow, actor):
        data = await operations(request).run(uow, actor, "CaseView", variables)
        case = data["case"]
        disputes = await case_disputes(operations(request), uow, actor, case)
        referrals = await case_referrals(operations(request), uow, actor, case)
    entries = case["contacts"]
    # The counts are of the whole ledger, whichever part of it is shown.
    counts = case["contactCounts"]
    ledger = {
        "guardian": counts["fromGuardian"],
        "iro": counts["fromIro"],
        "awaiting": counts["awaitingReply"],
        "total": counts["total"],
        "all": everything,
    }
    shown = {c["id"] for c in entries}
    me = str(actor.person_id)
    soon = add_working_days(clock.today(), DUE_SOON_WORKING_DAYS).isoformat()
    return render(
        request,
        "case.html",
        {
            "actor": actor,
            "case": case,
            "ledger": ledger,
            "entries": entries,
            "shown_ids": shown,
            "me": me,
            "actions": case_actions(case),
            "duties": my_duties(case, me, soon),
            # None when the viewer's roles on the case read no disputes.
            "disputes": disputes,
            "raises_challenges": "IRO" in case["viewerRoles"],
            # None when the viewer's roles on the case read no referrals.
            "referrals": referrals,
            "flash": FLASH.get(request.query_params.get("done", "")),
            "flash_link": _flash_link(request, case["id"], shown),
            "EVIDENCE": EVIDENCE_ANCHORS,
            "LEDGER_PAGE": LEDGER_PAGE,
        },
    )


def _flash_link(request: Request, case_id: str, shown: set[str]) -> Step | None:
    """After logging a contact or marking a reply: a link from the banner to that entry of the ledger
    (on the full ledger when it is older than the entries shown)."""
    entry = request.query_params.get("entry", "")
    if request.query_params.get("done") not in {"contact", "reply"}:
        return None
    try:
        uuid.UUID(entry)
    except ValueError:
        return None
    page = "" if entry in shown else "?ledger=all"
    return Step(f"/cases/{case_id}{page}#entry-{entry}", "See the entry in the ledger")


@dataclass(frozen=True)
class Flash:
    message: str
    success: bool = True


# What the case page says after a form or button on it did something (?done=...).
FLASH = {
    "contact": Flash("Contact logged. Both sides now see it in the ledger."),
    "reply": Flash("Reply marked as received."),
    "reply-failed": Flash("The reply could not be marked: it may have been marked already.", success=False),
    "arrangement": Flash("How you keep in touch is recorded."),
    "waived": Flash("The reason is recorded."),
    "review": Flash("The review is booked."),
    "review-notice": Flash("The guardian has been told the review's arrangements."),
    "review-held": Flash("The review is recorded as held."),
    "review-record": Flash("The review's record is shared with the guardian."),
    "review-moved": Flash("The review is changed."),
    "review-participation": Flash("The child's participation in the review is recorded."),
    "review-preparation": Flash("The social worker's part before the review is recorded."),
    "review-earlier": Flash("The earlier review is recorded. The child's next review runs from it."),
    "review-decisions": Flash(
        "The review's decisions are recorded. Their owners, the guardian and any manager asked to confirm "
        "them are told by email."
    ),
    "conflict": Flash("The conflict of interest is recorded, and the authority's IRO managers see it."),
    "change-notified": Flash("The significant change is recorded, and the child's IRO has it to consider."),
    "midpoint-check": Flash("The midpoint check is recorded."),
    "change-answered": Flash("Your answer to the significant change is recorded."),
    "introduction-recorded": Flash(
        "Your introduction is recorded. Download the letter to send to the child or their carer."
    ),
    "discussion": Flash("The discussion is recorded on the child's file."),
    "concern": Flash("Your concern is raised with the IRO."),
    "significant-issue": Flash("The significant issue is recorded."),
    "issue-shared": Flash("The guardian has been told of the significant issue."),
    "acknowledged": Flash("Acknowledged."),
    "final-orders": Flash("The final orders are recorded and the proceedings concluded."),
    "guardian": Flash("The guardian is allocated."),
    "iro": Flash("The IRO is assigned."),
    "proceedings-opened": Flash("The proceedings are open and the 26-week clock has started."),
    "stage": Flash("The hearing is recorded."),
    "extension": Flash("The extension is recorded and the deadline moved."),
    "legal-status": Flash("The legal status is recorded."),
    "failed": Flash(
        "That could not be done: the page may be out of date. Here it is as it now is.", success=False
    ),
}

# Where on the case page the evidence that met an obligation is, by its kind.
EVIDENCE_ANCHORS = {
    "CONTACT_FROM_GUARDIAN": ("entry-", "the contact"),
    "PRE_REVIEW_CONSULTATION": ("entry-", "the consultation"),
    "REVIEW_NOTICE": ("review-", "the review"),
    "REVIEW_RECORD_SHARED": ("review-", "the review"),
    "REVIEW_DECISIONS_RECORDED": ("review-", "the review"),
    "DISCUSSION_RECORD": ("discussion-", "the record"),
    "FINAL_DISCUSSION": ("discussion-", "the record"),
    "SIGNIFICANT_ISSUE_NOTICE": ("issue-", "the issue"),
    "CHANGE_CONSIDERED": ("change-", "the change"),
}


CONTACT_FIELDS = {
    "counterpartId": "counterpartId",
    "direction": "direction",
    "occurredAt": "occurredAt-day",
    "occurredTime": "occurredTime",
    "channel": "channel",
    "purpose": "purpose",
    "summary": "summary",
    "replyExpected": "replyExpected",
    "replyDueOn": "replyDueOn-day",
    "correctsId": "summary",
    "caseId": "summary",
    "form": "summary",
}


async def contact_form(request: Request) -> Response:
    corrects = request.query_params.get("corrects")
    async with signed_in(request) as (uow, actor):
        case = await _contact_form_case(request, uow, actor, corrects)
    # Most contacts are logged the day they happen: start from today.
    today = clock.today()
    values: dict[str, str] = {
        "direction": "outgoing",
        "occurredAt-day": str(today.day),
        "occurredAt-month": str(today.month),
        "occurredAt-year": str(today.year),
    }
    if len(case["contactCounterparts"]) == 1:
        values["counterpartId"] = case["contactCounterparts"][0]["id"]
    if request.query_params.get("purpose") in LABELS["purpose"]:
        values["purpose"] = request.query_params["purpose"]
    if corrects:
        values.update(_values_from_entry(case, corrects, actor))
    return _render_contact_form(request, actor, case, values, FormErrors({}), corrects)


async def log_contact(request: Request) -> Response:
    case_id = request.path_params["case_id"]
    form = await posted_form(request)
    corrects = form.get("correctsId") or None
    errors = FormErrors(CONTACT_FIELDS)
    day = parse_date(form, "occurredAt", "The date of the contact", errors, "occurredAt")
    at = parse_time(form.get("occurredTime", ""), "The time of the contact", errors, "occurredTime")
    reply_expected = form.get("replyExpected") == "yes"
    reply_due = (
        parse_date(form, "replyDueOn", "The date the reply is due", errors, "replyDueOn")
        if reply_expected
        else None
    )
    variables = {
        "input": {
            "caseId": case_id,
            "counterpartId": form.get("counterpartId", ""),
            "direction": form.get("direction", "").upper() or "OUTGOING",
            "occurredAt": (when.isoformat() if (when := moment(day, at)) else None),
            "channel": form.get("channel", ""),
            "purpose": form.get("purpose", ""),
            "summary": form.get("summary", ""),
            "private": form.get("private") == "yes",
            "replyExpected": reply_expected,
            "replyDueOn": reply_due.isoformat() if reply_due else None,
            "correctsId": corrects,
        }
    }
    for name, kind, words in (
        ("channel", "channel", "how the contact was made"),
        ("purpose", "purpose", "what the contact was about"),
    ):
        if variables["input"][name] not in LABELS[kind]:
            errors.add(name, f"Select {words}")
            variables["input"][name] = next(iter(LABELS[kind]))
    if not variables["input"]["counterpartId"]:
        errors.add("counterpartId", "Select who the contact was with")
        # A well-formed id that matches nobody, so the API still checks every other field.
        variables["input"]["counterpartId"] = str(uuid.UUID(int=0))
    async with signed_in(request) as (uow, actor):
        result = await operations(request).run(uow, actor, "LogContact", variables)
        errors.add_api_errors(result["logContact"]["errors"])
        if errors:
            uow.fail()
            case = await _contact_form_case(request, uow, actor, None)
            return _render_contact_form(request, actor, case, form, errors, corrects, status_code=400)
    # Back to the top of the case, where the banner is (GOV.UK Frontend focuses it), not to a far anchor.
    entry = result["logContact"]["contact"]["id"]
    done = urlencode({"done": "contact", "entry": entry})
    return RedirectResponse(f"/cases/{case_id}?{done}", status_code=303)


async def mark_reply(request: Request) -> Response:
    case_id, contact_id = request.path_params["case_id"], request.path_params["contact_id"]
    await posted_form(request)
    async with signed_in(request) as (uow, actor):
        result = await operations(request).run(
            uow, actor, "MarkReply", {"input": {"caseId": case_id, "contactId": contact_id}}
        )
        if result["markReply"]["errors"]:
            uow.fail()
            return RedirectResponse(f"/cases/{case_id}?done=reply-failed", status_code=303)
    done = urlencode({"done": "reply", "entry": contact_id})
    return RedirectResponse(f"/cases/{case_id}?{done}", status_code=303)


def _render_contact_form(
    request: Request,
    actor: Actor,
    case: dict[str, Any],
    values: dict[str, str],
    errors: FormErrors,
    corrects: str | None,
    status_code: int = 200,
) -> Response:
    people = [(p["id"], p["name"], p["organisation"]["name"]) for p in case["contactCounterparts"]]
    return render(
        request,
        "contact_form.html",
        {
            "actor": actor,
            "case": case,
            "values": values,
            "errors": errors,
            "corrects": corrects,
            "counterpart_options": people,
            "channel_options": [(value, text, None) for value, text in LABELS["channel"].items()],
            "purpose_options": [(value, text, None) for value, text in LABELS["purpose"].items()],
        },
        status_code=status_code,
    )


async def _contact_form_case(
    request: Request, uow: UnitOfWork, actor: Actor, corrects: str | None
) -> dict[str, Any]:
    data = await operations(request).run(
        uow, actor, "ContactForm", {"id": request.path_params["case_id"], "correcting": bool(corrects)}
    )
    case: dict[str, Any] = data["case"]
    if not case["viewerCan"]["logContact"]:
        raise PageNotFound
    return case


def _values_from_entry(case: dict[str, Any], entry_id: str, actor: Actor) -> dict[str, str]:
    """The form's starting values when correcting an entry: the entry as it stands."""
    entry = next(
        (c for c in case.get("contacts", []) if c["id"] == entry_id and not c["correctedById"]), None
    )
    if entry is None:
        raise PageNotFound
    me = str(actor.person_id)
    outgoing = entry["fromPerson"]["id"] == me
    when = datetime.fromisoformat(entry["occurredAt"]).astimezone(LONDON)
    values = {
        "counterpartId": entry["toPerson"]["id"] if outgoing else entry["fromPerson"]["id"],
        "direction": "outgoing" if outgoing else "incoming",
        "occurredAt-day": str(when.day),
        "occurredAt-month": str(when.month),
        "occurredAt-year": str(when.year),
        "occurredTime": f"{when:%H:%M}",
        "channel": entry["channel"],
        "purpose": entry["purpose"],
        "summary": entry["summary"],
    }
    if entry["replyExpected"]:
        values["replyExpected"] = "yes"
        if entry["replyDueOn"]:
            due = entry["replyDueOn"].split("-")
            values.update(
                {
                    "replyDueOn-year": due[0],
                    "replyDueOn-month": str(int(due[1])),
                    "replyDueOn-day": str(int(due[2])),
                }
            )
    return values


async def tasks_page(request: Request) -> Response:
    """What needs doing: the viewer's duties, overdue first, each row leading to the form that meets it."""
    async with signed_in(request) as (uow, actor):
        data = await operations(request).run(uow, actor, "MyTasks", {})
        manager = await manager_tasks(operations(request), uow, actor)
        legal = await legal_tasks(request, uow, actor, data["me"]["roles"])
        disputes = await disputes_to_answer(operations(request), uow, actor, data["me"]["roles"])
        referrals = await referrals_to_act_on(operations(request), uow, actor, data["me"]["roles"])
    soon = add_working_days(clock.today(), DUE_SOON_WORKING_DAYS).isoformat()
    groups: dict[str, list[dict[str, Any]]] = {"overdue": [], "soon": [], "later": [], "closed": []}
    for task in data["myTasks"]:
        duty = task["obligation"]
        if duty["state"] != "OPEN":
            groups["closed"].append(task)
            continue
        case = task["case"]
        step = form_for_duty(case["id"], duty["evidenceKind"], duty["triggerId"], case["viewerRoles"])
        task = {**task, "step": step}
        if duty["overdue"]:
            groups["overdue"].append(task)
        else:
            groups["soon" if duty["dueOn"] <= soon else "later"].append(task)
    return render(
        request,
        "tasks.html",
        {
            "actor": actor,
            "groups": groups,
            "replies": data["myAwaitedReplies"],
            "issues": data["myIssuesToAcknowledge"],
            "monitoring": data["myMonitoringItems"],
            "manager": manager,
            "legal": legal,
            "disputes": disputes,
            "referrals": referrals,
            "decisions": data["myReviewDecisions"],
            "decision_checks": data["myDecisionChecks"],
        },
    )


ARRANGEMENT_FIELDS = {
    "agreedOn": "agreedOn-day",
    "everyWeeks": "everyWeeks",
    "onEvents": "onEvents",
    "notes": "notes",
    "form": "agreedOn-day",
}


async def arrangement_form(request: Request) -> Response:
    async with signed_in(request) as (uow, actor):
        case = await _arrangement_case(request, uow, actor)
    current = case["consultationArrangement"]
    values: dict[str, str] = {}
    if current:
        agreed = date.fromisoformat(current["agreedOn"])
        values = {
            "agreedOn-day": str(agreed.day),
            "agreedOn-month": str(agreed.month),
            "agreedOn-year": str(agreed.year),
            "everyWeeks": str(current["everyWeeks"] or ""),
            "notes": current["notes"],
        }
    events = current["onEvents"] if current else []
    return render(
        request,
        "arrangement_form.html",
        {"actor": actor, "case": case, "values": values, "chosen_events": events, "errors": FormErrors({})},
    )


async def record_arrangement(request: Request) -> Response:
    case_id = request.path_params["case_id"]
    form = await posted_form(request)
    events = [e for e in (await request.form()).getlist("onEvents") if isinstance(e, str)]
    errors = FormErrors(ARRANGEMENT_FIELDS)
    agreed = parse_date(form, "agreedOn", "The date you agreed it", errors, "agreedOn")
    weeks_text = form.get("everyWeeks", "").strip()
    weeks = int(weeks_text) if weeks_text.isdigit() else None
    if weeks_text and weeks is None:
        errors.add("everyWeeks", "Enter a number of weeks, like 4")
    variables = {
        "input": {
            "caseId": case_id,
            "agreedOn": agreed.isoformat() if agreed else None,
            "everyWeeks": weeks,
            "onEvents": [e for e in events if e in LABELS["consultation_event"]],
            "notes": form.get("notes", ""),
        }
    }
    async with signed_in(request) as (uow, actor):
        result = await operations(request).run(uow, actor, "RecordConsultationArrangement", variables)
        errors.add_api_errors(result["recordConsultationArrangement"]["errors"])
        if errors:
            uow.fail()
            case = await _arrangement_case(request, uow, actor)
            return render(
                request,
                "arrangement_form.html",
                {"actor": actor, "case": case, "values": form, "chosen_events": events, "errors": errors},
                status_code=400,
            )
    return RedirectResponse(f"/cases/{case_id}?done=arrangement", status_code=303)


async def _arrangement_case(request: Request, uow: UnitOfWork, actor: Actor) -> dict[str, Any]:
    data = await operations(request).run(
        uow, actor, "ArrangementForm", {"id": request.path_params["case_id"]}
    )
    case: dict[str, Any] = data["case"]
    if not case["viewerCan"]["recordArrangement"]:
        raise PageNotFound
    return case


async def waive_obligation(request: Request) -> Response:
    form = await posted_form(request)
    case_id = request.path_params["case_id"]
    variables = {"input": {"id": request.path_params["obligation_id"], "reason": form.get("reason", "")}}
    async with signed_in(request) as (uow, actor):
        result = await operations(request).run(uow, actor, "WaiveObligation", variables)
        if result["waiveObligation"]["errors"]:
            uow.fail()
            return RedirectResponse(f"/cases/{case_id}?done=failed", status_code=303)
    return RedirectResponse(f"/cases/{case_id}?done=waived", status_code=303)


async def access_log_page(request: Request) -> Response:
    variables: dict[str, Any] = {"id": request.path_params["case_id"], "first": 50}
    if request.query_params.get("after"):
        variables["after"] = request.query_params["after"]
    async with signed_in(request) as (uow, actor):
        data = await operations(request).run(uow, actor, "AccessLog", variables)
    case = data["case"]
    page = case["accessLog"]
    next_link = None
    if page["pageInfo"]["hasNextPage"]:
        next_link = f"/cases/{case['id']}/access-log?" + urlencode({"after": page["pageInfo"]["endCursor"]})
    return render(
        request,
        "access_log.html",
        {"actor": actor, "case": case, "events": page["nodes"], "next_link": next_link},
    )


routes = [
    Route("/cases", cases_page),
    Route("/tasks", tasks_page),
    Route("/cases/{case_id}", case_page),
    Route("/cases/{case_id}/access-log", access_log_page),
    Route("/cases/{case_id}/arrangement", arrangement_form, methods=["GET"]),
    Route("/cases/{case_id}/arrangement", record_arrangement, methods=["POST"]),
    Route("/cases/{case_id}/contacts/new", contact_form, methods=["GET"]),
    Route("/cases/{case_id}/contacts", log_contact, methods=["POST"]),
    Route("/cases/{case_id}/contacts/{contact_id}/reply", mark_reply, methods=["POST"]),
    Route("/cases/{case_id}/obligations/{obligation_id}/waive", waive_obligation, methods=["POST"]),
]
