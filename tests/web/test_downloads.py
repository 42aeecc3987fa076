"""What the portal lets browsers and proxies keep, and what it calls what they download (issue 13): every
page, export and API answer that carries case data says ``Cache-Control: no-store``; every download is named
by one function, per RFC 6266 and RFC 5987, whatever the case number holds."""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import unquote, urljoin, urlsplit

import httpx
import pytest

from portal.web.headers import attachment
from tests.support import files
from tests.support.browsing import sign_in_as
from tests.support.graphql import gql
from tests.support.world import World
from tests.test_handover import ANSWERS
from tests.test_papers import filed

# A case number as a careless or hostile client might give one: a quote and a parameter of its own, a
# semicolon, a line break, a backslash, characters outside Latin-1, an emoji (kept upper-cased).
HOSTILE = "RV\"; FILENAME*=UTF-8''X.EXE;\n\\ŁÓDŹ 🚀"
DISPOSITION = re.compile(
    r"attachment; filename=\"([A-Za-z0-9 ._()+,=@~-]+)\"; filename\*=UTF-8''([A-Za-z0-9!#$&+.^_`|~%-]+)"
)


def named(response: httpx.Response) -> str:
    """The name a download is saved under, after checking its header has exactly the two parameters."""
    header = response.headers["content-disposition"]
    found = DISPOSITION.fullmatch(header)
    assert found, header
    return unquote(found.group(2), errors="strict")


@pytest.mark.parametrize(
    ("name", "plain"),
    [
        ("plan.pdf", "plan.pdf"),
        ('a"b;c\\d.pdf', "a_b_c_d.pdf"),
        ("line\r\nbreak.pdf", "line__break.pdf"),
        ("Analysis – café.docx", "Analysis _ cafe.docx"),
        ("ŁÓDŹ 🚀.pdf", "_ODZ _.pdf"),
        ("%41.pdf", "_41.pdf"),
        ("", "download"),
    ],
)
def test_any_name_makes_a_well_formed_attachment(name: str, plain: str) -> None:
    """Issue 13: the header is ASCII with exactly two parameters; the plain name keeps only safe characters
    and the encoded one is the name itself (control characters and folder separators made "_")."""
    response = httpx.Response(200, headers={"Content-Disposition": attachment(name)})
    assert response.headers["content-disposition"].startswith(f'attachment; filename="{plain}";')
    expected = re.sub(r"[\x00-\x1f/\\]", "_", name) or "download"
    assert named(response) == expected


async def ended_with_a_handover(
    client: httpx.AsyncClient, world: World, case_number: str | None = None
) -> str:
    """A case whose final order is made, with its final care plan filed and its handover submitted."""
    case_id = str(await world.open_case(case_number=case_number))
    solicitor, guardian = await world.token("solicitor"), await world.token("guardian")
    view = (await gql(client, solicitor, "CaseView", id=case_id))["data"]["case"]
    made = await gql(
        client,
        solicitor,
        "RecordFinalOrders",
        input={
            "caseId": case_id,
            "madeOn": date.today().isoformat(),
            "orders": [{"childId": view["children"][0]["id"], "order": "PLACEMENT_ORDER"}],
        },
    )
    assert made["data"]["recordFinalOrders"]["errors"] == []
    await filed(client, world, case_id, files.PDF, kind="CARE_PLAN_FINAL", title="Final care plan")
    draft = (await gql(client, guardian, "StartHandover", input={"caseId": case_id}))["data"][
        "startHandover"
    ]["handover"]
    saved = await gql(
        client, guardian, "SaveHandover", input={"id": draft["id"], "revision": 1, "answers": ANSWERS}
    )
    revision = saved["data"]["saveHandover"]["handover"]["revision"]
    submitted = await gql(client, guardian, "SubmitHandover", input={"id": draft["id"], "revision": revision})
    assert submitted["data"]["submitHandover"]["errors"] == []
    return case_id


async def test_a_hostile_case_number_downloads_cleanly(
    web: httpx.AsyncClient, client: httpx.AsyncClient, world: World
) -> None:
    """Issue 13: with a case number holding quotes, a semicolon, a line break and characters outside
    Latin-1, the handover PDF and the child's file (JSON and PDF) download with one well-formed name each:
    no 500, no second filename parameter."""
    case_id = await ended_with_a_handover(client, world, HOSTILE)
    view = (await gql(client, await world.token("iro"), "CaseHandover", id=case_id))["data"]["case"]
    case_number, handover_id = view["caseNumber"], view["handovers"][0]["id"]
    assert {"\n", '"', ";", "Ł", "🚀"} <= set(case_number)
    await sign_in_as(web, world.id("iro"))
    safe = case_number.replace("\n", "_").replace("\\", "_")
    handover = await web.get(f"/cases/{case_id}/handover/{handover_id}.pdf")
    assert handover.status_code == 200
    assert named(handover) == f"handover-{safe}-v1.pdf"
    page = (await web.get(f"/cases/{case_id}")).text
    link = re.search(r'href="(/cases/[^"]+/children/([^"/]+)/file)\.pdf"', page)
    assert link
    for extension in ("json", "pdf"):
        export = await web.get(f"{link.group(1)}.{extension}")
        assert export.status_code == 200
        assert named(export) == f"child-file-{safe}-{link.group(2)[:8]}.{extension}"
        assert export.headers["cache-control"] == "no-store"


async def test_nothing_with_case_data_may_be_kept(
    web: httpx.AsyncClient, client: httpx.AsyncClient, world: World
) -> None:
    """Issue 13: every page a signed-in person can reach by following links from their home page (the case,
    its papers, the handover, the records, the dashboards, the task list), every download and export among
    them, and the API's answers say ``Cache-Control: no-store``; the static assets may be cached."""
    case_id = await ended_with_a_handover(client, world)
    paper = await filed(client, world, case_id, files.PDF + b"%2", title="Care plan")
    visited: dict[str, httpx.Response] = {}
    for who in ("solicitor", "guardian", "iro", "iro_manager", "cafcass_manager"):
        await sign_in_as(web, world.id(who))
        queue = ["/", "/cases", "/tasks", "/dashboard", f"/cases/{case_id}", f"/cases/{case_id}/papers"]
        seen: set[str] = set()
        while queue and len(seen) < 60:
            path = queue.pop(0)
            if path in seen or path.startswith(("/static/", "/sign-out")):
                continue
            seen.add(path)
            response = await web.get(path)
            visited[f"{who} {path}"] = response
            if response.headers.get("content-type", "").startswith("text/html"):
                for href in re.findall(r'href="([^"#]+)', response.text):
                    target = urlsplit(urljoin(f"http://portal.test{path}", href.replace("&amp;", "&")))
                    if target.netloc == "portal.test":
                        queue.append(target.path + (f"?{target.query}" if target.query else ""))
    kept = {
        where: r.headers.get("cache-control")
        for where, r in visited.items()
        if "no-store" not in r.headers.get("cache-control", "").replace(" ", "").split(",")
    }
    assert kept == {}
    paths = {where.split(" ", 1)[1] for where in visited}
    for expected in (
        f"/cases/{case_id}",
        f"/cases/{case_id}/papers",
        f"/cases/{case_id}/handover",
        paper["version"]["downloadUrl"],
        "/dashboard",
        "/tasks",
    ):
        assert expected in paths, expected
    assert any(urlsplit(p).path.endswith(".csv") for p in paths)
    assert any("/children/" in p and p.endswith(".pdf") for p in paths)
    api = await client.post(
        "/graphql",
        json={"query": "{ viewer { name } }"},
        headers={"Authorization": f"Bearer {await world.token('iro')}"},
    )
    assert api.headers["cache-control"] == "no-store"
    refused = await client.post(f"/cases/{case_id}/papers/uploads", content=b"x")
    assert (refused.status_code, refused.headers["cache-control"]) == (401, "no-store")
    asset = re.search(r'(/static/[^"]+\.css)', (await web.get("/cases")).text)
    assert asset
    assert "cache-control" not in (await web.get(asset.group(1))).headers
