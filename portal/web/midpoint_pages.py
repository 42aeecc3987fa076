"""The page on which a looked-after child's IRO records a midpoint check between the child's reviews
(issue 19; IRO Handbook 2010 paras 3.74-3.79; RESEARCH-NOTES.md §5.6): which child, the day, whether they
read the file, their contact with the social worker, the outcome and a note. Shown to those who may manage
the case's reviews (anyone else finds no such page); it runs a named mutation and re-shows itself with every
problem."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from portal import clock
from portal.auth.actor import Actor
from portal.db import UnitOfWork
from portal.web.case_forms import CaseForm
from portal.web.forms import FormErrors, date_values, iso, parse_date
from portal.web.labels import LABELS, long_date
from portal.web.requests import posted_form, signed_in


class _Form(CaseForm):
    """The form's case, with who is looking (``me``): the children offered are theirs as IRO."""

    async def case(self, request: Request, uow: UnitOfWork, actor: Actor) -> dict[str, Any]:
        case = await super().case(request, uow, actor)
        case["me"] = str(actor.person_id)
        return case


FORM = _Form(
    "midpoint_form.html",
    "manageReviews",
    {
        "childId": "childId",
        "doneOn": "doneOn-day",
        "fileRead": "fileRead",
        "socialWorkerContact": "socialWorkerContact",
        "outcome": "outcome",
        "note": "note",
        "caseId": "childId",
        "form": "childId",
    },
    operation="MidpointForm",
    context=lambda case: {"checkable": checkable(case)},
)


def checkable(case: dict[str, Any]) -> list[dict[str, Any]]:
    """The looked-after children of the case whose IRO the viewer is (``me``, set by the page)."""
    me = case.get("me", "")
    return [c for c in case["children"] if c["lookedAfter"] and c["iro"] and c["iro"]["id"] == me]


async def check_form(request: Request) -> Response:
    async with signed_in(request) as (uow, actor):
        case = await FORM.case(request, uow, actor)
    values: dict[str, str] = dict(date_values("doneOn", clock.today().isoformat()))
    children = checkable(case)
    chosen = request.query_params.get("child", "")
    if any(c["id"] == chosen for c in children):
        values["childId"] = chosen
    elif len(children) == 1:
        values["childId"] = children[0]["id"]
    return FORM.render(request, actor, case, values, FormErrors({}))


async def record(request: Request) -> Response:
    form = await posted_form(request)
    errors = FormErrors(FORM.anchors)
    done = parse_date(form, "doneOn", "The date of the check", errors, "doneOn")
    contact = form.get("socialWorkerContact", "")
    outcome = form.get("outcome", "")
    read = form.get("fileRead", "")
    variables = {
        "input": {
            "caseId": request.path_params["case_id"],
            "childId": form.get("childId") or None,
            "doneOn": iso(done),
            "fileRead": {"yes": True, "no": False}.get(read),
            "socialWorkerContact": contact if contact in LABELS["social_worker_contact"] else None,
            "outcome": outcome if outcome in LABELS["midpoint_outcome"] else None,
            "note": form.get("note", ""),
        }
    }
    return await FORM.submit(request, "RecordMidpointCheck", variables, errors, form, "midpoint-check")


routes = [
    Route("/cases/{case_id}/midpoint-checks/new", check_form, methods=["GET"]),
    Route("/cases/{case_id}/midpoint-checks", record, methods=["POST"]),
]


# The dashboard's figures of monitoring between reviews (portal/dashboards/drill.py), in words.
FIGURE_TITLES = {
    "MIDPOINTS_CHILDREN": "Looked-after children in their current cycle between reviews",
    "MIDPOINTS_DUE": "Children whose midpoint check is due this cycle",
    "MIDPOINTS_MONITORED": "Children monitored this cycle: a midpoint check since their last review",
    "MIDPOINTS_NOT_MONITORED": "Children not monitored this cycle, their midpoint passed",
    "MIDPOINTS_NOT_YET_DUE": "Children whose midpoint is not yet due",
    "MIDPOINTS_REVIEWS": "Reviews held in the period, with the cycle before them",
    "MIDPOINTS_REVIEWS_CHECKED": "Reviews held in the period with a midpoint check before them",
    "MIDPOINTS_REVIEWS_UNCHECKED": "Reviews held in the period with no midpoint check before them",
}


def midpoint_lines(reference: dict[str, Any]) -> list[dict[str, Any]]:
    """The children behind a coverage figure on one case, each as the drill-down's line: the child, their
    IRO, the midpoint (when the check fell due) and where it stands, with the cycle it is of."""
    lines = []
    for row in reference["midpoints"]:
        began = (
            f"the review of {long_date(row['lastReview'])}" if row["lastReview"] else "becoming looked after"
        )
        if row["reviewHeldOn"]:
            cycle = f"between {began} and the review of {long_date(row['reviewHeldOn'])}"
        else:
            cycle = f"since {began}, next review due by {long_date(row['endsOn'])}"
        if row["checkedOn"]:
            standing = f"Checked on {long_date(row['checkedOn'])}"
        elif row["standing"] == "NOT_YET_DUE":
            standing = "Not yet due"
        else:
            standing = "Not checked"
        lines.append(
            {
                "code": "",
                "name": f"Midpoint check {cycle}",
                "child": f"{row['givenName']} {row['familyName']}",
                "owner": row["iroName"] or "Nobody",
                "role": "IRO",
                "dueOn": row["midpoint"],
                "standing": f"{standing} ({cycle})",
                "closedAt": row["checkedOn"],
            }
        )
    return lines


def coverage_table(coverage: dict[str, Any] | None) -> list[list[Any]]:
    """The section's figures as a table (its CSV), its header first: each IRO, then the authority."""
    header = [
        "",
        "children",
        "due",
        "monitored this cycle",
        "not monitored",
        "not yet due",
        "coverage %",
        "reviews held in the period",
        "with a midpoint check before them",
        "without",
        "period coverage %",
    ]
    lines = [*coverage["iros"], coverage["authority"]] if coverage and coverage["authority"] else []
    keys = [
        "children",
        "due",
        "monitored",
        "notMonitored",
        "notYetDue",
        "coveragePercent",
        "reviews",
        "reviewsChecked",
        "reviewsUnchecked",
        "periodCoveragePercent",
    ]
    return [header] + [[line["name"], *("" if line[k] is None else line[k] for k in keys)] for line in lines]
