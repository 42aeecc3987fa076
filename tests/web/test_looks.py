"""Every look at a child's record is on that record: each case a response carries gets its own audit event,
with the case and the kind of look (a view, a list, a task list, a drill-down, an export of a kind, a paper
download), all written in one statement before the response leaves; a look whose record cannot be written
leaves with no data, and one that returns data despite an error is still recorded."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from portal.audit import repository as audit_repository
from portal.contacts import repository as contacts
from tests.support.browsing import sign_in_as
from tests.support.graphql import gql, log_contact
from tests.support.queries import QueryCounter, audit_events, audit_mark
from tests.support.world import World


def _looks(events: list[Any], person_id: uuid.UUID) -> list[tuple[str, uuid.UUID | None]]:
    """The (kind, case) of the person's looks at cases, in order."""
    return [
        (e.action, e.case_id) for e in events if e.person_id == person_id and e.action.startswith("case.")
    ]


async def _post(client: httpx.AsyncClient, token: str, query: str, **variables: Any) -> httpx.Response:
    return await client.post(
        "/graphql",
        json={"query": query, "variables": variables},
        headers={"Authorization": f"Bearer {token}"},
    )


async def test_a_list_records_a_look_at_each_case_in_one_statement(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine, count_queries: QueryCounter
) -> None:
    cases = {await world.open_case() for _ in range(6)}
    token = await world.token("guardian")
    await gql(client, token, "Me")  # the token's use is stamped: not part of what is counted below
    mark = await audit_mark(engine)
    with count_queries() as statements:
        body = await gql(client, token, "MyCases", first=100)
    assert {uuid.UUID(c["id"]) for c in body["data"]["cases"]["nodes"]} == cases
    inserts = [s for s in statements if s.startswith("INSERT INTO audit_event")]
    assert len(inserts) == 1
    events = await audit_events(engine, mark)
    assert sorted(_looks(events, world.id("guardian")), key=str) == sorted(
        (("case.list", case) for case in cases), key=str
    )
    assert {e.acting_as for e in events if e.action == "case.list"} == {"guardian"}


async def test_a_look_is_recorded_when_the_request_fails_part_way(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine
) -> None:
    """A manager's query with a broken cursor on the access log beside the ledger: the ledger comes back,
    the error is the caller's (INVALID_VALUE, not INTERNAL), and the look at the case is recorded."""
    case_id = await world.open_case()
    await log_contact(client, world, "guardian", "iro", case_id)
    token = await world.token("cafcass_manager")
    mark = await audit_mark(engine)
    query = """query($id: ID!) { case(id: $id) {
        contacts { summary } accessLog(after: "99999999999999999999999") { nodes { action } } } }"""
    response = await _post(client, token, query, id=str(case_id))
    body = response.json()
    assert body["data"]["case"]["contacts"][0]["summary"]
    assert [e["extensions"]["code"] for e in body["errors"]] == ["INVALID_VALUE"]
    events = await audit_events(engine, mark)
    assert _looks(events, world.id("cafcass_manager")) == [("case.view", case_id)]
    assert "token.use" in {e.action for e in events}


async def test_a_look_is_recorded_when_a_sibling_fails_unexpectedly(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An unexpected failure rolls the request's work back; what it showed is still on the record."""
    case_id = await world.open_case()

    async def broken(*_args: object, **_kwargs: object) -> dict[object, object]:
        raise RuntimeError("the ledger's table is unreadable")

    monkeypatch.setattr(contacts, "contacts_by_case", broken)
    token = await world.token("iro")
    mark = await audit_mark(engine)
    response = await _post(
        client,
        token,
        "query($id: ID!) { case(id: $id) { caseNumber contacts { summary } } }",
        id=str(case_id),
    )
    body = response.json()
    assert body["data"] is None or body["data"]["case"] is None or body["data"]["case"]["caseNumber"]
    assert [e["extensions"]["code"] for e in body["errors"]] == ["INTERNAL"]
    assert _looks(await audit_events(engine, mark), world.id("iro")) == [("case.view", case_id)]


async def test_no_data_leaves_without_its_look_on_the_record(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    case_id = await world.open_case()
    token = await world.token("guardian")

    def unwritable(*_args: object, **_kwargs: object) -> None:
        raise OSError("the disk is full")

    monkeypatch.setattr(audit_repository, "insert_events", unwritable)
    query = "query($id: ID!) { case(id: $id) { caseNumber children { givenName } } }"
    response = await _post(client, token, query, id=str(case_id))
    assert response.status_code == 503
    assert response.headers["retry-after"]
    body = response.json()
    assert "data" not in body
    assert [e["extensions"]["code"] for e in body["errors"]] == ["UNAVAILABLE"]
    assert "Amy" not in response.text


def _export_links(page: str) -> Iterator[str]:
    yield from re.findall(r'href="(/cases/[^"]+/children/[^"]+/file\.(?:pdf|json))"', page)


async def test_exports_and_downloads_are_recorded_as_their_kind(
    web: httpx.AsyncClient, client: httpx.AsyncClient, world: World, engine: AsyncEngine
) -> None:
    from tests.support import files
    from tests.test_papers import filed

    case_id = await world.open_case()
    paper = await filed(client, world, case_id, files.PDF, title="Position statement")
    await sign_in_as(web, world.id("iro"))
    page = (await web.get(f"/cases/{case_id}")).text
    links = sorted(_export_links(page))
    assert [link.rsplit(".", 1)[1] for link in links] == ["json", "pdf"]
    mark = await audit_mark(engine)
    for link in links:
        assert (await web.get(link)).status_code == 200
    assert (await web.get(f"/papers/{paper['version']['id']}")).status_code == 200
    events = await audit_events(engine, mark)
    iro = world.id("iro")
    assert [e for e in _looks(events, iro) if e[0].startswith("case.export")] == [
        ("case.export.child_file.json", case_id),
        ("case.export.child_file.pdf", case_id),
    ]
    assert [(e.action, e.case_id) for e in events if e.person_id == iro and e.action == "paper.read"] == [
        ("paper.read", case_id)
    ]
    # The guardian may read the case but not export the child's file: refused before anything is read.
    await sign_in_as(web, world.id("guardian"))
    mark = await audit_mark(engine)
    assert (await web.get(links[0])).status_code == 404
    events = await audit_events(engine, mark)
    guardian = world.id("guardian")
    assert _looks(events, guardian) == []
    assert [(e.action, e.outcome.value) for e in events if e.person_id == guardian] == [
        ("refused:child-file:export", "refused")
    ]
