"""The end of proceedings for a sibling group, on both databases: the final orders open P12-P14, the
handover is drafted (concurrent saves conflict, never overwrite), refused while incomplete, submitted (P14,
then the IRO's P15), returned with questions, amended, acknowledged (P15; its issues become the IRO's
monitoring items); the gate refuses to close until every part is done, a manager's override is recorded, and
the guardian's access becomes read-only, then ends."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from models import AuditEvent, LegalStatus, MonitoringItemMove
from portal.db import create_session_factory
from tests.conftest import Travel
from tests.support import files
from tests.support.graphql import gql
from tests.support.world import World
from tests.test_papers import filed

TODAY = date.today()
ANSWERS: dict[str, Any] = {
    "care_plan_title": "Final care plan for Amy and Ben",
    "care_plan_date": TODAY.isoformat(),
    "placement": "Long-term foster care together with the Greens.",
    "permanence": "Special guardianship to be explored after a year.",
    "family_contact": "Mother monthly, supervised; father by letter.",
    "services": "CAMHS for Amy; speech therapy for Ben.",
    "strengths": "The children stay together.",
    "risks": "The placement is new; contact with the mother has been unsettling.",
    "issues_for_iro": [
        {
            "issue": "Contact with the mother",
            "why": "It unsettled Amy",
            "by_when": (TODAY + timedelta(days=60)).isoformat(),
        },
        {
            "issue": "Ben's therapy starts",
            "why": "Waiting list",
            "by_when": (TODAY + timedelta(days=30)).isoformat(),
        },
    ],
    "wishes_and_feelings": "Amy wants to stay with Ben.",
    "staying_in_touch": "Amy would like to write to her guardian.",
    "iro_view": "The IRO supported the plan.",
    "next_review": (TODAY + timedelta(days=20)).isoformat(),
}


class Case:
    def __init__(self, client: httpx.AsyncClient, world: World, case_id: object) -> None:
        self.client, self.world, self.id = client, world, str(case_id)

    async def run(self, who: str, name: str, **input: Any) -> dict[str, Any]:
        body = await gql(self.client, await self.world.token(who), name, input=input)
        assert "errors" not in body, body
        return next(iter(body["data"].values()))

    async def ok(self, who: str, name: str, **input: Any) -> dict[str, Any]:
        payload = await self.run(who, name, **input)
        assert payload["errors"] == [], payload["errors"]
        return payload

    async def view(self, who: str = "guardian") -> dict[str, Any] | None:
        body = await gql(self.client, await self.world.token(who), "CaseHandover", id=self.id)
        return body["data"]["case"] if body.get("data") else None

    async def duty(self, code: str) -> str:
        body = await gql(self.client, await self.world.token("iro"), "CaseView", id=self.id)
        return next(o["state"] for o in body["data"]["case"]["obligations"] if o["code"] == code)


async def _final_orders(case: Case) -> None:
    children = (await gql(case.client, await case.world.token("solicitor"), "CaseView", id=case.id))["data"][
        "case"
    ]["children"]
    await case.ok(
        "solicitor",
        "RecordFinalOrders",
        caseId=case.id,
        madeOn=TODAY.isoformat(),
        orders=[{"childId": c["id"], "order": "CARE_ORDER"} for c in children],
    )


async def _sole_scrutiny(client: httpx.AsyncClient, world: World, case_id: object) -> dict[str, Any] | None:
    view = await gql(client, await world.token("solicitor"), "CaseView", id=str(case_id))
    found: dict[str, Any] | None = view["data"]["case"]["soleScrutiny"]
    return found


async def test_a_sibling_group_from_final_hearing_to_acknowledgement(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine, travel: Travel
) -> None:
    case_id = await world.open_case(
        [("Amy", LegalStatus.INTERIM_CARE_ORDER), ("Ben", LegalStatus.INTERIM_CARE_ORDER)]
    )
    case = Case(client, world, case_id)
    await filed(client, world, case_id, files.PDF, kind="CARE_PLAN_FINAL", title="Final care plan")
    refused = await case.run("guardian", "StartHandover", caseId=case.id)
    assert refused["errors"][0]["code"] == "NO_FINAL_ORDER"
    await _final_orders(case)
    assert [await case.duty(code) for code in ("P12", "P13", "P14")] == ["MET", "OPEN", "OPEN"]

    # The gate: not yet. The case says why, in the very words of the refusal (one rule for both).
    closing = await case.run("guardian", "CloseGuardianInvolvement", caseId=case.id)
    assert [e["message"] for e in closing["errors"]] == [
        "Not every court paper is confirmed forwarded to the IRO yet (P6)",
        "The final discussion with the IRO is not recorded yet (P13)",
        "The handover is not submitted yet (P14)",
    ]
    view = await case.view()
    assert view["closingProblems"] == closing["errors"]
    assert [(c["key"], c["met"]) for c in view["closingChecklist"]] == [
        ("P12", True),
        ("PAPERS_FORWARDED", False),
        ("P13", False),
        ("P14", False),
    ]

    # A draft, saved as they go; a second editor working from the same revision gets a conflict.
    draft = (await case.ok("guardian", "StartHandover", caseId=case.id))["handover"]
    assert (draft["version"], draft["state"], draft["revision"]) == (1, "DRAFT", 1)
    saved = (
        await case.ok(
            "guardian", "SaveHandover", id=draft["id"], revision=1, answers={"placement": "With the Greens."}
        )
    )["handover"]
    assert saved["revision"] == 2
    stale = await case.run(
        "guardian", "SaveHandover", id=draft["id"], revision=1, answers={"placement": "Mine"}
    )
    assert stale["errors"][0]["code"] == "CONFLICT"
    assert stale["current"]["answers"]["placement"] == "With the Greens."
    assert stale["current"]["revision"] == 2
    # Incomplete: every missing answer is named and nothing changes.
    incomplete = await case.run("guardian", "SubmitHandover", id=draft["id"], revision=2)
    assert {e["field"] for e in incomplete["errors"]} >= {"answers.risks", "answers.issues_for_iro.0.issue"}
    assert (await case.view())["handovers"][0]["state"] == "DRAFT"
    bad = await case.run(
        "guardian", "SaveHandover", id=draft["id"], revision=2, answers={**ANSWERS, "next_review": "31/02"}
    )
    assert [(e["code"], e["field"]) for e in bad["errors"]] == [("INVALID_VALUE", "answers.next_review")]
    saved = (await case.ok("guardian", "SaveHandover", id=draft["id"], revision=2, answers=ANSWERS))[
        "handover"
    ]
    submitted = (await case.ok("guardian", "SubmitHandover", id=draft["id"], revision=saved["revision"]))[
        "handover"
    ]
    assert submitted["state"] == "SUBMITTED"
    assert await case.duty("P14") == "MET"
    assert await case.duty("P15") == "OPEN"
    assert await _sole_scrutiny(client, world, case.id) is None  # not until the IRO acknowledges it

    # Submitted: no operation changes it, and neither can the database.
    for name, input in (
        (
            "SaveHandover",
            {"id": draft["id"], "revision": submitted["revision"], "answers": {"placement": "x"}},
        ),
        ("SubmitHandover", {"id": draft["id"], "revision": submitted["revision"]}),
    ):
        assert (await case.run("guardian", name, **input))["errors"][0]["code"] == "ALREADY_DONE"
    async with create_session_factory(engine)() as session:
        with pytest.raises(DBAPIError, match="a submitted handover cannot be changed"):
            await session.execute(sa.text("UPDATE handover SET answers = '{}' WHERE state <> 'draft'"))
        await session.rollback()
    # The authority's solicitor never sees it.
    assert (await case.view("solicitor"))["handovers"] == []

    # The IRO returns it with questions; the guardian amends it as version 2.
    returned = (await case.ok("iro", "ReturnHandover", id=draft["id"], questions="Who supervises contact?"))[
        "handover"
    ]
    assert (returned["state"], returned["questions"]) == ("RETURNED", "Who supervises contact?")
    amended = (await case.ok("guardian", "StartHandover", caseId=case.id))["handover"]
    assert (amended["version"], amended["answers"]["placement"]) == (2, ANSWERS["placement"])
    answers = {**ANSWERS, "family_contact": "Mother monthly, supervised by the family centre."}
    saved = (await case.ok("guardian", "SaveHandover", id=amended["id"], revision=1, answers=answers))[
        "handover"
    ]
    await case.ok("guardian", "SubmitHandover", id=amended["id"], revision=saved["revision"])
    acknowledged = (await case.ok("iro", "AcknowledgeHandover", id=amended["id"]))["handover"]
    assert acknowledged["state"] == "ACKNOWLEDGED"
    assert await case.duty("P15") == "MET"
    # The case after the proceedings: the IRO is now the only independent scrutiniser of the plan.
    scrutiny = await _sole_scrutiny(client, world, case.id)
    assert scrutiny is not None
    assert scrutiny["iros"] == [{"id": str(world.id("iro")), "name": "Ivan Reviewer"}]
    assert scrutiny["since"][:16] == acknowledged["answeredAt"][:16]
    tasks = (await gql(client, await world.token("iro"), "MyTasks"))["data"]["myMonitoringItems"]
    assert [(t["issue"], t["dueOn"]) for t in tasks] == [
        ("Ben's therapy starts", (TODAY + timedelta(days=30)).isoformat()),
        ("Contact with the mother", (TODAY + timedelta(days=60)).isoformat()),
    ]
    versions = (await case.view())["handovers"]
    assert [(h["version"], h["state"]) for h in versions] == [(2, "ACKNOWLEDGED"), (1, "RETURNED")]
    assert versions[1]["answers"]["family_contact"] == ANSWERS["family_contact"]  # version 1 as it was

    # The rest of the gate: the final discussion (P13) and every paper confirmed forwarded.
    await case.ok(
        "iro",
        "RecordDiscussion",
        caseId=case.id,
        heldOn=TODAY.isoformat(),
        mode="IN_PERSON",
        kind="FINAL_DISCUSSION",
        summary="The final care plan; what to keep under review.",
    )
    await case.ok("guardian", "ConfirmPapersForwarded", caseId=case.id)
    assert all(c["met"] for c in (await case.view())["closingChecklist"])
    assert (await case.view())["closingProblems"] == []
    closed = (await case.ok("guardian", "CloseGuardianInvolvement", caseId=case.id))["closure"]
    assert closed["overrideReason"] is None

    # The guardian may now read the case, and do nothing else; after the period, not even read it.
    assert (await case.view())["closure"] is not None
    logged = await gql(
        client,
        await world.token("guardian"),
        "LogContact",
        input={
            "caseId": case.id,
            "counterpartId": str(world.id("iro")),
            "direction": "OUTGOING",
            "occurredAt": datetime.now(UTC).isoformat(),
            "channel": "EMAIL",
            "purpose": "COURT_UPDATE",
            "summary": "After the end.",
        },
    )
    assert logged["data"]["logContact"]["errors"][0]["code"] == "NOT_FOUND"
    assert (await case.view("guardian"))["viewerCan"]["writeHandover"] is False
    travel(datetime.fromisoformat(closed["readOnlyUntil"]) + timedelta(hours=1))
    world.forget_tokens()
    body = await gql(client, await world.token("guardian"), "CaseHandover", id=case.id)
    assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND"


async def test_a_cafcass_manager_closes_with_a_reason_which_is_recorded(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine
) -> None:
    case_id = await world.open_case()
    case = Case(client, world, case_id)
    await _final_orders(case)
    for who in ("guardian", "iro", "solicitor"):
        attempt = await case.run(who, "CloseGuardianInvolvement", caseId=case.id, overrideReason="Because")
        assert attempt["errors"][0]["code"] == "NOT_FOUND", who
    blank = await case.run("cafcass_manager", "CloseGuardianInvolvement", caseId=case.id, overrideReason=" ")
    assert blank["errors"][0]["code"] == "REQUIRED"
    reason = "The guardian left Cafcass; the IRO has the final plan and the papers."
    closed = (
        await case.ok("cafcass_manager", "CloseGuardianInvolvement", caseId=case.id, overrideReason=reason)
    )["closure"]
    assert (closed["overrideReason"], closed["closedBy"]["name"]) == (reason, "Carla Manager")
    async with create_session_factory(engine)() as session:
        actions = (
            (await session.execute(sa.select(AuditEvent.action).where(AuditEvent.case_id == case_id)))
            .scalars()
            .all()
        )
    assert "handover.close_override" in actions


async def test_control_characters_in_questions_and_reasons_are_cleaned(
    client: httpx.AsyncClient, world: World
) -> None:
    """Found by the fuzzer (tests/api/test_fuzz.py): the IRO's questions and a manager's reason for closing
    were stored as sent, so a NUL in either was an INTERNAL on PostgreSQL (its text cannot hold one) and
    stored on SQLite. They are free text, cleaned like the rest (portal/validation.py)."""
    case_id = await world.open_case()
    case = Case(client, world, case_id)
    await _final_orders(case)
    draft = (await case.ok("guardian", "StartHandover", caseId=case.id))["handover"]
    saved = (await case.ok("guardian", "SaveHandover", id=draft["id"], revision=1, answers=ANSWERS))[
        "handover"
    ]
    await case.ok("guardian", "SubmitHandover", id=draft["id"], revision=saved["revision"])
    returned = await case.ok(
        "iro", "ReturnHandover", id=draft["id"], questions="Who\x00 supervises contact?\x07"
    )
    assert returned["handover"]["questions"] == "Who supervises contact?"
    blank = await case.run(
        "cafcass_manager", "CloseGuardianInvolvement", caseId=case.id, overrideReason="\x00"
    )
    assert [(e["code"], e["field"]) for e in blank["errors"]] == [("REQUIRED", "overrideReason")]
    closed = await case.ok(
        "cafcass_manager", "CloseGuardianInvolvement", caseId=case.id, overrideReason="The guardian\x00 left."
    )
    assert closed["closure"]["overrideReason"] == "The guardian left."


async def test_each_handover_keeps_the_template_version_it_was_written_on(
    client: httpx.AsyncClient, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    import dataclasses

    from handover import template
    from portal.handovers import service

    old = Case(client, world, await world.open_case())
    await _final_orders(old)
    written = (await old.ok("guardian", "StartHandover", caseId=old.id))["handover"]
    current = template.CURRENT
    newer = dataclasses.replace(
        current,
        version=current.version + 1,
        sections=(
            *current.sections,
            template.Section(
                "education",
                "Education",
                "",
                (template.Field("school", "School", template.FieldKind.TEXT),),
            ),
        ),
    )
    monkeypatch.setitem(template.TEMPLATES, newer.version, newer)
    monkeypatch.setattr(service, "CURRENT", newer)
    new = Case(client, world, await world.open_case())
    await _final_orders(new)
    await new.ok("guardian", "StartHandover", caseId=new.id)
    old_view, new_view = (await old.view())["handovers"][0], (await new.view())["handovers"][0]
    assert (old_view["template"]["version"], new_view["template"]["version"]) == (
        current.version,
        newer.version,
    )
    assert "Education" not in [s["title"] for s in old_view["template"]["sections"]]
    assert "Education" in [s["title"] for s in new_view["template"]["sections"]]
    # The old draft is still checked against its own version: it needs no school.
    saved = (await old.ok("guardian", "SaveHandover", id=written["id"], revision=1, answers=ANSWERS))[
        "handover"
    ]
    submitted = await old.ok("guardian", "SubmitHandover", id=written["id"], revision=saved["revision"])
    assert submitted["handover"]["state"] == "SUBMITTED"
    refused = await new.run("guardian", "SubmitHandover", id=new_view["id"], revision=1)
    assert "answers.school" in {e["field"] for e in refused["errors"]}


async def test_monitoring_items_follow_the_childs_iro(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine
) -> None:
    """P15: once the handover is acknowledged, its issues are on the IRO's list. When the IRO changes, they
    move to the new IRO, with their history; the old IRO no longer sees them."""
    case_id = await world.open_case()
    case = Case(client, world, case_id)
    await filed(client, world, case_id, files.PDF, kind="CARE_PLAN_FINAL", title="Final care plan")
    await _final_orders(case)
    draft = (await case.ok("guardian", "StartHandover", caseId=case.id))["handover"]
    saved = (await case.ok("guardian", "SaveHandover", id=draft["id"], revision=1, answers=ANSWERS))[
        "handover"
    ]
    await case.ok("guardian", "SubmitHandover", id=draft["id"], revision=saved["revision"])
    await case.ok("iro", "AcknowledgeHandover", id=draft["id"])

    async def items(who: str) -> list[str]:
        body = await gql(client, await world.token(who), "MyTasks")
        return sorted(t["issue"] for t in body["data"]["myMonitoringItems"])

    issues = sorted(i["issue"] for i in ANSWERS["issues_for_iro"])
    assert (await items("iro"), await items("iro2")) == (issues, [])
    await world.assign_iro(case_id, "iro2", reason="Ivan has moved to another team")
    assert (await items("iro"), await items("iro2")) == ([], issues)
    async with engine.connect() as connection:
        moves = (
            await connection.execute(sa.select(MonitoringItemMove.from_iro_id, MonitoringItemMove.to_iro_id))
        ).all()
    assert sorted(moves) == [(world.id("iro"), world.id("iro2"))] * len(issues)


def test_every_template_reads_as_words_for_one_child_a_group_or_none() -> None:
    """Version 2 names a single child and speaks of a sibling group as "the children" (never "the child");
    no placeholder is left in any version's text, and version 1 reads as it always did."""
    from handover.template import TEMPLATES, V1

    for template in TEMPLATES.values():
        for names in ([], ["Amy"], ["Amy", "Ben", "Cara"]):
            worded = template.worded(names)
            texts = [t for s in worded.sections for t in (s.title, s.help)] + [
                t for f in worded.fields() for part in (f, *f.item_fields) for t in (part.label, part.help)
            ]
            assert not [t for t in texts if "{" in t or "}" in t], (template.version, names)
    assert V1.worded(["Amy", "Ben"]) == V1
    group = TEMPLATES[2].worded(["Amy", "Ben", "Cara"])
    assert [f.label for f in group.fields() if f.key == "staying_in_touch"] == [
        "How the children want to stay in touch"
    ]
    assert [f.label for f in TEMPLATES[2].worded(["Amy"]).fields() if f.key == "staying_in_touch"] == [
        "How Amy wants to stay in touch"
    ]
