"""A discussion record as the authority's case-file entry (P7): JSON for its case-management system, and a
tagged, accessible PDF (title and language set) drawn by WeasyPrint from the same data."""

from __future__ import annotations

from typing import Any

from portal.access.policy import exports_child_wishes
from portal.printing import print_pdf
from portal.web.rendering import TEMPLATES

FORMAT_VERSION = 1


def discussion_json(case: dict[str, Any]) -> dict[str, Any]:
    """The record with its case and children, in plain fields for another system to file."""
    discussion = case["discussion"]
    return {
        "format": "guardian-iro-portal/discussion-record",
        "version": FORMAT_VERSION,
        "case": {
            "id": case["id"],
            "caseNumber": case["caseNumber"],
            "court": case["court"]["name"],
            "localAuthority": case["localAuthority"]["name"],
        },
        "children": [
            {"id": c["id"], "name": f"{c['givenName']} {c['familyName']}", "dateOfBirth": c["dateOfBirth"]}
            for c in case["children"]
        ],
        "discussion": {
            "id": discussion["id"],
            "kind": discussion["kind"],
            "heldOn": discussion["heldOn"],
            "mode": discussion["mode"],
            "guardian": discussion["guardian"]["name"],
            "iro": discussion["iro"]["name"],
            "othersPresent": discussion["othersPresent"],
            "summary": discussion["summary"],
            "contactId": discussion["contactId"],
            "recordedAt": discussion["recordedAt"],
            "agreedActions": [
                {
                    "description": a["description"],
                    "owner": a["owner"]["name"],
                    "dueOn": a["dueOn"],
                    "doneAt": a["doneAt"],
                }
                for a in discussion["actions"]
            ],
        },
    }


async def discussion_pdf(case: dict[str, Any]) -> bytes:
    html = TEMPLATES.get_template("discussion_record.html").render(case=case, discussion=case["discussion"])
    return await print_pdf(html)


def child_file_json(case: dict[str, Any], child_id: str) -> dict[str, Any]:
    """One child's file: the case and the child, their reviews (with their participation in each, what they
    said left out when it is private to their IRO, and each review's decisions as actions with the manager's
    confirmation or dispute, issue 18), the significant changes in their circumstances told to their IRO
    and the IRO's answers (SC), the IRO's midpoint checks between their reviews, each IRO's introduction
    to them and what they were told when a dispute was resolved (the words of their letters, issue 19), and
    their final order, and the case's discussion
    records, contacts, obligations with their evidence, handover and court papers with their hashes (a set
    of siblings shares these), the disputes and referrals to Cafcass about the child or all the case's
    children that the exporter may see, and who looked at and changed the case (its access log)."""
    child = next(c for c in case["children"] if c["id"] == child_id)

    def about_the_child(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [r for r in records if r["childId"] in {None, child_id}]

    return {
        "format": "guardian-iro-portal/child-file",
        "version": FORMAT_VERSION,
        "case": {
            "id": case["id"],
            "caseNumber": case["caseNumber"],
            "issuedOn": case["issuedOn"],
            "stage": case["stage"],
            "court": case["court"]["name"],
            "localAuthority": case["localAuthority"]["name"],
        },
        "child": child,
        "finalOrder": next((o for o in case["finalOrders"] if o["childId"] == child_id), None),
        "reviews": [_exported_review(r) for r in case["reviews"] if r["childId"] == child_id],
        # The significant changes in the child's circumstances told to their IRO, and the IRO's answers (SC).
        "significantChanges": [c for c in case.get("significantChanges", []) if c["childId"] == child_id],
        # How each IRO introduced themselves and the way of keeping in touch agreed: the letters' words.
        "iroIntroductions": [i for i in case.get("introductions", []) if i["childId"] == child_id],
        # The IRO's midpoint checks between the child's reviews (issue 19).
        "midpointChecks": [m for m in case.get("midpointChecks", []) if m["childId"] == child_id],
        "discussions": case["discussions"],
        "contacts": case["contacts"],
        "obligations": case["obligations"],
        "handovers": [
            {k: v for k, v in h.items() if k != "template"} | {"templateVersion": h["template"]["version"]}
            for h in case["handovers"]
        ],
        "courtPapers": case["papers"],
        "disputes": [
            {**d, "childSummaries": [s for s in d.get("childSummaries", []) if s["childId"] == child_id]}
            for d in about_the_child(case.get("disputes", []))
        ],
        "referralsToCafcass": about_the_child(case.get("referrals", [])),
        "accessLog": case.get("accessLog", []),
    }


def _exported_review(review: dict[str, Any]) -> dict[str, Any]:
    """A review as the child's file carries it: what the child said at it left out when it is private to
    their IRO, whoever exports the file (portal/access/policy.py, exports_child_wishes)."""
    participation = review.get("participation")
    if participation is None or exports_child_wishes(participation["private"]):
        return review
    return {**review, "participation": {**participation, "wishesAndFeelings": None, "wishesWithheld": True}}


async def child_file_pdf(case: dict[str, Any], child_id: str) -> bytes:
    record = child_file_json(case, child_id)
    html = TEMPLATES.get_template("child_file.html").render(case=case, file=record)
    return await print_pdf(html)
