"""The court papers tab without JavaScript: filing a paper in one multipart post, errors that keep the file
already sent, the CSRF token checked before any of the file is kept, receipts and the confirmation."""

from __future__ import annotations

import html
import os
import re
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from portal.app import create_app
from portal.settings import Settings
from portal.storage import local
from tests.support import files
from tests.support.browsing import csrf_from, sign_in_as
from tests.support.world import World
from tests.test_papers import LIMIT, _counts


def _details(page: str, **changes: str) -> dict[str, str]:
    today = date.today()
    return {
        "csrf_token": csrf_from(page),
        "filedOn-day": str(today.day),
        "filedOn-month": str(today.month),
        "filedOn-year": str(today.year),
        "title": "Parenting assessment of the mother",
        "kind": "ASSESSMENT",
        "filedByParty": "LOCAL_AUTHORITY",
        "confidentiality": "RESTRICTED",
        "lawfulBasis": "FPR_12_73_IRO",
        **changes,
    }


def _blob_count(settings: Settings) -> int:
    assert settings.blob_dir is not None
    return len([p for p in Path(settings.blob_dir).rglob("*") if p.is_file()])


async def test_the_solicitor_files_a_paper_and_the_iro_opens_it(
    web: httpx.AsyncClient, world: World, engine: AsyncEngine
) -> None:
    case_id = await world.open_case()
    await sign_in_as(web, world.id("solicitor"))
    page = (await web.get(f"/cases/{case_id}/papers")).text
    assert "None filed" in page
    # No title or kind: the errors, and the file is kept so that only the details need fixing.
    refused = await web.post(
        f"/cases/{case_id}/papers",
        data=_details(page, title="", kind=""),
        files={"file": ("assessment.pdf", files.PDF, "application/pdf")},
    )
    assert refused.status_code == 400
    assert "Enter the paper&#39;s title" in refused.text or "Enter the paper's title" in refused.text
    assert "Your file has arrived" in refused.text
    upload_id = re.search(r'name="uploadId" value="([^"]+)"', refused.text)
    assert upload_id
    assert await _counts(engine) == (1, 0)
    saved = await web.post(
        f"/cases/{case_id}/papers",
        data={**_details(refused.text), "uploadId": upload_id.group(1)},
        files={"file": ("", b"")},
    )
    assert saved.status_code == 303
    page = (await web.get(saved.headers["location"])).text
    assert "The paper is filed." in page
    assert "Parenting assessment of the mother" in page
    assert "Not opened" in page
    assert await _counts(engine) == (1, 1)

    await sign_in_as(web, world.id("iro"))
    page = (await web.get(f"/cases/{case_id}/papers")).text
    link = re.search(r'href="(/papers/[0-9a-f-]{36})" download', page)
    assert link
    assert (await web.get(link.group(1))).content == files.PDF
    assert "opened " in (await web.get(f"/cases/{case_id}/papers")).text


async def test_a_refused_file_and_a_forged_form_keep_nothing(
    web: httpx.AsyncClient, world: World, engine: AsyncEngine, settings: Settings
) -> None:
    case_id = await world.open_case()
    await sign_in_as(web, world.id("guardian"))
    page = (await web.get(f"/cases/{case_id}/papers")).text
    refused = await web.post(
        f"/cases/{case_id}/papers",
        data=_details(page),
        files={"file": ("plan.pdf", files.EXE, "application/pdf")},
    )
    assert refused.status_code == 400
    assert "is not a PDF, Word, Excel, OpenDocument, PNG, JPEG or text file" in refused.text
    forged = await web.post(
        f"/cases/{case_id}/papers",
        data={**_details(page), "csrf_token": "forged"},
        files={"file": ("plan.pdf", files.PDF, "application/pdf")},
    )
    assert forged.status_code == 403
    no_file = await web.post(f"/cases/{case_id}/papers", data=_details(page), files={"file": ("", b"")})
    assert "Choose a file to upload" in no_file.text
    assert await _counts(engine) == (0, 0)
    assert _blob_count(settings) == 0


async def test_the_guardian_confirms_every_paper_is_forwarded(web: httpx.AsyncClient, world: World) -> None:
    case_id = await world.open_case()
    await sign_in_as(web, world.id("guardian"))
    page = (await web.get(f"/cases/{case_id}/papers")).text
    await web.post(
        f"/cases/{case_id}/papers",
        data=_details(
            page, kind="GUARDIAN_ANALYSIS_INITIAL", filedByParty="CHILDRENS_GUARDIAN", title="Analysis"
        ),
        files={"file": ("analysis.txt", files.TEXT, "text/plain")},
    )
    page = (await web.get(f"/cases/{case_id}/papers")).text
    done = await web.post(
        f"/cases/{case_id}/papers/confirm", data={"csrf_token": csrf_from(page), "note": "All sent"}
    )
    page = (await web.get(done.headers["location"])).text
    assert "Your confirmation is recorded." in page
    assert "confirmed on" in page
    assert "(1 version)" in page
    # Outsiders find nothing: not the tab, not the paper.
    await sign_in_as(web, world.id("other_solicitor"))
    assert (await web.get(f"/cases/{case_id}/papers")).status_code == 404


async def test_la_legal_reads_the_care_plans_page(web: httpx.AsyncClient, world: World) -> None:
    case_id = await world.open_case()
    await sign_in_as(web, world.id("solicitor"))
    for content, changes in (
        (files.PDF, {"planInBrief.placement": "Foster care"}),
        (
            files.PDF + b"%2",
            {"planInBrief.placement": "With the Greens", "kind": "CARE_PLAN_FINAL", "title": "Final"},
        ),
    ):
        page = (await web.get(f"/cases/{case_id}/papers")).text
        details = _details(
            page, kind="CARE_PLAN_INTERIM", title="Interim care plan", confidentiality="STANDARD"
        )
        saved = await web.post(
            f"/cases/{case_id}/papers",
            data={**details, **changes},
            files={"file": ("plan.pdf", content, "application/pdf")},
        )
        assert saved.status_code == 303
    page = (await web.get(f"/cases/{case_id}/plans")).text
    assert "Final care plan</strong>" in page
    assert "Changed from the version before" in page
    assert "Foster care" in page
    assert "With the Greens" in page


async def _small_limit_web(settings: Settings, engine: AsyncEngine) -> httpx.AsyncClient:
    app = create_app(
        settings.model_copy(update={"demo_sign_in": True, "upload_max_bytes": LIMIT}), engine=engine
    )
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://portal.test")


async def test_the_form_takes_one_file_and_refuses_what_runs_keeping_nothing(
    world: World, engine: AsyncEngine, settings: Settings
) -> None:
    """Issue 13, the page route: a second file in the form, a PDF with JavaScript, a document with macros, a
    chunked form past the limit and an oversized form without a file are each answered with the page and its
    error summary (never JSON, never a 500), and nothing is kept."""
    case_id = await world.open_case()
    async with await _small_limit_web(settings, engine) as web:
        await sign_in_as(web, world.id("solicitor"))
        page = (await web.get(f"/cases/{case_id}/papers")).text
        pdf = ("application/pdf",)
        for chosen, message in (
            (
                [("file", ("a.pdf", files.PDF, *pdf)), ("file", ("b.pdf", files.PDF + b"%b", *pdf))],
                "Upload one file at a time",
            ),
            ([("file", ("plan.pdf", files.PDF_WITH_JAVASCRIPT, *pdf))], "The PDF contains JavaScript"),
            (
                [("file", ("plan.docx", files.DOCX_WITH_MACROS, "application/octet-stream"))],
                "contains macros",
            ),
        ):
            refused = await web.post(f"/cases/{case_id}/papers", data=_details(page), files=chosen)
            assert refused.status_code == 400
            assert refused.headers["content-type"].startswith("text/html")
            assert 'class="govuk-error-summary"' in refused.text
            assert message in refused.text, message
        boundary = "page-boundary"
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{csrf_from(page)}\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.pdf"\r\n\r\n'
        ).encode()

        async def endless() -> AsyncIterator[bytes]:
            yield head + files.PDF
            for _ in range(64):
                yield b"0" * 65536

        refused = await web.post(
            f"/cases/{case_id}/papers",
            content=endless(),
            headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
        )
        assert refused.status_code == 400
        assert "The file must be smaller than" in refused.text
        refused = await web.post(
            f"/cases/{case_id}/papers",
            content=b"csrf_token=x&title=" + b"t" * (2 * 1024 * 1024),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert refused.status_code == 400
        assert "The form is too long" in refused.text
    assert await _counts(engine) == (0, 0)
    assert _blob_count(settings) == 0


def _summary(page: str) -> list[tuple[str, str]]:
    """The error summary's links, as (target, message), in order."""
    found = re.search(r'govuk-error-summary__list">(.*?)</ul>', page, re.S)
    assert found, "no error summary"
    return [(a, html.unescape(m)) for a, m in re.findall(r'<a href="#([^"]+)">([^<]+)</a>', found.group(1))]


def _textarea(page: str, name: str) -> str:
    found = re.search(rf'<textarea[^>]*name="{re.escape(name)}"[^>]*>(.*?)</textarea>', page, re.S)
    assert found, name
    return html.unescape(found.group(1))


def _has_file_input(page: str) -> bool:
    return (
        re.search(r'<input class="govuk-file-upload[^"]*" id="file" name="file" type="file"', page)
        is not None
    )


async def test_every_problem_is_reported_at_once_with_the_missing_file(
    web: httpx.AsyncClient, world: World, engine: AsyncEngine
) -> None:
    """P6 filing, issue 14: no file and no details give one error summary with every problem, in the order
    of the form; a refused file is reported with the details' problems too, and nothing is kept."""
    case_id = await world.open_case()
    await sign_in_as(web, world.id("solicitor"))
    page = (await web.get(f"/cases/{case_id}/papers")).text
    blank = _details(
        page,
        title="",
        kind="",
        filedByParty="",
        **{"filedOn-day": "", "filedOn-month": "", "filedOn-year": ""},
    )
    refused = await web.post(f"/cases/{case_id}/papers", data=blank, files={"file": ("", b"")})
    assert refused.status_code == 400
    assert _summary(refused.text) == [
        ("file", "Choose a file to upload"),
        ("filedOn-day", "Enter the date the paper was filed"),
        ("title", "Enter the paper's title"),
        ("kind", "Choose what kind of paper it is"),
        ("filedByParty", "Choose the party that filed it"),
    ]
    assert _has_file_input(refused.text)
    # A URL-encoded post (no file part at all) is checked the same way.
    refused = await web.post(f"/cases/{case_id}/papers", data=blank)
    assert [target for target, _ in _summary(refused.text)] == [
        "file",
        "filedOn-day",
        "title",
        "kind",
        "filedByParty",
    ]
    # A refused file keeps its own message, beside the details' problems.
    refused = await web.post(
        f"/cases/{case_id}/papers",
        data=_details(page, title=""),
        files={"file": ("plan.pdf", files.EXE, "application/pdf")},
    )
    summary = _summary(refused.text)
    assert [target for target, _ in summary] == ["file", "title"]
    assert "is not a PDF" in summary[0][1]
    assert _has_file_input(refused.text)
    assert "Your file has arrived" not in refused.text
    assert await _counts(engine) == (0, 0)


async def test_a_file_already_on_the_case_asks_for_another(
    web: httpx.AsyncClient, world: World, engine: AsyncEngine
) -> None:
    """Issue 14: when the file itself is the problem (already filed), the form shows the file input again
    with the error on it, the summary links to it, and another file files the paper (P6)."""
    case_id = await world.open_case()
    await sign_in_as(web, world.id("solicitor"))
    page = (await web.get(f"/cases/{case_id}/papers")).text
    first = await web.post(
        f"/cases/{case_id}/papers",
        data=_details(page),
        files={"file": ("a.pdf", files.PDF, "application/pdf")},
    )
    assert first.status_code == 303
    page = (await web.get(f"/cases/{case_id}/papers")).text
    again = await web.post(
        f"/cases/{case_id}/papers",
        data=_details(page, title="The same again", kind=""),
        files={"file": ("copy.pdf", files.PDF, "application/pdf")},
    )
    assert again.status_code == 400
    assert "you do not need to choose the file again" not in again.text
    assert 'name="uploadId"' not in again.text
    assert _has_file_input(again.text)
    assert 'id="file-error"' in again.text
    assert 'aria-describedby="file-hint file-error"' in again.text
    summary = _summary(again.text)
    assert summary[0][0] == "file"
    assert "This file is already on the case (Parenting assessment of the mother, version 1)" in summary[0][1]
    assert summary[1:] == [("kind", "Choose what kind of paper it is")]
    # What was typed is kept; another file then files the paper.
    assert 'value="The same again"' in again.text
    saved = await web.post(
        f"/cases/{case_id}/papers",
        data=_details(again.text, title="The same again"),
        files={"file": ("other.pdf", files.PDF + b"%other", "application/pdf")},
    )
    assert saved.status_code == 303
    assert await _counts(engine) == (3, 2)


async def _file_plan(web: httpx.AsyncClient, case_id: object, content: bytes, **fields: str) -> None:
    page = (await web.get(f"/cases/{case_id}/papers")).text
    details = _details(page, kind="CARE_PLAN_INTERIM", title="Interim care plan", confidentiality="STANDARD")
    saved = await web.post(
        f"/cases/{case_id}/papers",
        data={**details, **fields},
        files={"file": ("plan.pdf", files.PDF + content, "application/pdf")},
    )
    assert saved.status_code == 303, _summary(saved.text)


def _changes(plans_page: str, version: int) -> list[str] | None:
    """The parts in the "Changed" table of the interim care plan's ``version``, or None with no table."""
    section = plans_page.split(f"Interim care plan, version {version}", 1)[1].split("app-records__item", 1)[0]
    if "Changed from the version before" not in section:
        return None
    return re.findall(r'<th scope="row" class="govuk-table__header">([^<]+)</th>', section)


async def test_a_new_care_plan_version_starts_from_the_latest_plan_in_brief(
    web: httpx.AsyncClient, world: World
) -> None:
    """Issue 14: "File a new version" of a care plan fills in the latest plan in brief, so sending it back
    with one part changed reports only that part as changed; a version filed without a plan in brief is
    not compared (nothing in it was "deleted"), and the next one is compared with the last that gave one."""
    case_id = await world.open_case()
    await sign_in_as(web, world.id("solicitor"))
    brief = {
        "planInBrief.placement": "Foster care with the Greens",
        "planInBrief.permanence": "Return home\nif the assessment is positive",
        "planInBrief.familyContact": "Weekly with mother",
        "planInBrief.services": "CAMHS",
    }
    await _file_plan(web, case_id, b"%1", **brief)
    page = (await web.get(f"/cases/{case_id}/plans")).text
    link = re.search(rf'href="(/cases/{case_id}/papers\?version=([0-9a-f-]{{36}}))#upload"', page)
    assert link, "the plans page links to filing a new version"
    paper_id = link.group(2)

    page = (await web.get(link.group(1))).text
    assert f'<option value="{paper_id}" selected>' in page
    assert "Filled in from the plan in brief of Interim care plan, version 1" in page
    prefilled = {name: _textarea(page, name) for name in brief}
    assert prefilled == brief
    # A browser sends a textarea's line breaks as CRLF: that is not a change.
    sent = {name: text.replace("\n", "\r\n") for name, text in prefilled.items()}
    await _file_plan(
        web,
        case_id,
        b"%2",
        paperId=paper_id,
        **{**sent, "planInBrief.placement": "With the Greens, long term"},
    )
    # A version without a plan in brief (chosen from the list, fields cleared).
    await _file_plan(web, case_id, b"%3", paperId=paper_id)
    page = (await web.get(f"/cases/{case_id}/papers?version={paper_id}")).text
    assert _textarea(page, "planInBrief.placement") == "With the Greens, long term"
    assert "Interim care plan, version 2." in page
    await _file_plan(
        web,
        case_id,
        b"%4",
        paperId=paper_id,
        **{**brief, "planInBrief.placement": "With the Greens, long term", "planInBrief.services": ""},
    )

    plans = (await web.get(f"/cases/{case_id}/plans")).text
    assert _changes(plans, 1) is None
    assert _changes(plans, 2) == ["Placement"]
    assert _changes(plans, 3) is None
    assert (
        "No plan in brief was given with this version" in plans.split("version 3", 1)[1].split("version 4")[0]
    )
    assert _changes(plans, 4) == ["Services"]
    # Wide tables scroll inside their containers (320 px reflow).
    assert plans.count('class="app-table-container"') == 2


async def test_a_full_disk_keeps_nothing_and_says_so(
    web: httpx.AsyncClient,
    world: World,
    engine: AsyncEngine,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Issue 16: the blob store's disk is full (its file is /dev/full, which refuses every write with
    ENOSPC): the page says the file was not kept, with 507, and nothing is."""
    case_id = await world.open_case()
    await sign_in_as(web, world.id("solicitor"))
    page = (await web.get(f"/cases/{case_id}/papers")).text
    monkeypatch.setattr(local, "open_private", lambda _path, _flags: os.open("/dev/full", os.O_WRONLY))
    full = await web.post(
        f"/cases/{case_id}/papers",
        data=_details(page),
        files={"file": ("assessment.pdf", files.PDF + b"0" * 100_000, "application/pdf")},
    )
    assert full.status_code == 507
    assert "<title>Sorry, the file was not kept" in full.text
    assert await _counts(engine) == (0, 0)
    assert _blob_count(settings) == 0
