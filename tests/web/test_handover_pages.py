"""The handover pages without JavaScript: the form generated from the template, saving, errors, submitting,
the IRO's acknowledgement, the PDF (every answer in its text, a title and a language), closing."""

from __future__ import annotations

import io
import re
from datetime import date

import httpx
from pypdf import PdfReader

from tests.support.browsing import csrf_from, sign_in_as
from tests.support.graphql import a_moment_ago, gql
from tests.support.world import World
from tests.test_handover import ANSWERS


def _form(page: str, answers: dict, action: str) -> dict[str, str]:
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


async def _ended(client: httpx.AsyncClient, world: World) -> str:
    case_id = str(await world.open_case())
    view = await gql(client, await world.token("solicitor"), "CaseView", id=case_id)
    child = view["data"]["case"]["children"][0]["id"]
    made = await gql(
        client,
        await world.token("solicitor"),
        "RecordFinalOrders",
        input={
            "caseId": case_id,
            "madeOn": date.today().isoformat(),
            "orders": [{"childId": child, "order": "PLACEMENT_ORDER"}],
        },
    )
    assert made["data"]["recordFinalOrders"]["errors"] == []
    return case_id


async def test_the_guardian_writes_and_submits_the_handover_and_the_iro_acknowledges_it(
    web: httpx.AsyncClient, client: httpx.AsyncClient, world: World
) -> None:
    case_id = await _ended(client, world)
    await sign_in_as(web, world.id("guardian"))
    page = (await web.get(f"/cases/{case_id}/handover")).text
    started = await web.post(f"/cases/{case_id}/handover/start", data={"csrf_token": csrf_from(page)})
    page = (await web.get(started.headers["location"])).text
    for label in (
        "Placement",
        "Its strengths",
        "Issues to keep under review: 1",
        "The IRO&#39;s view of the plan",
    ):
        assert label in page, label
    # Submitting half of it: every missing answer is listed, linked to its field; what was given is kept.
    half = {k: v for k, v in ANSWERS.items() if k in ("placement", "permanence")}
    refused = await web.post(f"/cases/{case_id}/handover/draft", data=_form(page, half, "submit"))
    assert refused.status_code == 400
    assert 'href="#a.risks"' in refused.text
    assert 'href="#a.issues_for_iro.0.issue"' in refused.text
    page = (await web.get(f"/cases/{case_id}/handover")).text
    assert ANSWERS["placement"] in page  # the save before the refused submission stands
    saved = await web.post(f"/cases/{case_id}/handover/draft", data=_form(page, ANSWERS, "submit"))
    assert saved.status_code == 303
    page = (await web.get(saved.headers["location"])).text
    assert "The handover is submitted." in page
    assert "Save the draft" not in page

    await sign_in_as(web, world.id("iro"))
    page = (await web.get(f"/cases/{case_id}/handover")).text
    pdf_link = re.search(r'href="(/cases/[^"]+/handover/[^"]+\.pdf)"', page)
    assert pdf_link
    answer = re.search(r'action="(/cases/[^"]+/handover/[^"]+/answer)"', page)
    assert answer
    done = await web.post(answer.group(1), data={"csrf_token": csrf_from(page), "action": "acknowledge"})
    assert "You have acknowledged the handover." in (await web.get(done.headers["location"])).text
    tasks = (await web.get("/tasks")).text
    assert "Contact with the mother" in tasks
    assert "Issues to keep under review" in tasks

    pdf = await web.get(pdf_link.group(1))
    assert pdf.headers["content-type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(pdf.content))
    text = " ".join(p.extract_text() for p in reader.pages).replace("\n", " ")
    text = re.sub(r"\s+", " ", text)
    for key, value in ANSWERS.items():
        for piece in value if isinstance(value, list) else [value]:
            for word in piece.values() if isinstance(piece, dict) else [piece]:
                if re.fullmatch(r"\d{4}-\d{2}-\d{2}", word):
                    day = date.fromisoformat(word)
                    word = f"{day.day} {day:%B %Y}"
                assert word in text, (key, word)
    assert "Placement order" in text
    assert reader.metadata is not None
    assert reader.metadata.title.startswith("Handover from the children")
    assert str(reader.trailer["/Root"]["/Lang"]) == "en-GB"


async def test_the_solicitor_and_outsiders_do_not_see_the_handover(
    web: httpx.AsyncClient, client: httpx.AsyncClient, world: World
) -> None:
    case_id = await _ended(client, world)
    await sign_in_as(web, world.id("solicitor"))
    page = (await web.get(f"/cases/{case_id}/handover")).text
    assert "Start the handover" not in page
    await sign_in_as(web, world.id("other_iro"))
    assert (await web.get(f"/cases/{case_id}/handover")).status_code == 404


async def test_the_childs_file_exports_everything_for_the_authoritys_record(
    web: httpx.AsyncClient, client: httpx.AsyncClient, world: World
) -> None:
    import hashlib
    import json

    from tests.support import files
    from tests.test_papers import filed

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
        client, token, "SaveHandover", input={"id": draft["id"], "revision": 1, "answers": ANSWERS}
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
    assert record["finalOrder"]["order"] == "PLACEMENT_ORDER"
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
