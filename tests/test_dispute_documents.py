"""A dispute's documents (issue 17: "evidence, the answer recorded, with documents"): added over the API by
the IRO and by the manager answering the stage the dispute is at, refused for anyone else and for a
resolved dispute with nothing kept, opened by whoever sees the dispute (and by nobody else, as if there
were none), every opening audited; their content kept from the sweep while the dispute holds it, and gone
with the case."""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from models import AuditEvent, AuditOutcome, DisputeDocument, DisputeNote, OutboxMessage
from portal import clock
from portal.app import create_app
from portal.auth.tokens import create_token
from portal.db import create_session_factory
from portal.disputes import service as dispute_service
from portal.papers import service as papers
from portal.retention import repository as retention
from portal.settings import Settings
from portal.storage.local import LocalBlobStore
from tests.support import files
from tests.support.graphql import gql
from tests.support.world import World

LIMIT = 256 * 1024


@pytest.fixture
def document_settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"upload_max_bytes": LIMIT})


@pytest.fixture
async def api(document_settings: Settings, engine: AsyncEngine) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(document_settings, engine=engine)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://portal.test"
    ) as client:
        yield client


def _blobs(settings: Settings) -> list[str]:
    assert settings.blob_dir is not None
    return sorted(p.name for p in (settings.blob_dir / "blobs").glob("*/*/*"))


async def raised_dispute(api: httpx.AsyncClient, world: World, *, formal: bool = True) -> tuple[object, str]:
    """A case and a dispute the IRO raised on it, at stage 1 answered by the team manager if ``formal``."""
    case_id = await world.open_case()
    iro = await world.token("iro")
    challenge = {
        "caseId": str(case_id),
        "subject": "CARE_PLAN",
        "summary": "The plan drops sibling contact.",
        "raisedWith": "The team manager",
        "resolutionSought": "Monthly sibling contact.",
        "soughtBy": clock.today().isoformat(),
    }
    dispute = (await gql(api, iro, "RaiseChallenge", input=challenge))["data"]["raiseChallenge"]["dispute"]
    if formal:
        escalate = {"disputeId": dispute["id"], "answererId": str(world.id("team_manager")), "reason": "No"}
        assert (await gql(api, iro, "EscalateDispute", input=escalate))["data"]["escalateDispute"][
            "errors"
        ] == []
    return case_id, dispute["id"]


async def add(
    api: httpx.AsyncClient,
    world: World,
    who: str,
    dispute_id: str,
    content: bytes,
    name: str = "letter.pdf",
    description: str = "The team manager's letter",
) -> httpx.Response:
    return await api.post(
        f"/disputes/{dispute_id}/documents/uploads",
        content=content,
        headers={
            "Authorization": f"Bearer {await world.token(who)}",
            "X-Filename": quote(name),
            "X-Description": quote(description),
        },
    )


async def _kept(engine: AsyncEngine) -> int:
    async with AsyncSession(engine) as session:
        return len((await session.scalars(sa.select(DisputeDocument))).all())


def _codes(response: httpx.Response) -> tuple[int, list[tuple[str, str | None]]]:
    return response.status_code, [(e["code"], e["field"]) for e in response.json()["errors"]]


async def test_the_iro_and_the_manager_answering_add_documents_that_whoever_sees_the_dispute_opens(
    api: httpx.AsyncClient, world: World, engine: AsyncEngine, document_settings: Settings
) -> None:
    _, dispute_id = await raised_dispute(api, world)
    added = await add(api, world, "iro", dispute_id, files.PDF, "minutes é.pdf", "Minutes of the meeting")
    assert added.status_code == 201, added.text
    body = added.json()
    assert (body["stage"], body["description"], body["filename"], body["contentType"]) == (
        1,
        "Minutes of the meeting",
        "minutes é.pdf",
        "application/pdf",
    )
    assert body["sha256"] == hashlib.sha256(files.PDF).hexdigest()
    # The manager named to answer stage 1 adds their answer in writing, as a multipart form.
    answer = await api.post(
        f"/disputes/{dispute_id}/documents/uploads",
        headers={"Authorization": f"Bearer {await world.token('team_manager')}"},
        data={"description": "My answer, in writing"},
        files={"file": ("answer.png", files.PNG, "image/png")},
    )
    assert answer.status_code == 201, answer.text

    shown = (await gql(api, await world.token("iro"), "Dispute", id=dispute_id))["data"]["dispute"]
    assert [(d["description"], d["stage"], d["addedBy"]["id"]) for d in shown["documents"]] == [
        ("Minutes of the meeting", 1, str(world.id("iro"))),
        ("My answer, in writing", 1, str(world.id("team_manager"))),
    ]
    assert shown["viewerCan"]["addDocument"] is True
    assert [n["kind"] for n in shown["notes"]][-2:] == ["document", "document"]
    # The IRO is told, by a link alone, of the manager's document; not of their own.
    async with AsyncSession(engine) as session:
        told = (
            await session.scalars(sa.select(OutboxMessage).where(OutboxMessage.kind == "dispute.document"))
        ).all()
    assert [m.person_id for m in told] == [world.id("iro")]
    assert "sibling" not in told[0].body
    assert "writing" not in told[0].body
    assert told[0].link_path == f"/disputes/{dispute_id}"

    url = shown["documents"][1]["downloadUrl"]
    for who in ("iro", "team_manager", "iro_manager"):
        opened = await api.get(url, headers={"Authorization": f"Bearer {await world.token(who)}"})
        assert (opened.status_code, opened.content) == (200, files.PNG), who
        assert opened.headers["content-type"] == "image/png"
        assert opened.headers["x-content-type-options"] == "nosniff"
        assert opened.headers["content-security-policy"] == "sandbox; default-src 'none'"
        assert "attachment" in opened.headers["content-disposition"]
    # Anyone who does not see the dispute finds no document, as if there were none; the refusal is audited.
    for who in ("guardian", "solicitor", "social_worker", "other_iro", "other_la_manager"):
        refused = await api.get(url, headers={"Authorization": f"Bearer {await world.token(who)}"})
        assert refused.status_code == 404, who
    assert (await api.get("/dispute-documents/not-an-id")).status_code == 404
    assert (await api.get(url)).status_code in {302, 303}  # a browser without a session signs in first
    assert (await api.get(url, headers={"Authorization": "Bearer nonsense"})).status_code == 401
    async with AsyncSession(engine) as session:
        events = (
            await session.execute(
                sa.select(AuditEvent.action, AuditEvent.outcome, AuditEvent.person_id).where(
                    AuditEvent.action.in_(
                        ["dispute.document.read", "dispute.document.add", "refused:dispute:read"]
                    )
                )
            )
        ).all()
    reads = sorted(str(a) for action, outcome, a in events if action == "dispute.document.read")
    assert reads == sorted(str(world.id(w)) for w in ("iro", "team_manager", "iro_manager"))
    assert len([e for e in events if e[0] == "dispute.document.add"]) == 2
    assert len([e for e in events if e[1] is AuditOutcome.REFUSED]) == 5
    assert _blobs(document_settings) == sorted(
        {hashlib.sha256(files.PDF).hexdigest(), hashlib.sha256(files.PNG).hexdigest()}
    )


async def test_who_may_not_add_and_what_is_refused_keep_nothing(
    api: httpx.AsyncClient, world: World, engine: AsyncEngine, document_settings: Settings
) -> None:
    _, dispute_id = await raised_dispute(api, world)
    # Those who do not see the dispute: not found, before the body is read.
    for who in ("guardian", "solicitor", "other_iro", "other_la_manager"):
        assert _codes(await add(api, world, who, dispute_id, files.PDF)) == (404, [("NOT_FOUND", None)]), who
    # The IRO manager sees it, but does not act on it.
    assert _codes(await add(api, world, "iro_manager", dispute_id, files.PDF)) == (
        400,
        [("NOT_PERMITTED", "id")],
    )
    # What the document is, said before a byte is kept; a file that is not what its name says.
    assert _codes(await add(api, world, "iro", dispute_id, files.PDF, description=" ")) == (
        400,
        [("REQUIRED", "description")],
    )
    assert _codes(await add(api, world, "iro", dispute_id, files.PDF, description="x" * 301)) == (
        400,
        [("TOO_LONG", "description")],
    )
    assert _codes(await add(api, world, "iro", dispute_id, files.PNG, name="letter.pdf")) == (
        415,
        [("FILE_TYPE_MISMATCH", "file")],
    )
    assert _codes(await add(api, world, "iro", dispute_id, b"x" * (LIMIT + 1))) == (
        413,
        [("FILE_TOO_LARGE", "file")],
    )
    assert (await add(api, world, "iro", "not-an-id", files.PDF)).status_code == 404
    no_token = await api.post(f"/disputes/{dispute_id}/documents/uploads", content=files.PDF)
    assert no_token.status_code == 401
    assert await _kept(engine) == 0
    assert _blobs(document_settings) == []

    # Escalated past stage 1: the team manager no longer answers it, so adds nothing.
    iro = await world.token("iro")
    escalate = {
        "disputeId": dispute_id,
        "answererId": str(world.id("head_of_service")),
        "reason": "Unanswered",
    }
    escalated = (await gql(api, iro, "EscalateDispute", input=escalate))["data"]["escalateDispute"]
    assert escalated["errors"] == []
    assert _codes(await add(api, world, "team_manager", dispute_id, files.PDF)) == (
        400,
        [("NOT_PERMITTED", "id")],
    )
    assert (await add(api, world, "head_of_service", dispute_id, files.PDF)).status_code == 201
    # Resolved: nobody adds to it any more.
    resolved = await gql(api, iro, "ResolveDispute", input={"disputeId": dispute_id, "resolution": "Agreed"})
    assert resolved["data"]["resolveDispute"]["errors"] == []
    assert _codes(await add(api, world, "iro", dispute_id, files.PNG, name="late.png")) == (
        400,
        [("ALREADY_CLOSED", "id")],
    )
    assert await _kept(engine) == 1
    shown = (await gql(api, iro, "Dispute", id=dispute_id))["data"]["dispute"]
    assert shown["viewerCan"]["addDocument"] is False
    assert [d["stage"] for d in shown["documents"]] == [2]


async def test_the_guardian_once_told_opens_the_documents(api: httpx.AsyncClient, world: World) -> None:
    _, dispute_id = await raised_dispute(api, world, formal=False)
    added = await add(api, world, "iro", dispute_id, files.PDF, description="The social worker's email")
    assert (added.status_code, added.json()["stage"]) == (201, 0)  # informal
    url = f"/dispute-documents/{added.json()['documentId']}"
    guardian = {"Authorization": f"Bearer {await world.token('guardian')}"}
    assert (await api.get(url, headers=guardian)).status_code == 404
    told = await gql(api, await world.token("iro"), "TellGuardianOfDispute", input={"disputeId": dispute_id})
    assert told["data"]["tellGuardianOfDispute"]["errors"] == []
    assert (await api.get(url, headers=guardian)).content == files.PDF
    # Who sees the dispute is not who adds to it.
    assert _codes(await add(api, world, "guardian", dispute_id, files.PDF)) == (
        400,
        [("NOT_PERMITTED", "id")],
    )


async def test_a_document_is_kept_from_the_sweep_and_goes_with_its_case(
    api: httpx.AsyncClient, world: World, engine: AsyncEngine, document_settings: Settings, travel: Any
) -> None:
    case_id, dispute_id = await raised_dispute(api, world)
    assert (await add(api, world, "iro", dispute_id, files.PDF)).status_code == 201
    assert document_settings.blob_dir is not None
    store = LocalBlobStore(document_settings.blob_dir)
    sessions = create_session_factory(engine)
    travel(datetime.now(UTC) + timedelta(days=2))
    _age(document_settings.blob_dir)
    async with sessions() as session, session.begin():
        assert await papers.sweep(session, store) == (0, 0)
    assert _blobs(document_settings) == [hashlib.sha256(files.PDF).hexdigest()]

    async with sessions() as session, session.begin():
        await retention.delete_case(session, case_id)  # as retention does, when its time comes
    assert await _kept(engine) == 0
    async with AsyncSession(engine) as session:
        assert (await session.scalars(sa.select(DisputeNote))).all() == []
    _age(document_settings.blob_dir)
    async with sessions() as session, session.begin():
        assert await papers.sweep(session, store) == (0, 1)
    assert _blobs(document_settings) == []


def _age(root: Path) -> None:
    """Every blob made three days old, as if the sweep ran later."""
    old = time.time() - 3 * 24 * 3600
    for path in root.rglob("*"):
        if path.is_file():
            os.utime(path, (old, old))


async def test_a_token_that_only_reads_disputes_adds_no_document(
    api: httpx.AsyncClient, world: World, engine: AsyncEngine
) -> None:
    """Token scopes hold here too: adding is the IRO's managing of the dispute (dispute:raise), or the
    manager's answering (dispute:answer); reading it opens its documents."""
    _, dispute_id = await raised_dispute(api, world)
    added = await add(api, world, "iro", dispute_id, files.PDF)
    async with create_session_factory(engine)() as session, session.begin():
        scopes = ["case:read", "dispute:read"]
        _, reader = await create_token(session, None, world.id("iro"), label="read", scopes=scopes)
    refused = await api.post(
        f"/disputes/{dispute_id}/documents/uploads",
        content=files.PDF,
        headers={"Authorization": f"Bearer {reader}", "X-Filename": "a.pdf", "X-Description": "A"},
    )
    assert _codes(refused) == (400, [("NOT_PERMITTED", "id")])
    opened = await api.get(
        f"/dispute-documents/{added.json()['documentId']}", headers={"Authorization": f"Bearer {reader}"}
    )
    assert (opened.status_code, opened.content) == (200, files.PDF)
    assert await _kept(engine) == 1


async def test_a_dispute_holds_a_bounded_number_of_documents(
    api: httpx.AsyncClient, world: World, engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(dispute_service, "DOCUMENTS_MAX", 1)
    _, dispute_id = await raised_dispute(api, world)
    assert (await add(api, world, "iro", dispute_id, files.PDF)).status_code == 201
    refused = await add(api, world, "iro", dispute_id, files.PNG, name="more.png")
    assert _codes(refused) == (400, [("OUT_OF_RANGE", "file")])
    assert refused.json()["errors"][0]["message"] == "A dispute may hold at most 1 documents"
    assert await _kept(engine) == 1
