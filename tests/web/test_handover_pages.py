"""The handover pages without JavaScript: the form generated from the template and started from what the
case knows (P12's final care plan and its plan in brief, the papers, the next review booked, every child of a
sibling group); every problem at once; check your answers before submitting (P14) and before the IRO
acknowledges or returns it (P15), its answer below the handover; closing the guardian's involvement as a task
list, each step linked to its form, "Close my involvement" offered only when it can succeed; the PDF."""

from __future__ import annotations

import html
import io
import re
from datetime import date, timedelta
from typing import Any

import httpx
from pypdf import PdfReader

from models import LegalStatus
from tests.support import files
from tests.support.browsing import csrf_from, csrf_of, sign_in_as
from tests.support.graphql import a_moment_ago, gql
from tests.support.world import World
from tests.test_handover import ANSWERS
from tests.test_papers import filed

BRIEF = {
    "placement": "Together in long-term foster care with the Greens.",
    "permanence": "Special guardianship explored after a year.",
    "familyContact": "Mother monthly, supervised.",
    "services": "CAMHS for each child.",
}


def _form(page: str, answers: dict[str, Any], action: str) -> dict[str, str]:
    fields = {"csrf_token": csrf_from(page), "action": action}
    revision = re.search(r'name="revision" value="(\d+)"', page)
    assert revision
    fields["revision"] = revision.group(1)

    def put(name: str, value: str) -> None:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            day = date.fromisoformat(value)
            fields.update(
                {f"{name}-day": str(day.day), f"{name}-month": str(day.month), f"{name}-year": str(day.year)}
            )
        else:
            fields[name] = value

    for key, value in answers.items():
        if isinstance(value, list):
            for index, item in enumerate(value):
                for part, text in item.items():
                    put(f"a.{key}.{index}.{part}", text)
        else:
            put(f"a.{key}", value)
    return fields


def _esc(text: str) -> str:
    """As the pages escape text (Jinja's autoescape)."""
    return html.escape(text).replace("&#x27;", "&#39;")


def _summary(page: str) -> list[tuple[str, str]]:
    """The error summary's links and messages, in order."""
    block = re.search(r'<div class="govuk-error-summary".*?</ul>', page, re.S)
    assert block, "no error summary"
    return [
        (a, html.unescape(m))
        for a, m in re.findall(r'<li><a href="#([^"]+)">([^<]+)</a></li>', block.group(0))
    ]


def _tasks(page: str) -> list[tuple[str, str | None, str]]:
    """The closing task list: each task's name, its link (if any) and its status."""
    found = []
    for item in re.findall(r'<li class="govuk-task-list__item.*?</li>', page, re.S):
        link = re.search(r'<a class="govuk-link govuk-task-list__link" href="([^"]+)"[^>]*>([^<]+)</a>', item)
        name = link.group(2) if link else re.search(r"<div>([^<]+)</div>", item).group(1)  # type: ignore[union-attr]
        status = re.search(r'class="govuk-task-list__status[^"]*"[^>]*>(.*?)</div>', item, re.S)
        assert status
        found.append(
            (
                html.unescape(name),
                link.group(1) if link else None,
                re.sub(r"<[^>]+>", "", status.group(1)).strip(),
            )
        )
    return found


async def _final_orders(client: httpx.AsyncClient, world: World, case_id: str) -> None:
    view = await gql(client, await world.token("solicitor"), "CaseView", id=case_id)
    made = await gql(
        client,
        await world.token("solicitor"),
        "RecordFinalOrders",
        input={
            "caseId": case_id,
            "madeOn": date.today().isoformat(),
            "orders": [{"childId": c["id"], "order": "CARE_ORDER"} for c in view["data"]["case"]["children"]],
        },
    )
    assert made["data"]["recordFinalOrders"]["errors"] == []


async def _ended(client: httpx.AsyncClient, world: World) -> str:
    case_id = str(await world.open_case())
    await _final_orders(client, world, case_id)
    return case_id


async def _submitted(web: httpx.AsyncClient, world: World, case_id: str) -> None:
    """The guardian writes the handover in the pages, checks it and submits it."""
    await sign_in_as(web, world.id("guardian"))
    started = await web.post(f"/cases/{case_id}/handover/start", data={"csrf_token": await csrf_of(web)})
    page = (await web.get(started.headers["location"])).text
    checked = await web.post(f"/cases/{case_id}/handover/draft", data=_form(page, ANSWERS, "check"))
    assert checked.headers["location"] == f"/cases/{case_id}/handover/check"
    page = (await web.get(checked.headers["location"])).text
    submit = re.search(r'name="revision" value="(\d+)"', page)
    assert submit
    done = await web.post(
        f"/cases/{case_id}/handover/submit", data={"csrf_token": csrf_from(page), "revision": submit.group(1)}
    )
    assert done.headers["location"] == f"/cases/{case_id}/handover?done=submitted"


async def test_the_guardian_checks_every_answer_before_submitting_the_handover_p14(
    web: httpx.AsyncClient, client: httpx.AsyncClient, world: World
) -> None:
    case_id = await _ended(client, world)
    await sign_in_as(web, world.id("guardian"))
    page = (await web.get(f"/cases/{case_id}/handover")).text
    started = await web.post(f"/cases/{case_id}/handover/start", data={"csrf_token": csrf_from(page)})
    assert started.headers["location"] == f"/cases/{case_id}/handover/draft"
    page = (await web.get(started.headers["location"])).text
    for label in (
        "Placement",
        "Its strengths",
        "Issues to keep under review: 1",
        "The IRO&#39;s view of the plan",
    ):
        assert label in page, label

    # Half of it, and a date that does not exist: every problem at once, each linked to its field.
    half = {k: v for k, v in ANSWERS.items() if k in ("placement", "permanence")}
    posted = _form(page, half, "check") | {
        "a.next_review-day": "31",
        "a.next_review-month": "2",
        "a.next_review-year": "2027",
    }
    refused = await web.post(f"/cases/{case_id}/handover/draft", data=posted)
    assert refused.status_code == 400
    problems = _summary(refused.text)
    assert [anchor for anchor, _ in problems] == [
        "a.care_plan_title",
        "a.care_plan_date-day",
        "a.family_contact",
        "a.services",
        "a.strengths",
        "a.risks",
        "a.issues_for_iro.0.issue",
        "a.wishes_and_feelings",
        "a.staying_in_touch",
        "a.iro_view",
        "a.next_review-day",
    ]
    assert ("a.next_review-day", "The next looked-after review must be a real date") in problems
    assert ("a.staying_in_touch", "Enter how Amy wants to stay in touch") in problems
    assert 'value="31"' in refused.text  # what was typed stays
    page = (await web.get(f"/cases/{case_id}/handover/draft")).text
    assert ANSWERS["placement"] in page  # and what could be saved was

    # Complete: saved, then every answer to check, each with a "Change" link to its field on the form.
    checked = await web.post(f"/cases/{case_id}/handover/draft", data=_form(page, ANSWERS, "check"))
    assert checked.status_code == 303
    check = (await web.get(checked.headers["location"])).text
    assert "Check your answers before you submit the handover" in check
    form = f"/cases/{case_id}/handover/draft"
    for key in ("care_plan_title", "placement", "risks", "wishes_and_feelings", "iro_view"):
        assert re.search(rf'href="{form}#a\.{key}">Change<span class="govuk-visually-hidden">', check), key
        assert _esc(ANSWERS[key]) in check
    for key in ("care_plan_date", "next_review"):
        assert f'href="{form}#a.{key}-day">Change' in check, key
    assert f'href="{form}#a.issues_for_iro.1.issue">Change' in check
    assert "Not given" in check  # the optional answers left empty
    # Nothing is submitted until the guardian says so on this page.
    assert (await web.get(f"/cases/{case_id}/handover")).text.count("Version 1 is a draft") == 1
    revision = re.search(r'name="revision" value="(\d+)"', check)
    assert revision
    # Someone saved since it was checked: the submission is refused and the page says why.
    stale = await web.post(
        f"/cases/{case_id}/handover/submit",
        data={"csrf_token": csrf_from(check), "revision": str(int(revision.group(1)) - 1)},
    )
    assert stale.status_code == 400
    assert "Someone else saved this handover" in stale.text
    done = await web.post(
        f"/cases/{case_id}/handover/submit",
        data={"csrf_token": csrf_from(check), "revision": revision.group(1)},
    )
    page = (await web.get(done.headers["location"])).text
    assert "The handover is submitted." in page
    assert "Continue the handover" not in page
    assert (await web.get(form)).status_code == 404  # it can never change
    assert (await web.get(f"/cases/{case_id}/handover/check")).status_code == 404


async def test_the_iro_checks_the_answer_given_below_the_handover_p15(
    web: httpx.AsyncClient, client: httpx.AsyncClient, world: World
) -> None:
    case_id = await _ended(client, world)
    await _submitted(web, world, case_id)
    await sign_in_as(web, world.id("iro"))
    page = (await web.get(f"/cases/{case_id}/handover")).text
    # The answer comes after everything it answers.
    acknowledge = page.index(">Acknowledge the handover</button>")
    for answer in (ANSWERS["iro_view"], ANSWERS["risks"], "Contact with the mother"):
        assert page.index(_esc(answer)) < acknowledge, answer
    answer = re.search(r'action="(/cases/[^"]+/handover/[^"]+/answer)"', page)
    assert answer
    pdf_link = re.search(r'href="(/cases/[^"]+/handover/[^"]+\.pdf)"', page)
    assert pdf_link

    # Returning it needs questions; then they are shown to check, with a "Change" that keeps them.
    empty = await web.post(
        answer.group(1), data={"csrf_token": csrf_from(page), "action": "return", "questions": " "}
    )
    assert empty.status_code == 400
    assert _summary(empty.text) == [("questions", "Write your questions for the guardian")]
    asked = "Who supervises the mother's contact?"
    check = await web.post(
        answer.group(1), data={"csrf_token": csrf_from(page), "action": "return", "questions": asked}
    )
    assert "Check your questions before you return the handover" in check.text
    assert _esc(asked) in check.text
    assert 'formaction="' + answer.group(1) + '#questions"' in check.text
    changed = await web.post(
        answer.group(1),
        data={
            "csrf_token": csrf_from(check.text),
            "action": "return",
            "questions": asked,
            "change": "questions",
        },
    )
    assert re.search(rf'name="questions" rows="3"[^>]*>{re.escape(_esc(asked))}</textarea>', changed.text)
    assert "Version 1:\n  submitted" in (await web.get(f"/cases/{case_id}/handover")).text  # nothing recorded

    # Acknowledging it: checked first (with the issues that become the IRO's items), then recorded.
    check = await web.post(answer.group(1), data={"csrf_token": csrf_from(page), "action": "acknowledge"})
    assert "Check your answer before you acknowledge the handover" in check.text
    assert "Contact with the mother: review by" in check.text
    assert f'formaction="{answer.group(1)}#answer"' in check.text
    assert "Version 1:\n  submitted" in (await web.get(f"/cases/{case_id}/handover")).text
    done = await web.post(
        answer.group(1),
        data={"csrf_token": csrf_from(check.text), "action": "acknowledge", "confirmed": "yes"},
    )
    assert "You have acknowledged the handover." in (await web.get(done.headers["location"])).text
    tasks = (await web.get("/tasks")).text
    assert "Contact with the mother" in tasks
    # The case now says the IRO is the only independent scrutiniser, and where their monitoring items are.
    case = (await web.get(f"/cases/{case_id}")).text
    assert "After the proceedings" in case
    assert "Ivan Reviewer is now the only independent scrutiniser of the child's plan" in case
    assert 'href="/tasks#monitoring">monitoring items</a>' in case

    pdf = await web.get(pdf_link.group(1))
    assert pdf.headers["content-type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(pdf.content))
    text = re.sub(r"\s+", " ", " ".join(p.extract_text() for p in reader.pages))
    for key in ("placement", "risks", "iro_view"):
        assert ANSWERS[key] in text, key
    assert "Care order" in text
    assert reader.metadata is not None
    assert reader.metadata.title.startswith("Handover from the children")
    assert str(reader.trailer["/Root"]["/Lang"]) == "en-GB"


async def test_closing_is_a_task_list_and_is_offered_only_when_it_can_succeed(
    web: httpx.AsyncClient, client: httpx.AsyncClient, world: World
) -> None:
    """P12, the papers (P6), P13 and P14, each with its status and the form that completes it; the
    guardian is offered "Close my involvement" only when the service would allow it."""
    case_id = str(await world.open_case())
    await sign_in_as(web, world.id("guardian"))
    page = (await web.get(f"/cases/{case_id}/handover")).text
    before = _tasks(page)
    assert [status for _, _, status in before] == ["Cannot start yet"] * 4
    assert [link for _, link, _ in before] == [None] * 4

    await filed(
        client, world, case_id, files.PDF, kind="CARE_PLAN_FINAL", title="Final care plan", planInBrief=BRIEF
    )
    await _final_orders(client, world, case_id)
    page = (await web.get(f"/cases/{case_id}/handover")).text
    assert _tasks(page) == [
        ("Make sure the IRO has the final care plan (P12)", None, "Completed"),
        (
            "Confirm every court paper is forwarded to the IRO (P6)",
            f"/cases/{case_id}/papers#confirm",
            "Incomplete",
        ),
        ("Discuss the final care plan with the IRO (P13)", f"/cases/{case_id}/contacts/new", "Incomplete"),
        ("Write and submit the handover (P14)", "#handover", "Incomplete"),
    ]
    assert "Close my involvement" not in page
    still = re.search(r'<ul class="govuk-list govuk-list--bullet" id="still-to-do">(.*?)</ul>', page, re.S)
    assert still
    left = [html.unescape(m) for m in re.findall(r"<li>([^<]+)</li>", still.group(1))]
    assert left == [
        "Not every court paper is confirmed forwarded to the IRO yet (P6)",
        "The final discussion with the IRO is not recorded yet (P13)",
        "The handover is not submitted yet (P14)",
    ]
    # Closing anyway (an old page, another tab) is refused with every reason at once, the same ones.
    refused = await web.post(f"/cases/{case_id}/handover/close", data={"csrf_token": csrf_from(page)})
    assert refused.status_code == 400
    assert [message for _, message in _summary(refused.text)] == left

    # Started: the handover's task goes to its form. The IRO's own step (P13) links to the IRO's form.
    await web.post(f"/cases/{case_id}/handover/start", data={"csrf_token": csrf_from(page)})
    page = (await web.get(f"/cases/{case_id}/handover")).text
    assert _tasks(page)[3][1] == f"/cases/{case_id}/handover/draft"
    await sign_in_as(web, world.id("iro"))
    iro_page = (await web.get(f"/cases/{case_id}/handover")).text
    assert [link for _, link, _ in _tasks(iro_page)] == [
        None,
        None,
        f"/cases/{case_id}/discussions/new",
        None,
    ]
    assert "Close my involvement" not in iro_page

    # Every step done: now it is offered, and it succeeds.
    await _submitted(web, world, case_id)
    discussed = await gql(
        client,
        await world.token("iro"),
        "RecordDiscussion",
        input={
            "caseId": case_id,
            "heldOn": date.today().isoformat(),
            "mode": "IN_PERSON",
            "kind": "FINAL_DISCUSSION",
            "summary": "The final care plan; what to keep under review.",
        },
    )
    assert discussed["data"]["recordDiscussion"]["errors"] == []
    confirmed = await gql(
        client, await world.token("guardian"), "ConfirmPapersForwarded", input={"caseId": case_id}
    )
    assert confirmed["data"]["confirmPapersForwarded"]["errors"] == []
    page = (await web.get(f"/cases/{case_id}/handover")).text
    assert [status for _, _, status in _tasks(page)] == ["Completed"] * 4
    assert "still-to-do" not in page
    closed = await web.post(f"/cases/{case_id}/handover/close", data={"csrf_token": csrf_from(page)})
    assert closed.headers["location"] == f"/cases/{case_id}/handover?done=closed"
    page = (await web.get(closed.headers["location"])).text
    assert "The guardian&#39;s involvement is closed." in page
    assert "Close my involvement</button>" not in page


async def test_the_form_starts_from_what_the_case_knows_for_every_child(
    web: httpx.AsyncClient, client: httpx.AsyncClient, world: World
) -> None:
    """A sibling group of three: the final care plan's plan in brief, its title and date, the papers filed,
    the next review booked, and all three children by name, never "the child"; and only an empty draft is
    filled: what the guardian wrote stays."""
    case_id = str(
        await world.open_case(
            [(name, LegalStatus.INTERIM_CARE_ORDER) for name in ("Amy", "Ben", "Cara")],
        )
    )
    filed_on = date.today() - timedelta(days=3)
    await filed(client, world, case_id, files.PDF, title="Interim care plan")
    await filed(
        client,
        world,
        case_id,
        files.PDF + b"%final",
        name="final.pdf",
        kind="CARE_PLAN_FINAL",
        title="Final care plan for Amy, Ben and Cara",
        filedOn=filed_on.isoformat(),
        planInBrief=BRIEF,
    )
    children = (await gql(client, await world.token("iro"), "CaseView", id=case_id))["data"]["case"][
        "children"
    ]
    review_on = date.today() + timedelta(days=40)
    booked = await gql(
        client,
        await world.token("iro"),
        "ScheduleReview",
        input={
            "caseId": case_id,
            "childIds": [c["id"] for c in children],
            "reviewDate": review_on.isoformat(),
            "arrangements": "At the school, 10am.",
        },
    )
    assert booked["data"]["scheduleReview"]["errors"] == []
    await _final_orders(client, world, case_id)

    await sign_in_as(web, world.id("guardian"))
    page = (await web.get(f"/cases/{case_id}/handover")).text
    started = await web.post(f"/cases/{case_id}/handover/start", data={"csrf_token": csrf_from(page)})
    page = (await web.get(started.headers["location"])).text
    for name, value in (
        ("a.placement", BRIEF["placement"]),
        ("a.permanence", BRIEF["permanence"]),
        ("a.family_contact", BRIEF["familyContact"]),
        ("a.services", BRIEF["services"]),
    ):
        assert f'name="{name}" rows="4"' in page, name
        assert f">{_esc(value)}</textarea>" in page, name
    assert 'name="a.care_plan_title" type="text" value="Final care plan for Amy, Ben and Cara"' in page
    for name, value in (("a.care_plan_date", filed_on), ("a.next_review", review_on)):
        for part, number in (("day", value.day), ("month", value.month), ("year", value.year)):
            assert f'name="{name}-{part}" type="text" inputmode="numeric" value="{number}"' in page, (
                name,
                part,
            )
    # The papers filed and every child's order, from the case.
    assert "Interim care plan (version 1, filed" in page
    for name in ("Amy", "Ben", "Cara"):
        assert f"{name} Example: Care order" in page
    # Worded for three children.
    assert "The orders made for Amy, Ben and Cara" in page
    assert "The children&#39;s wishes and feelings" in page
    assert "How the children want to stay in touch" in page
    assert "For each of Amy, Ben and Cara." in page
    assert not re.search(r"\bthe child\b|the child&#39;s", page, re.I)

    # The guardian's own words are never replaced: starting again keeps the draft as written.
    mine = {"placement": "With the Greens, all three together.", "risks": "A new placement."}
    saved = await web.post(f"/cases/{case_id}/handover/draft", data=_form(page, mine, "save"))
    assert saved.headers["location"] == f"/cases/{case_id}/handover/draft?done=saved"
    # Saving from the page as it was before (another tab): a conflict, with what was saved shown.
    stale = await web.post(f"/cases/{case_id}/handover/draft", data=_form(page, {"placement": "Old"}, "save"))
    assert stale.status_code == 400
    [(anchor, message)] = _summary(stale.text)
    assert (anchor, message.startswith("Someone else saved this handover")) == ("handover-form", True)
    assert ">With the Greens, all three together.</textarea>" in stale.text
    again = await web.post(f"/cases/{case_id}/handover/start", data={"csrf_token": csrf_from(page)})
    page = (await web.get(again.headers["location"])).text
    assert ">With the Greens, all three together.</textarea>" in page
    assert BRIEF["placement"] not in page
    assert 'name="a.care_plan_title" type="text" value=""' in page  # cleared by the guardian, left cleared


async def test_a_draft_nobody_wrote_in_fills_with_what_the_case_learnt_since(
    web: httpx.AsyncClient, client: httpx.AsyncClient, world: World
) -> None:
    """Started before the final care plan was filed, the draft is empty; started again once it is filed,
    it fills with its plan in brief (and only then: an empty draft is all that is ever filled)."""
    case_id = await _ended(client, world)
    await sign_in_as(web, world.id("guardian"))
    page = (await web.get(f"/cases/{case_id}/handover")).text
    started = await web.post(f"/cases/{case_id}/handover/start", data={"csrf_token": csrf_from(page)})
    page = (await web.get(started.headers["location"])).text
    assert 'name="a.care_plan_title" type="text" value=""' in page
    await filed(
        client, world, case_id, files.PDF, kind="CARE_PLAN_FINAL", title="Final care plan", planInBrief=BRIEF
    )
    page = (await web.get(f"/cases/{case_id}/handover")).text
    assert "Start the handover</button>" in page  # not "Continue": starting it again fills it
    again = await web.post(f"/cases/{case_id}/handover/start", data={"csrf_token": csrf_from(page)})
    assert again.headers["location"] == started.headers["location"]
    page = (await web.get(again.headers["location"])).text
    assert 'name="a.care_plan_title" type="text" value="Final care plan"' in page
    assert f">{_esc(BRIEF['placement'])}</textarea>" in page
    assert "Version 1, a draft" in page
    assert "Continue the handover" in (await web.get(f"/cases/{case_id}/handover")).text


async def test_the_solicitor_and_outsiders_do_not_see_the_handover(
    web: httpx.AsyncClient, client: httpx.AsyncClient, world: World
) -> None:
    case_id = await _ended(client, world)
    await sign_in_as(web, world.id("guardian"))
    page = (await web.get(f"/cases/{case_id}/handover")).text
    await web.post(f"/cases/{case_id}/handover/start", data={"csrf_token": csrf_from(page)})
    await sign_in_as(web, world.id("solicitor"))
    page = (await web.get(f"/cases/{case_id}/handover")).text
    assert "Start the handover" not in page
    assert "Close my involvement" not in page
    for path in ("draft", "check"):
        assert (await web.get(f"/cases/{case_id}/handover/{path}")).status_code == 404, path
    await sign_in_as(web, world.id("other_iro"))
    assert (await web.get(f"/cases/{case_id}/handover")).status_code == 404


async def test_the_childs_file_exports_everything_for_the_authoritys_record(
    web: httpx.AsyncClient, client: httpx.AsyncClient, world: World
) -> None:
    import hashlib
    import json

    case_id = await _ended(client, world)
    paper = await filed(client, world, case_id, files.PDF, kind="CARE_PLAN_FINAL", title="Final care plan")
    token = await world.token("guardian")
    logged = await gql(
        client,
        token,
        "LogContact",
        input={
            "caseId": case_id,
            "counterpartId": str(world.id("iro")),
            "direction": "OUTGOING",
            "occurredAt": a_moment_ago().isoformat(),
            "channel": "PHONE",
            "purpose": "END_OF_PROCEEDINGS_DISCUSSION",
            "summary": "Talked through the final plan.",
        },
    )
    assert logged["data"]["logContact"]["errors"] == []
    draft = (await gql(client, token, "StartHandover", input={"caseId": case_id}))["data"]["startHandover"][
        "handover"
    ]
    saved = await gql(
        client,
        token,
        "SaveHandover",
        input={"id": draft["id"], "revision": draft["revision"], "answers": ANSWERS},
    )
    await gql(
        client,
        token,
        "SubmitHandover",
        input={"id": draft["id"], "revision": saved["data"]["saveHandover"]["handover"]["revision"]},
    )
    await sign_in_as(web, world.id("iro"))
    page = (await web.get(f"/cases/{case_id}")).text
    link = re.search(r'href="(/cases/[^"]+/children/[^"]+/file)\.pdf"', page)
    assert link
    record = json.loads((await web.get(link.group(1) + ".json")).text)
    assert record["child"]["givenName"] == "Amy"
    assert record["finalOrder"]["order"] == "CARE_ORDER"
    assert record["contacts"][0]["summary"] == "Talked through the final plan."
    duties = {o["code"]: o for o in record["obligations"]}
    assert (duties["P14"]["state"], duties["P14"]["evidenceId"]) == ("MET", draft["id"])
    assert record["handovers"][0]["answers"]["placement"] == ANSWERS["placement"]
    assert (
        record["courtPapers"][0]["versions"][0]["sha256"]
        == hashlib.sha256(files.PDF).hexdigest()
        == paper["version"]["sha256"]
    )
    pdf = await web.get(link.group(1) + ".pdf")
    reader = PdfReader(io.BytesIO(pdf.content))
    text = re.sub(r"\s+", " ", " ".join(p.extract_text() for p in reader.pages))
    for expected in (
        "Amy Example",
        "Talked through the final plan.",
        ANSWERS["placement"],
        "P14",
        "Final care plan",
    ):
        assert expected in text, expected
    assert hashlib.sha256(files.PDF).hexdigest()[:16] in text.replace(" ", "")
    assert str(reader.trailer["/Root"]["/Lang"]) == "en-GB"
    await sign_in_as(web, world.id("guardian"))
    assert (await web.get(link.group(1) + ".json")).status_code == 404
