"""Court papers (P6): the streaming upload refuses what it must with nothing stored, filing shares with the
IRO and opens and meets P6, versions never overwrite, downloads are for those the paper's level admits,
receipts and the checklist show what the IRO has, and the sweeper removes what was never filed."""

from __future__ import annotations

import hashlib
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
    """The committed blobs and the half-written ones."""
    root = _blobs(settings)
    return (
        sorted(p.name for p in (root / "blobs").glob("*/*/*")),
        sorted(p.name for p in (root / "tmp").glob("*")),
    )


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
    assert response.headers["content-disposition"] == "attachment; filename*=UTF-8''plan.pdf"
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
