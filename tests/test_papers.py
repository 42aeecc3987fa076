"""Court papers (P6): the streaming upload refuses what it must with nothing stored, filing shares with the
IRO and opens and meets P6, versions never overwrite, downloads are for those the paper's level admits,
receipts and the checklist show what the IRO has, and the sweeper removes what was never filed."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
import uuid
from collections.abc import AsyncIterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from models import OutboxMessage, PaperVersion, Upload
from portal.app import create_app
from portal.db import create_session_factory
from portal.papers import service as papers
from portal.settings import Settings
from portal.storage.local import LocalBlobStore
from tests.support import files
from tests.support.graphql import gql
from tests.support.world import World

LIMIT = 256 * 1024


@pytest.fixture
def paper_settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"upload_max_bytes": LIMIT})


@pytest.fixture
async def api(paper_settings: Settings, engine: AsyncEngine) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(paper_settings, engine=engine)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://portal.test"
    ) as client:
        yield client


def _blobs(settings: Settings) -> Path:
    assert settings.blob_dir is not None
    return settings.blob_dir


def stored(settings: Settings) -> tuple[list[str], list[str]]:
    """The committed blobs and the half-written ones (and no temporary copy of an upload left open)."""
    root = _blobs(settings)
    assert open_temporary_files() == []
    return (
        sorted(p.name for p in (root / "blobs").glob("*/*/*")),
        sorted(p.name for p in (root / "tmp").glob("*")),
    )


def temporary_files() -> set[str]:
    """The files in the temporary folder this process holds open (an upload's copy while it is checked;
    pytest's captured output)."""
    folder = os.path.realpath(tempfile.gettempdir())
    found = set()
    for descriptor in Path("/proc/self/fd").iterdir():
        with contextlib.suppress(OSError):
            target = os.readlink(descriptor)
            if target.startswith(folder + "/"):
                found.add(target)
    return found


HELD_BEFORE: set[str] = set()


@pytest.fixture(autouse=True)
def _temporary_files_held_before() -> None:
    HELD_BEFORE.clear()
    HELD_BEFORE.update(temporary_files())


def open_temporary_files() -> list[str]:
    """The temporary files opened since the test began and still open."""
    return sorted(temporary_files() - HELD_BEFORE)


async def upload(
    client: httpx.AsyncClient,
    world: World,
    who: str,
    case_id: object,
    content: bytes | Any,
    name: str,
    **headers: str,
) -> httpx.Response:
    return await client.post(
        f"/cases/{case_id}/papers/uploads",
        content=content,
        headers={"Authorization": f"Bearer {await world.token(who)}", "X-Filename": name, **headers},
    )


async def file(
    client: httpx.AsyncClient, world: World, who: str, upload_id: str, **changes: Any
) -> dict[str, Any]:
    input = {
        "uploadId": upload_id,
        "filedOn": date.today().isoformat(),
        "kind": "CARE_PLAN_INTERIM",
        "title": "Interim care plan",
        "filedByParty": "LOCAL_AUTHORITY",
        "confidentiality": "STANDARD",
        "lawfulBasis": "FPR_12_73_IRO",
        **changes,
    }
    body = await gql(client, await world.token(who), "FileCourtPaper", input=input)
    return body["data"]["fileCourtPaper"]


async def filed(
    client: httpx.AsyncClient,
    world: World,
    case_id: object,
    content: bytes,
    who: str = "solicitor",
    **changes: Any,
) -> dict[str, Any]:
    response = await upload(client, world, who, case_id, content, changes.pop("name", "plan.pdf"))
    assert response.status_code == 201, response.text
    payload = await file(client, world, who, response.json()["uploadId"], **changes)
    assert payload["errors"] == [], payload
    return payload


async def _counts(engine: AsyncEngine) -> tuple[int, int]:
    async with create_session_factory(engine)() as session:
        uploads = await session.scalar(sa.select(sa.func.count()).select_from(Upload))
        versions = await session.scalar(sa.select(sa.func.count()).select_from(PaperVersion))
    return uploads or 0, versions or 0


async def test_an_upload_is_hashed_sniffed_and_stored_once(
    api: httpx.AsyncClient, world: World, paper_settings: Settings
) -> None:
    case_id = await world.open_case()
    response = await upload(
        api, world, "guardian", case_id, files.DOCX, "Analysis%20%E2%80%93%20initial.docx"
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["sha256"] == hashlib.sha256(files.DOCX).hexdigest()
    assert body["contentType"].endswith("wordprocessingml.document")
    assert body["filename"] == "Analysis – initial.docx"
    assert body["size"] == len(files.DOCX)
    assert stored(paper_settings) == ([body["sha256"]], [])


@pytest.mark.parametrize(
    ("content", "name", "status", "code"),
    [
        (files.EXE, "setup.exe", 415, "FILE_TYPE_NOT_ALLOWED"),
        (files.EXE, "report.pdf", 415, "FILE_TYPE_NOT_ALLOWED"),  # a renamed executable
        (files.ELF, "report.txt", 415, "FILE_TYPE_NOT_ALLOWED"),
        (files.PNG, "report.pdf", 415, "FILE_TYPE_MISMATCH"),
        (files.DOCX, "report.xlsx", 415, "FILE_TYPE_MISMATCH"),
        (files.PLAIN_ZIP, "report.docx", 415, "FILE_TYPE_NOT_ALLOWED"),
        (b"", "empty.pdf", 400, "FILE_EMPTY"),
        (files.PDF, "../../etc/passwd.pdf", 400, "FILE_NAME_INVALID"),
        (files.PDF, "folder\\plan.pdf", 400, "FILE_NAME_INVALID"),
        (files.PDF, "plan%0A.pdf", 400, "FILE_NAME_INVALID"),
        (files.PDF, "plan%E2%80%AE.pdf", 400, "FILE_NAME_INVALID"),  # a right-to-left override
        (files.PDF, "", 400, "FILE_NAME_INVALID"),
        (b"x" * (LIMIT + 1), "big.txt", 413, "FILE_TOO_LARGE"),
        # Issue 13: a ZIP is the document its central directory says, holding nothing that runs or explodes.
        (files.DOCX_NAMES_IN_COMMENT, "report.docx", 415, "FILE_TYPE_NOT_ALLOWED"),
        (files.DOCX_NAMES_IN_CONTENT, "report.docx", 415, "FILE_TYPE_NOT_ALLOWED"),
        (files.DOCX_WITH_MACROS, "report.docx", 415, "FILE_ACTIVE_CONTENT"),
        (files.DOCM_RENAMED, "report.docx", 415, "FILE_ACTIVE_CONTENT"),
        (files.docx_expanding_to(16 * 1024 * 1024), "report.docx", 413, "FILE_EXPANDS_TOO_MUCH"),
        # Issue 13: the PDF policy.
        (files.PDF_WITH_JAVASCRIPT, "plan.pdf", 415, "FILE_ACTIVE_CONTENT"),
        (files.PDF_WITH_ESCAPED_JAVASCRIPT, "plan.pdf", 415, "FILE_ACTIVE_CONTENT"),
        (files.PDF_WITH_JAVASCRIPT_IN_AN_OBJECT_STREAM, "plan.pdf", 415, "FILE_ACTIVE_CONTENT"),
        (files.PDF_WITH_LAUNCH, "plan.pdf", 415, "FILE_ACTIVE_CONTENT"),
        (files.PDF_WITH_ATTACHMENT, "plan.pdf", 415, "FILE_ACTIVE_CONTENT"),
        (files.PDF_ENCRYPTED, "plan.pdf", 415, "FILE_TYPE_NOT_ALLOWED"),
    ],
)
async def test_a_refused_upload_says_why_and_stores_nothing(
    api: httpx.AsyncClient,
    world: World,
    engine: AsyncEngine,
    paper_settings: Settings,
    content: bytes,
    name: str,
    status: int,
    code: str,
) -> None:
    """A refusal answers its status and stable code, and keeps no record, no blob and no temporary file (the
    checks of what a ZIP or a PDF holds are issue 13's)."""
    case_id = await world.open_case()
    response = await upload(api, world, "solicitor", case_id, content, name)
    assert (response.status_code, response.json()["errors"][0]["code"]) == (status, code)
    assert await _counts(engine) == (0, 0)
    assert stored(paper_settings) == ([], [])


async def test_too_large_is_refused_before_the_body_is_read(
    api: httpx.AsyncClient, world: World, paper_settings: Settings
) -> None:
    case_id = await world.open_case()
    sent = 0

    async def body() -> AsyncIterator[bytes]:
        nonlocal sent
        for _ in range(64):
            sent += 1
            yield b"x" * 65536

    response = await upload(
        api, world, "solicitor", case_id, body(), "huge.txt", **{"Content-Length": str(64 * 65536)}
    )
    assert response.status_code == 413
    assert sent <= 1  # refused on its declared length
    # Without a declared length it is cut off as soon as it passes the limit.
    sent = 0
    response = await upload(api, world, "solicitor", case_id, body(), "huge.txt")
    assert response.status_code == 413
    assert sent < 64
    assert stored(paper_settings) == ([], [])


async def test_a_truncated_upload_is_refused_and_leaves_nothing(
    api: httpx.AsyncClient, world: World, engine: AsyncEngine, paper_settings: Settings
) -> None:
    case_id = await world.open_case()

    async def body() -> AsyncIterator[bytes]:
        yield files.PDF

    response = await upload(
        api, world, "solicitor", case_id, body(), "plan.pdf", **{"Content-Length": str(len(files.PDF) + 500)}
    )
    assert (response.status_code, response.json()["errors"][0]["code"]) == (400, "UPLOAD_INCOMPLETE")
    assert await _counts(engine) == (0, 0)
    assert stored(paper_settings) == ([], [])


async def test_documents_that_are_what_they_say_are_accepted(
    api: httpx.AsyncClient, world: World, paper_settings: Settings
) -> None:
    """Issue 13: the stricter checks let real documents through: an XLSX, an ODT, a PDF that opens at a
    page, and one whose objects are compressed in object streams."""
    case_id = await world.open_case()
    for content, name in (
        (files.XLSX, "figures.xlsx"),
        (files.ODT, "statement.odt"),
        (files.PDF_OPENING_AT_A_PAGE, "bundle.pdf"),
        (files.PDF_WITH_A_CLEAN_OBJECT_STREAM, "compressed.pdf"),
    ):
        response = await upload(api, world, "solicitor", case_id, content, name)
        assert response.status_code == 201, (name, response.text)
    assert len(stored(paper_settings)[0]) == 4


def form_upload(
    files_: list[tuple[str, tuple[str, bytes, str]]], fields: dict[str, str] | None = None
) -> dict[str, Any]:
    return {"files": files_, "data": fields or {}}


async def post_form(client: httpx.AsyncClient, world: World, case_id: object, **form: Any) -> httpx.Response:
    token = await world.token("solicitor")
    return await client.post(
        f"/cases/{case_id}/papers/uploads", headers={"Authorization": f"Bearer {token}"}, **form
    )


async def test_an_upload_carries_one_file(
    api: httpx.AsyncClient, world: World, engine: AsyncEngine, paper_settings: Settings
) -> None:
    """Issue 13: a form with a second file part, or a file in any field but ``file``, is refused as a whole
    (TOO_MANY_FILES), and neither file is kept: four files in one request leave nothing."""
    case_id = await world.open_case()
    part = files.PDF + b"%" + b"0" * 200_000
    four = [("file", (f"plan-{n}.pdf", part + bytes([n]), "application/pdf")) for n in range(4)]
    for form in (
        form_upload(four),
        form_upload(
            [("file", ("plan.pdf", files.PDF, "application/pdf")), ("also", ("x.txt", b"x", "text/plain"))]
        ),
        form_upload([("attachment", ("plan.pdf", files.PDF, "application/pdf"))]),
    ):
        response = await post_form(api, world, case_id, **form)
        assert (response.status_code, response.json()["errors"][0]["code"]) == (400, "TOO_MANY_FILES")
        assert await _counts(engine) == (0, 0)
        assert stored(paper_settings) == ([], [])
    # One file, in a form, is an upload like any other.
    response = await post_form(
        api,
        world,
        case_id,
        **form_upload([("file", ("plan.pdf", files.PDF, "application/pdf"))], {"note": "x"}),
    )
    assert response.status_code == 201, response.text
    assert response.json()["filename"] == "plan.pdf"
    assert await _counts(engine) == (1, 0)


BOUNDARY = "issue-13-boundary"


def multipart(*parts: tuple[str, str | None, bytes], header: bytes = b"") -> list[bytes]:
    """A multipart/form-data body, a part at a time: (field, filename or None, content)."""
    chunks = []
    for name, filename, content in parts:
        disposition = f'form-data; name="{name}"' + (
            f'; filename="{filename}"' if filename is not None else ""
        )
        chunks.append(
            f"--{BOUNDARY}\r\nContent-Disposition: {disposition}\r\n".encode()
            + header
            + b"\r\n"
            + content
            + b"\r\n"
        )
    return [*chunks, f"--{BOUNDARY}--\r\n".encode()]


async def chunked(chunks: list[bytes], sent: list[int]) -> AsyncIterator[bytes]:
    """The chunks, in pieces of 64 KB, with no length declared; ``sent`` counts the pieces sent."""
    for chunk in chunks:
        for at in range(0, len(chunk), 65536):
            sent.append(1)
            yield chunk[at : at + 65536]


@pytest.mark.parametrize(
    ("parts", "header", "status", "code"),
    [
        ([("file", "big.pdf", files.PDF + b"0" * (4 * LIMIT))], b"", 413, "FILE_TOO_LARGE"),
        ([("file", "", b"0" * (8 * 1024 * 1024))], b"", 413, "FILE_TOO_LARGE"),  # unchosen, yet sent
        ([("title", None, b"t" * (128 * 1024))], b"", 400, "TOO_LONG"),
        ([(f"field{n}", None, b"x") for n in range(60)], b"", 400, "TOO_LONG"),
        # A part's headers are limited by the parser: too long a header is a malformed form.
        (
            [("file", "plan.pdf", files.PDF)],
            b"X-Padding: " + b"p" * (16 * 1024) + b"\r\n",
            400,
            "UPLOAD_INCOMPLETE",
        ),
    ],
)
async def test_a_chunked_form_is_limited_as_it_streams(
    api: httpx.AsyncClient,
    world: World,
    engine: AsyncEngine,
    paper_settings: Settings,
    parts: list[tuple[str, str | None, bytes]],
    header: bytes,
    status: int,
    code: str,
) -> None:
    """Issue 13: a form that declares no length is cut off while it streams: its file at the largest file,
    the whole body at that and a little more, a field, the number of fields and a part's headers at theirs."""
    case_id = await world.open_case()
    body, sent = multipart(*parts, header=header), []
    response = await api.post(
        f"/cases/{case_id}/papers/uploads",
        content=chunked(body, sent),
        headers={
            "Authorization": f"Bearer {await world.token('solicitor')}",
            "Content-Type": f"multipart/form-data; boundary={BOUNDARY}",
        },
    )
    assert (response.status_code, response.json()["errors"][0]["code"]) == (status, code)
    assert len(sent) < sum(-(-len(c) // 65536) for c in body) or len(sent) <= 3
    assert await _counts(engine) == (0, 0)
    assert stored(paper_settings) == ([], [])


async def test_every_answer_of_the_upload_route_is_json_with_a_code(
    api: httpx.AsyncClient,
    world: World,
    engine: AsyncEngine,
    paper_settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Issue 13: API clients get JSON with a stable code whatever the status: 401 without a valid token,
    404 for a case that is not theirs or not a case, 400 for a cut-off body, 500 (masked, with a reference)
    for the unexpected; and nothing is kept."""
    case_id = await world.open_case()
    url = f"/cases/{case_id}/papers/uploads"
    for headers in ({}, {"Authorization": "Bearer not-a-token"}):
        response = await api.post(url, content=files.PDF, headers={"X-Filename": "a.pdf", **headers})
        assert (response.status_code, response.json()["errors"][0]["code"]) == (401, "UNAUTHENTICATED")
        assert response.headers["www-authenticate"] == "Bearer"
    response = await upload(api, world, "solicitor", "not-a-case", files.PDF, "a.pdf")
    assert (response.status_code, response.json()["errors"][0]["code"]) == (404, "NOT_FOUND")
    response = await upload(
        api,
        world,
        "solicitor",
        case_id,
        files.PDF,
        "a.pdf",
        **{"Content-Type": "multipart/form-data; boundary=x"},
    )
    assert (response.status_code, response.json()["errors"][0]["code"]) == (400, "UPLOAD_INCOMPLETE")

    from portal.papers import office

    def broken(*_: object) -> str:
        raise RuntimeError("a bug")

    monkeypatch.setattr(office, "identify", broken)
    response = await upload(api, world, "solicitor", case_id, files.DOCX, "a.docx")
    assert response.status_code == 500
    [error] = response.json()["errors"]
    assert error["code"] == "INTERNAL"
    assert "a bug" not in error["message"]
    assert "reference" in error["message"]
    assert await _counts(engine) == (0, 0)
    assert stored(paper_settings) == ([], [])


async def test_a_full_disk_is_507_with_a_code_and_keeps_nothing(
    api: httpx.AsyncClient,
    world: World,
    engine: AsyncEngine,
    paper_settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Issue 16: the blob store's disk is full (its file is /dev/full, which refuses every write with
    ENOSPC): the API client gets JSON 507 STORAGE_FULL, and nothing is kept."""
    from portal.storage import local

    case_id = await world.open_case()
    monkeypatch.setattr(local, "open_private", lambda _path, _flags: os.open("/dev/full", os.O_WRONLY))
    response = await upload(api, world, "solicitor", case_id, files.PDF + b"0" * 100_000, "a.pdf")
    assert response.status_code == 507
    assert response.json()["errors"][0]["code"] == "STORAGE_FULL"
    assert await _counts(engine) == (0, 0)
    monkeypatch.undo()
    assert stored(paper_settings) == ([], [])


async def test_a_client_that_goes_away_mid_upload_leaves_nothing(
    world: World, engine: AsyncEngine, paper_settings: Settings
) -> None:
    """Issue 13: the client disconnects half-way through its body: the answer (which it will not read) is
    still JSON with a code, and nothing of what it sent is kept."""
    case_id = await world.open_case()
    app = create_app(paper_settings, engine=engine)
    token = await world.token("solicitor")
    messages: list[dict[str, Any]] = [
        {"type": "http.request", "body": files.PDF, "more_body": True},
        {"type": "http.disconnect"},
    ]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": f"/cases/{case_id}/papers/uploads",
        "raw_path": f"/cases/{case_id}/papers/uploads".encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"host", b"portal.test"),
            (b"authorization", f"Bearer {token}".encode()),
            (b"x-filename", b"plan.pdf"),
        ],
        "client": ("127.0.0.1", 1234),
        "server": ("portal.test", 80),
    }
    await app(scope, receive, send)
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    assert start["status"] == 400
    assert json.loads(body)["errors"][0]["code"] == "UPLOAD_INCOMPLETE"
    assert await _counts(engine) == (0, 0)
    assert stored(paper_settings) == ([], [])


async def test_an_outsider_cannot_upload_and_nothing_is_read(
    api: httpx.AsyncClient, world: World, paper_settings: Settings
) -> None:
    case_id = await world.open_case()
    for who in ("other_solicitor", "social_worker", "iro"):
        response = await upload(api, world, who, case_id, files.PDF, "plan.pdf")
        assert (response.status_code, response.json()["errors"][0]["code"]) == (404, "NOT_FOUND"), who
    response = await api.post(
        f"/cases/{case_id}/papers/uploads", content=files.PDF, headers={"X-Filename": "a.pdf"}
    )
    assert response.status_code == 401
    assert stored(paper_settings) == ([], [])


async def test_filing_shares_with_the_iro_and_meets_p6_and_a_double_submit_is_idempotent(
    api: httpx.AsyncClient, world: World, engine: AsyncEngine
) -> None:
    case_id = await world.open_case()
    response = await upload(api, world, "solicitor", case_id, files.PDF, "plan.pdf")
    upload_id = response.json()["uploadId"]
    first = await file(api, world, "solicitor", upload_id)
    again = await file(api, world, "solicitor", upload_id)
    assert first["errors"] == again["errors"] == []
    assert again["version"]["id"] == first["version"]["id"]
    assert await _counts(engine) == (1, 1)
    view = (await gql(api, await world.token("iro"), "CasePapers", id=str(case_id)))["data"]["case"]
    [paper] = view["papers"]
    [version] = paper["versions"]
    assert [(r["person"]["name"], r["firstOpenedAt"]) for r in version["receipts"]] == [
        ("Ivan Reviewer", None)
    ]
    obligations = (await gql(api, await world.token("iro"), "CaseView", id=str(case_id)))["data"]["case"][
        "obligations"
    ]
    p6 = [o for o in obligations if o["code"] == "P6"]
    assert [(o["state"], o["evidenceId"]) for o in p6] == [("MET", version["id"])]
    async with create_session_factory(engine)() as session:
        told = (
            (await session.execute(sa.select(OutboxMessage.body).where(OutboxMessage.kind == "paper.shared")))
            .scalars()
            .all()
        )
    assert told == [
        "1 court paper has been shared with you under the guardian–IRO protocol. "
        "Open the portal to read them."
    ]


async def test_the_same_content_twice_is_reported_and_not_stored_twice(
    api: httpx.AsyncClient, world: World, engine: AsyncEngine
) -> None:
    case_id = await world.open_case()
    await filed(api, world, case_id, files.PDF)
    response = await upload(api, world, "guardian", case_id, files.PDF, "copy.pdf")
    payload = await file(api, world, "guardian", response.json()["uploadId"], title="Copy")
    assert payload["errors"][0]["code"] == "DUPLICATE"
    assert "Interim care plan, version 1" in payload["errors"][0]["message"]
    assert (await _counts(engine))[1] == 1


async def test_without_an_upload_the_details_are_checked_and_nothing_is_written(
    api: httpx.AsyncClient, world: World, engine: AsyncEngine
) -> None:
    """Issue 14: FileCourtPaper without an upload reports every problem at once, the missing file among
    them, so a form can show them together; the case must be one the caller may file on (else not found),
    and an upload is filed only on its own case."""
    case_id = await world.open_case()
    token = await world.token("solicitor")
    input = {"caseId": str(case_id), "filedOn": None, "title": "", "kind": None, "filedByParty": None}
    payload = (await gql(api, token, "FileCourtPaper", input=input))["data"]["fileCourtPaper"]
    assert [(e["code"], e["field"]) for e in payload["errors"]] == [
        ("REQUIRED", "uploadId"),
        ("REQUIRED", "filedOn"),
        ("REQUIRED", "title"),
        ("REQUIRED", "kind"),
        ("REQUIRED", "filedByParty"),
        ("REQUIRED", "confidentiality"),
        ("REQUIRED", "lawfulBasis"),
    ]
    assert payload["paper"] is None
    other_case = await world.open_case(solicitor="other_solicitor", guardian=None, iro=None)
    outsider = await gql(api, token, "FileCourtPaper", input={**input, "caseId": str(other_case)})
    assert [e["code"] for e in outsider["data"]["fileCourtPaper"]["errors"]] == ["NOT_FOUND"]
    response = await upload(api, world, "solicitor", case_id, files.PDF, "plan.pdf")
    elsewhere = await file(api, world, "solicitor", response.json()["uploadId"], caseId=str(other_case))
    assert [e["code"] for e in elsewhere["errors"]] == ["NOT_FOUND"]
    assert await _counts(engine) == (1, 0)


async def test_a_new_version_supersedes_and_both_stay_retrievable(
    api: httpx.AsyncClient, world: World
) -> None:
    case_id = await world.open_case()
    first = await filed(api, world, case_id, files.PDF)
    second = await filed(
        api, world, case_id, files.PDF + b"% amended\n", name="plan-v2.pdf", paperId=first["paper"]["id"]
    )
    assert second["version"]["version"] == 2
    view = (await gql(api, await world.token("guardian"), "CasePapers", id=str(case_id)))["data"]["case"]
    assert [v["version"] for v in view["papers"][0]["versions"]] == [2, 1]
    token = await world.token("guardian")
    for payload, content in ((first, files.PDF), (second, files.PDF + b"% amended\n")):
        response = await api.get(
            payload["version"]["downloadUrl"], headers={"Authorization": f"Bearer {token}"}
        )
        assert response.content == content


async def test_downloads_follow_the_papers_level_and_outsiders_get_not_found(
    api: httpx.AsyncClient, world: World
) -> None:
    case_id = await world.open_case()
    standard = await filed(api, world, case_id, files.PDF, title="Care plan")
    restricted = await filed(
        api, world, case_id, files.PNG, name="scan.png", title="Medical", confidentiality="RESTRICTED"
    )
    legal = await filed(
        api,
        world,
        case_id,
        files.TEXT,
        name="advice.txt",
        title="Withheld",
        confidentiality="LEGAL_ONLY",
        lawfulBasis="WITHHELD_BY_COURT",
    )
    urls = {
        name: p["version"]["downloadUrl"]
        for name, p in (("standard", standard), ("restricted", restricted), ("legal", legal))
    }
    expected = {
        "solicitor": {"standard", "restricted", "legal"},
        "guardian": {"standard", "restricted", "legal"},
        "iro": {"standard", "restricted"},
        "social_worker": set(),  # not a member of this case
        "other_iro": set(),
        "iro_manager": set(),
        "cafcass_manager": set(),
    }
    for who, allowed in expected.items():
        token = await world.token(who)
        for name, url in urls.items():
            response = await api.get(url, headers={"Authorization": f"Bearer {token}"})
            assert response.status_code == (200 if name in allowed else 404), (who, name)
        listed = (await gql(api, token, "CasePapers", id=str(case_id)))["data"]
        titles = {p["title"] for p in listed["case"]["papers"]} if listed and listed["case"] else set()
        assert titles == {
            p["paper"]["title"]
            for n, p in (("standard", standard), ("restricted", restricted), ("legal", legal))
            if n in allowed
        }, who
    response = await api.get(
        urls["standard"], headers={"Authorization": f"Bearer {await world.token('iro')}"}
    )
    assert response.headers["content-type"] == "application/pdf"
    assert (
        response.headers["content-disposition"]
        == "attachment; filename=\"plan.pdf\"; filename*=UTF-8''plan.pdf"
    )
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["content-security-policy"] == "sandbox; default-src 'none'"
    assert (
        await api.get(
            f"/papers/{uuid.uuid4()}", headers={"Authorization": f"Bearer {await world.token('iro')}"}
        )
    ).status_code == 404
    assert (await api.get(f"/blobs/{hashlib.sha256(files.PDF).hexdigest()}")).status_code == 404
    # The IRO's first opening is the receipt; the withheld paper's P6 does not apply.
    view = (await gql(api, await world.token("solicitor"), "CasePapers", id=str(case_id)))["data"]["case"]
    receipts = {p["title"]: p["versions"][0]["receipts"] for p in view["papers"]}
    assert receipts["Care plan"][0]["firstOpenedAt"] is not None
    assert receipts["Medical"][0]["firstOpenedAt"] is not None
    assert receipts["Withheld"] == []
    obligations = (await gql(api, await world.token("solicitor"), "CaseView", id=str(case_id)))["data"][
        "case"
    ]["obligations"]
    assert sorted(o["state"] for o in obligations if o["code"] == "P6") == ["MET", "MET", "NOT_APPLICABLE"]


async def test_papers_wait_for_an_iro_and_the_checklist_and_confirmation_follow(
    api: httpx.AsyncClient, world: World
) -> None:
    case_id = await world.open_case(iro=None)
    await filed(api, world, case_id, files.PDF, title="Care plan")
    await filed(
        api,
        world,
        case_id,
        files.DOCX,
        name="analysis.docx",
        title="Analysis",
        kind="GUARDIAN_ANALYSIS_INITIAL",
        who="guardian",
        filedByParty="CHILDRENS_GUARDIAN",
    )
    token = await world.token("guardian")
    case = (await gql(api, token, "CasePapers", id=str(case_id)))["data"]["case"]
    checklist = {
        c["label"]: (c["filed"], c["withIro"], c["openedByIro"], c["missing"]) for c in case["paperChecklist"]
    }
    assert checklist == {
        "Care plans": (1, 0, 0, False),
        "Experts' reports": (0, 0, 0, True),
        "The guardian's analysis": (1, 0, 0, False),
        "Orders": (0, 0, 0, True),
        "Judgments": (0, 0, 0, True),
    }
    refused = await gql(api, token, "ConfirmPapersForwarded", input={"caseId": str(case_id)})
    assert refused["data"]["confirmPapersForwarded"]["errors"][0]["code"] == "NOT_ON_CASE"
    await world.assign_iro(case_id, "iro")
    case = (await gql(api, token, "CasePapers", id=str(case_id)))["data"]["case"]
    assert [c["withIro"] for c in case["paperChecklist"]] == [1, 0, 1, 0, 0]
    confirmed = await gql(
        api, token, "ConfirmPapersForwarded", input={"caseId": str(case_id), "note": "All sent."}
    )
    assert confirmed["data"]["confirmPapersForwarded"]["confirmation"]["versionsForwarded"] == 2
    obligations = (await gql(api, token, "CaseView", id=str(case_id)))["data"]["case"]["obligations"]
    assert [o["state"] for o in obligations if o["code"] == "P6"] == ["MET", "MET"]


async def test_a_forwarding_note_is_cleaned_of_control_characters(
    api: httpx.AsyncClient, world: World
) -> None:
    """Found by the fuzzer (tests/api/test_fuzz.py): the note was stored as sent, so a NUL in it was an
    INTERNAL on PostgreSQL (its text cannot hold one). It is free text, cleaned like the rest."""
    case_id = await world.open_case()
    token = await world.token("guardian")
    input = {"caseId": str(case_id), "note": " All\x00 sent.\x1b "}
    payload = (await gql(api, token, "ConfirmPapersForwarded", input=input))["data"]["confirmPapersForwarded"]
    assert (payload["errors"], payload["confirmation"]["note"]) == ([], "All sent.")


async def test_the_sweeper_removes_uploads_never_filed_and_orphaned_blobs(
    api: httpx.AsyncClient, world: World, engine: AsyncEngine, paper_settings: Settings, travel: Any
) -> None:
    case_id = await world.open_case()
    kept = await filed(api, world, case_id, files.PDF)
    response = await upload(api, world, "solicitor", case_id, files.PNG, "never.png")
    assert response.status_code == 201
    store = LocalBlobStore(_blobs(paper_settings))
    writer = await store.writer()
    await writer.write(b"half")
    writer.close()  # a process that died mid-upload
    sessions = create_session_factory(engine)
    async with sessions() as session, session.begin():
        assert await papers.sweep(session, store) == (0, 0)  # too recent to be orphans
    from datetime import UTC, datetime

    travel(datetime.now(UTC) + timedelta(days=2))
    import os
    import time

    for path in _blobs(paper_settings).rglob("*"):
        if path.is_file():
            old = time.time() - 3 * 24 * 3600
            os.utime(path, (old, old))
    async with sessions() as session, session.begin():
        assert await papers.sweep(session, store) == (1, 2)
    assert stored(paper_settings) == ([kept["version"]["sha256"]], [])
    assert await _counts(engine) == (1, 1)


async def test_the_final_care_plan_with_the_iro_meets_p12(api: httpx.AsyncClient, world: World) -> None:
    early = await world.open_case()
    plan = await filed(api, world, early, files.PDF, kind="CARE_PLAN_FINAL", title="Final care plan")
    late = await world.open_case()
    for case_id in (early, late):
        child = (await gql(api, await world.token("solicitor"), "CaseView", id=str(case_id)))["data"]["case"][
            "children"
        ][0]
        made = await gql(
            api,
            await world.token("solicitor"),
            "RecordFinalOrders",
            input={
                "caseId": str(case_id),
                "madeOn": date.today().isoformat(),
                "orders": [{"childId": child["id"], "order": "CARE_ORDER"}],
            },
        )
        assert made["data"]["recordFinalOrders"]["errors"] == []

    async def p12(case_id: uuid.UUID) -> tuple[str, str | None]:
        view = await gql(api, await world.token("guardian"), "CaseView", id=str(case_id))
        [duty] = [o for o in view["data"]["case"]["obligations"] if o["code"] == "P12"]
        return duty["state"], duty["evidenceId"]

    # Filed before the final hearing and already with the IRO: met when the final order opens it.
    assert await p12(early) == ("MET", plan["version"]["id"])
    assert (await p12(late))[0] == "OPEN"
    later = await filed(
        api, world, late, files.PDF + b"%late", kind="CARE_PLAN_FINAL", title="Final care plan"
    )
    assert await p12(late) == ("MET", later["version"]["id"])


async def test_papers_go_through_s3_storage_too(
    paper_settings: Settings, engine: AsyncEngine, world: World
) -> None:
    """Through S3 too, and (issue 13) a refusal after a multipart upload to S3 has begun leaves no object
    and no unfinished upload: a second file in the form, a PDF with JavaScript found once it is whole."""
    from tests.support.s3 import KEY, REGION, SECRET, S3Server

    server = S3Server()
    try:
        s3_settings = paper_settings.model_copy(
            update={
                "blob_backend": "s3",
                "s3_bucket": server.bucket("court-papers"),
                "s3_endpoint_url": server.endpoint,
                "s3_region": REGION,
                "s3_access_key": KEY,
                "s3_secret_key": SECRET,
                "upload_max_bytes": 20 * 1024 * 1024,  # room for more than one S3 part (8 MB)
            }
        )
        app = create_app(s3_settings, engine=engine)
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://portal.test"
        ) as client:
            case_id = await world.open_case()
            big = files.PDF + bytes(range(256)) * 900  # about 230 KB, under the limit
            payload = await filed(client, world, case_id, big)
            response = await client.get(
                payload["version"]["downloadUrl"],
                headers={"Authorization": f"Bearer {await world.token('iro')}"},
            )
            assert response.content == big
            refused = await upload(client, world, "solicitor", case_id, files.EXE, "x.pdf")
            assert refused.status_code == 415
            nine_mb = b"%" + b"0" * (9 * 1024 * 1024) + b"\n"
            two = [
                ("file", ("a.pdf", files.PDF + nine_mb, "application/pdf")),
                ("file", ("b.pdf", files.PDF, "application/pdf")),
            ]
            refused = await post_form(client, world, case_id, files=two)
            assert (refused.status_code, refused.json()["errors"][0]["code"]) == (400, "TOO_MANY_FILES")
            scripted = files.PDF_WITH_JAVASCRIPT + nine_mb
            refused = await upload(client, world, "solicitor", case_id, scripted, "scripted.pdf")
            assert (refused.status_code, refused.json()["errors"][0]["code"]) == (415, "FILE_ACTIVE_CONTENT")
            assert await app.state.blobs.staged() == []
            await app.state.blobs.close()
        assert server.keys("court-papers") == [f"blobs/{hashlib.sha256(big).hexdigest()}"]
    finally:
        server.stop()


async def test_la_legal_sees_every_care_plan_version_and_what_changed(
    api: httpx.AsyncClient, world: World, paper_settings: Settings
) -> None:
    case_id = await world.open_case()
    brief = {
        "placement": "Foster care",
        "permanence": "Return home",
        "familyContact": "Weekly",
        "services": "CAMHS",
    }
    first = await filed(api, world, case_id, files.PDF, planInBrief=brief)
    await filed(
        api,
        world,
        case_id,
        files.PDF + b"%2",
        name="plan-2.pdf",
        paperId=first["paper"]["id"],
        planInBrief={**brief, "placement": "Foster care with the Greens"},
    )
    await filed(
        api,
        world,
        case_id,
        files.PDF + b"%3",
        name="final.pdf",
        kind="CARE_PLAN_FINAL",
        title="Final care plan",
        planInBrief={
            **brief,
            "placement": "Foster care with the Greens",
            "permanence": "Long-term fostering",
        },
    )
    refused = await upload(api, world, "solicitor", case_id, files.PNG, "scan.png")
    payload = await file(
        api, world, "solicitor", refused.json()["uploadId"], kind="JUDGMENT", title="J", planInBrief=brief
    )
    assert payload["errors"][0]["field"] == "planInBrief"
    plans = (await gql(api, await world.token("solicitor"), "CarePlans", id=str(case_id)))["data"]["case"][
        "carePlans"
    ]
    assert [(p["title"], p["version"]["version"], p["isFinal"]) for p in plans] == [
        ("Interim care plan", 1, False),
        ("Interim care plan", 2, False),
        ("Final care plan", 1, True),
    ]
    assert [[(c["key"], c["before"], c["after"]) for c in p["changes"]] for p in plans] == [
        [],
        [("placement", "Foster care", "Foster care with the Greens")],
        [("permanence", "Return home", "Long-term fostering")],
    ]
    outsider = await gql(api, await world.token("other_solicitor"), "CarePlans", id=str(case_id))
    assert outsider["errors"][0]["extensions"]["code"] == "NOT_FOUND"
