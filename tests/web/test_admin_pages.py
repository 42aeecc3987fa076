"""The administrators' pages (organisations, people and roles) and everyone's API-token pages, used without
JavaScript as a browser would: every problem at once, least privilege (the same 404 as a missing page for
anyone else), the audit trail, and a token's secret shown once and working as a bearer token."""

from __future__ import annotations

import re
import uuid
from urllib.parse import parse_qsl

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from models import OrganisationKind, PersonIdentity, Role
from portal.access.policy import Permission
from portal.app import create_app
from portal.auth.actor import Actor
from portal.settings import OidcProvider, Settings
from portal.web.admin_pages import SCOPES, admin_nav
from tests.support.browsing import csrf_from, csrf_of, sign_in_as
from tests.support.graphql import gql
from tests.support.queries import audit_mark, audit_since
from tests.support.world import World


async def _form(web: httpx.AsyncClient, url: str) -> str:
    page = await web.get(url)
    assert page.status_code == 200, url
    return page.text


async def _post(
    web: httpx.AsyncClient, form_url: str, action: str, data: dict[str, object]
) -> httpx.Response:
    csrf = csrf_from(await _form(web, form_url))
    return await web.post(action, data={"csrf_token": csrf, **data})


def _checkbox_values(page: str, name: str) -> list[str]:
    return re.findall(rf'name="{name}" type="checkbox" value="([^"]+)"', page)


async def _missing_page(web: httpx.AsyncClient) -> str:
    missing = await web.get(f"/no-such-page-{uuid.uuid4()}")
    assert missing.status_code == 404
    return missing.text


# --- People and roles ----------------------------------------------------------------------------------


async def test_an_administrator_adds_a_person_with_roles_listing_every_problem_at_once(
    web: httpx.AsyncClient, world: World
) -> None:
    await sign_in_as(web, world.id("admin"))
    riverside = str(world.orgs["riverside"].id)
    # An administrator has one organisation: the organisations page takes them straight to its people.
    organisations = await web.get("/admin/organisations")
    assert organisations.status_code == 303
    assert organisations.headers["location"] == f"/admin/people?organisation={riverside}"
    people = await _form(web, "/admin/people")
    assert "Ivan Reviewer" in people
    assert "Riverside City Council" in people
    assert "Gina Guardian" not in people  # Cafcass's people are not Riverside's
    form = await _form(web, "/admin/people/new")
    # A local authority's roles only: no guardian or Cafcass manager, and no national administrator.
    assert _checkbox_values(form, "roles") == [
        "IRO",
        "IRO_MANAGER",
        "LA_SOLICITOR",
        "SOCIAL_WORKER",
        "LA_MANAGER",
        "ADMIN",
    ]

    refused = await _post(
        web, "/admin/people/new", "/admin/people/new", {"organisation": riverside, "email": "x"}
    )
    assert refused.status_code == 400
    summary = refused.text.split("govuk-error-summary__list")[1].split("</ul>")[0]
    for message in ("Enter the person", "Enter an email address like", "Give the person at least one role"):
        assert message in summary
    # A role the organisation cannot have is refused by the service, with the rest.
    wrong = await _post(
        web,
        "/admin/people/new",
        "/admin/people/new",
        {"organisation": riverside, "name": "", "email": "iro@riverside.example.gov.uk", "roles": "GUARDIAN"},
    )
    assert wrong.status_code == 400
    for message in (
        "Enter the person",
        "belongs to someone already",
        "Choose only roles that someone at Riverside City Council (Local authority) can have",
    ):
        assert message in wrong.text

    added = await _post(
        web,
        "/admin/people/new",
        "/admin/people/new",
        {
            "organisation": riverside,
            "name": "Rita Reviewer",
            "email": "Rita.Reviewer@riverside.example.gov.uk",
            "roles": ["IRO", "IRO_MANAGER"],
        },
    )
    assert added.status_code == 303
    assert added.headers["location"] == f"/admin/people?organisation={riverside}&done=added"
    listed = (await web.get(added.headers["location"])).text
    assert "The person is added." in listed
    row = listed.split("Rita Reviewer")[1].split("</tr>")[0]
    assert "rita.reviewer@riverside.example.gov.uk" in row
    assert "IRO<br>IRO manager" in row
    assert "Active" in row


async def test_an_administrator_changes_roles_and_ends_and_restores_access(
    web: httpx.AsyncClient, world: World
) -> None:
    await sign_in_as(web, world.id("admin"))
    riverside = str(world.orgs["riverside"].id)
    page = f"/admin/people/{world.id('iro2')}?organisation={riverside}"
    form = await _form(web, page)
    assert 'value="Iris Second"' in form
    assert 'value="IRO" checked' in form
    # Taking every role away is refused (end their access instead), with the other problems.
    refused = await _post(
        web,
        page,
        f"/admin/people/{world.id('iro2')}",
        {"organisation": riverside, "name": " ", "email": "no"},
    )
    assert refused.status_code == 400
    for message in ("Give the person at least one role", "Enter the person", "Enter an email address like"):
        assert message in refused.text
    saved = await _post(
        web,
        page,
        f"/admin/people/{world.id('iro2')}",
        {
            "organisation": riverside,
            "name": "Iris Second",
            "email": "iro2@riverside.example.gov.uk",
            "roles": ["IRO", "IRO_MANAGER"],
        },
    )
    assert saved.status_code == 303
    assert "The changes are saved." in (await web.get(saved.headers["location"])).text
    assert 'value="IRO_MANAGER" checked' in (await _form(web, page))

    # Ending access asks first; then they can no longer sign in; restoring needs no confirmation.
    confirm = await _form(web, f"/admin/people/{world.id('iro2')}/end-access?organisation={riverside}")
    assert "End Iris Second's access?" in confirm
    ended = await web.post(
        f"/admin/people/{world.id('iro2')}/end-access",
        data={"csrf_token": csrf_from(confirm), "organisation": riverside},
    )
    assert ended.status_code == 303
    listed = (await web.get(ended.headers["location"])).text
    assert "Their access has ended." in listed
    assert "Access ended" in listed.split("Iris Second")[1].split("</tr>")[0]
    restored = await _post(
        web, page, f"/admin/people/{world.id('iro2')}/restore-access", {"organisation": riverside}
    )
    assert restored.status_code == 303
    assert (
        "Active"
        in (await web.get(restored.headers["location"])).text.split("Iris Second")[1].split("</tr>")[0]
    )
    # Nobody ends their own access.
    own = await web.get(f"/admin/people/{world.id('admin')}/end-access")
    assert own.status_code == 404


async def test_an_administrator_removing_their_own_administrator_role_is_asked_first(
    web: httpx.AsyncClient, world: World
) -> None:
    await sign_in_as(web, world.id("admin"))
    page = f"/admin/people/{world.id('admin')}"
    fields = {"name": "Ada Admin", "email": "admin@riverside.example.gov.uk", "roles": "IRO"}
    asked = await _post(web, page, page, fields)
    assert asked.status_code == 200
    assert "Stop being an administrator?" in asked.text
    # Nothing changed yet.
    assert 'value="ADMIN" checked' in await _form(web, page)
    done = await web.post(page, data={"csrf_token": csrf_from(asked.text), **fields, "confirmed": "yes"})
    assert done.status_code == 303
    assert (await web.get(page)).status_code == 404  # no longer an administrator


ENTRA = OidcProvider(
    name="riverside",
    label="Riverside City Council",
    issuer="https://login.example.com/riverside/v2.0",
    client_id="portal",
    client_secret="secret",
    subject_claims=["tid", "oid"],
)


async def test_an_administrator_names_a_persons_sign_in_account(
    settings: Settings, engine: AsyncEngine, world: World
) -> None:
    """An account at a sign-in service that does not confirm email addresses (Entra ID) is named when the
    person is added; a malformed one is reported with every other problem."""
    app = create_app(
        settings.model_copy(update={"demo_sign_in": True, "oidc_providers": [ENTRA]}), engine=engine
    )
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://portal.test"
    ) as web:
        await sign_in_as(web, world.id("admin"))
        form = await _form(web, "/admin/people/new")
        assert "Link their account at a sign-in service" in form
        assert "the values of tid, oid, separated by /" in form
        fields = {"organisation": str(world.orgs["riverside"].id), "invitedProvider": "riverside"}
        refused = await web.post(
            "/admin/people/new",
            data={"csrf_token": csrf_from(form), **fields, "name": "", "invitedSubject": "just-one-part"},
        )
        assert refused.status_code == 400
        for message in ("Enter the person", "Enter their work email address", "Enter the account"):
            assert message in refused.text
        added = await web.post(
            "/admin/people/new",
            data={
                "csrf_token": csrf_from(form),
                **fields,
                "name": "Eve Entra",
                "email": "eve@riverside.example.gov.uk",
                "roles": "IRO",
                "invitedSubject": "72f988bf-86f1-41af-91ab-2d7cd011db47/7a9f2c1e-0b4d-4c8e-9f51-3e2d6a8b1c40",
            },
        )
        assert added.status_code == 303
    async with AsyncSession(engine) as session:
        [identity] = (await session.execute(sa.select(PersonIdentity))).scalars()
    assert identity.subject == "72f988bf-86f1-41af-91ab-2d7cd011db47/7a9f2c1e-0b4d-4c8e-9f51-3e2d6a8b1c40"
    assert identity.issuer == ENTRA.issuer


async def test_a_national_administrator_keeping_only_the_administrator_role_is_asked_first(
    web: httpx.AsyncClient, world: World
) -> None:
    await sign_in_as(web, world.id("national_admin"))
    cafcass = str(world.orgs["cafcass"].id)
    page = f"/admin/people/{world.id('national_admin')}?organisation={cafcass}"
    fields = {
        "organisation": cafcass,
        "name": "Nadia National",
        "email": "national_admin@cafcass.example.gov.uk",
    }
    asked = await _post(
        web, page, f"/admin/people/{world.id('national_admin')}", {**fields, "roles": "ADMIN"}
    )
    assert "Stop being a national administrator?" in asked.text
    done = await web.post(
        f"/admin/people/{world.id('national_admin')}",
        data={"csrf_token": csrf_from(asked.text), **fields, "roles": "ADMIN", "confirmed": "yes"},
    )
    assert done.headers["location"] == f"/admin/people?organisation={cafcass}"
    # Their own organisation's people only, from now on.
    assert (await web.get("/admin/organisations")).status_code == 303
    assert (await web.get(f"/admin/people?organisation={world.orgs['riverside'].id}")).status_code == 404


@pytest.mark.parametrize(
    "who", ["guardian", "cafcass_manager", "iro", "iro_manager", "solicitor", "social_worker"]
)
async def test_admin_pages_are_missing_for_everyone_but_administrators(
    web: httpx.AsyncClient, world: World, who: str
) -> None:
    """Least privilege: every admin page, read or posted, is the 404 of a page that does not exist."""
    await sign_in_as(web, world.id(who))
    missing = await _missing_page(web)
    riverside = str(world.orgs["riverside"].id)
    for url in (
        "/admin/organisations",
        "/admin/organisations/new",
        "/admin/people",
        f"/admin/people?organisation={riverside}",
        "/admin/people/new",
        f"/admin/people/{world.id('iro2')}",
        f"/admin/people/{world.id('iro2')}/end-access",
    ):
        page = await web.get(url)
        assert (page.status_code, page.text) == (404, missing), url
    csrf = await csrf_of(web)
    for action, data in (
        (
            "/admin/organisations/new",
            {"kind": "COURT", "name": "Family Court at Nowhere", "confirmed": "yes"},
        ),
        (
            "/admin/people/new",
            {"organisation": riverside, "name": "X", "email": "x@x.gov.uk", "roles": "IRO"},
        ),
        (f"/admin/people/{world.id('iro2')}", {"name": "X", "email": "x@x.gov.uk", "roles": "IRO"}),
        (f"/admin/people/{world.id('iro2')}/end-access", {}),
    ):
        posted = await web.post(action, data={"csrf_token": csrf, **data})
        assert (posted.status_code, posted.text) == (404, missing), action


async def test_an_administrator_of_one_organisation_gets_404_for_anothers_people(
    web: httpx.AsyncClient, world: World, engine: AsyncEngine
) -> None:
    await sign_in_as(web, world.id("admin"))
    missing = await _missing_page(web)
    northmoor, cafcass = str(world.orgs["northmoor"].id), str(world.orgs["cafcass"].id)
    mark = await audit_mark(engine)
    for url in (
        f"/admin/people?organisation={northmoor}",
        f"/admin/people/new?organisation={northmoor}",
        f"/admin/people/{world.id('other_iro')}?organisation={northmoor}",
        f"/admin/people/{world.id('other_iro')}",
        f"/admin/people/{world.id('other_iro')}/end-access?organisation={northmoor}",
        # A national administrator is managed by national administrators only.
        f"/admin/people/{world.id('national_admin')}?organisation={cafcass}",
        "/admin/organisations/new",
        "/admin/people?organisation=not-an-id",
        f"/admin/people?organisation={uuid.uuid4()}",
    ):
        page = await web.get(url)
        assert (page.status_code, page.text) == (404, missing), url
    csrf = await csrf_of(web)
    for action, data in (
        (
            "/admin/people/new",
            {"organisation": northmoor, "name": "N", "email": "n@n.gov.uk", "roles": "IRO"},
        ),
        (f"/admin/people/{world.id('other_iro')}", {"organisation": northmoor, "name": "N", "roles": "IRO"}),
        (f"/admin/people/{world.id('other_iro')}/end-access", {"organisation": northmoor}),
    ):
        posted = await web.post(action, data={"csrf_token": csrf, **data})
        assert (posted.status_code, posted.text) == (404, missing), action
    assert ("people.read", "success") not in await audit_since(engine, mark)


async def test_reading_an_organisations_people_is_audited(
    web: httpx.AsyncClient, world: World, engine: AsyncEngine, client: httpx.AsyncClient
) -> None:
    """Staff names and email addresses: each read is recorded, as are the writes, and an administrator's
    reach for another organisation's people is recorded as refused (and kept)."""
    await sign_in_as(web, world.id("admin"))
    mark = await audit_mark(engine)
    await web.get("/admin/people")
    saved = await _post(
        web,
        f"/admin/people/{world.id('iro2')}",
        f"/admin/people/{world.id('iro2')}",
        {"name": "Iris Second", "email": "iro2@riverside.example.gov.uk", "roles": "IRO"},
    )
    assert saved.status_code == 303
    events = await audit_since(engine, mark)
    assert ("people.read", "success") in events
    assert ("person.update", "success") in events
    mark = await audit_mark(engine)
    admin = await world.token("admin")
    await gql(client, admin, "People", organisationId=str(world.orgs["northmoor"].id))
    assert ("refused:admin", "refused") in await audit_since(engine, mark)


async def test_a_national_administrator_adds_an_organisation_after_checking_it(
    web: httpx.AsyncClient, world: World
) -> None:
    await sign_in_as(web, world.id("national_admin"))
    listed = await _form(web, "/admin/organisations")
    for name in ("Riverside City Council", "Cafcass Far Away", "Family Court at Riverside", "E08000901"):
        assert name in listed
    refused = await _post(web, "/admin/organisations/new", "/admin/organisations/new", {"name": ""})
    assert refused.status_code == 400
    for message in ("Select what kind of organisation it is", "Enter the organisation"):
        assert message in refused.text
    bad_code = await _post(
        web,
        "/admin/organisations/new",
        "/admin/organisations/new",
        {"kind": "LOCAL_AUTHORITY", "name": "riverside city council", "onsCode": "X1"},
    )
    assert bad_code.status_code == 400
    for message in ("An organisation called riverside city council exists already", "An ONS code looks like"):
        assert message in bad_code.text
    fields = {"kind": "LOCAL_AUTHORITY", "name": "Eastfield Borough Council", "onsCode": "e09000901"}
    check = await _post(web, "/admin/organisations/new", "/admin/organisations/new", fields)
    assert check.status_code == 200
    assert "Check the organisation before you add it" in check.text
    assert "E09000901" in check.text
    # Checking added nothing.
    assert "Eastfield" not in await _form(web, "/admin/organisations")
    change = re.search(r'href="(/admin/organisations/new\?[^"#]+)#name"', check.text)
    assert change
    assert 'value="Eastfield Borough Council"' in await _form(web, change.group(1).replace("&amp;", "&"))
    added = await web.post(
        "/admin/organisations/new", data={"csrf_token": csrf_from(check.text), **fields, "confirmed": "yes"}
    )
    assert added.status_code == 303
    people = (await web.get(added.headers["location"])).text
    assert "The organisation is added. Now add its people." in people
    assert "Eastfield Borough Council" in people
    assert "Nobody yet." in people
    # A national administrator may make another, anywhere.
    organisation = added.headers["location"].split("organisation=")[1].split("&")[0]
    form = await _form(web, f"/admin/people/new?organisation={organisation}")
    assert "NATIONAL_ADMIN" in _checkbox_values(form, "roles")
    made = await web.post(
        "/admin/people/new",
        data={
            "csrf_token": csrf_from(form),
            "organisation": organisation,
            "name": "Ed Eastfield",
            "email": "ed@eastfield.example.gov.uk",
            "roles": "ADMIN",
        },
    )
    assert made.status_code == 303
    assert "Ed Eastfield" in (await web.get(made.headers["location"])).text


async def test_a_national_administrator_adds_a_court_served_by_a_service_area(
    web: httpx.AsyncClient, world: World
) -> None:
    await sign_in_as(web, world.id("national_admin"))
    fields = {
        "kind": "COURT",
        "name": "Family Court at Eastfield",
        "serviceAreaId": str(world.orgs["cafcass"].id),
    }
    check = await _post(web, "/admin/organisations/new", "/admin/organisations/new", fields)
    assert "Cafcass Riverside" in check.text
    added = await web.post(
        "/admin/organisations/new", data={"csrf_token": csrf_from(check.text), **fields, "confirmed": "yes"}
    )
    assert added.status_code == 303
    assert "Family Court at Eastfield" in await _form(web, "/admin/organisations")


def test_administrators_land_on_their_admin_pages() -> None:
    def actor(*roles: Role) -> Actor:
        return Actor(
            person_id=uuid.uuid4(),
            name="A",
            email="a@example.gov.uk",
            organisation_id=uuid.uuid4(),
            organisation_name="O",
            organisation_kind=OrganisationKind.LOCAL_AUTHORITY,
            roles=frozenset(roles),
        )

    assert admin_nav(actor(Role.NATIONAL_ADMIN)) == ("/admin/organisations", "Organisations")
    assert admin_nav(actor(Role.ADMIN, Role.IRO)) == ("/admin/people", "People")
    assert admin_nav(actor(Role.IRO)) is None
    assert admin_nav(None) is None


# --- API tokens ----------------------------------------------------------------------------------------


def test_every_scope_has_words() -> None:
    assert set(SCOPES) == set(Permission.__members__)


async def _make_token(web: httpx.AsyncClient, **fields: object) -> httpx.Response:
    form = await _form(web, "/settings/tokens/new")
    attempt = re.search(r'name="attempt" value="([^"]+)"', form)
    assert attempt
    return await web.post(
        "/settings/tokens/new",
        data={"csrf_token": csrf_from(form), "attempt": attempt.group(1), **fields},
    )


async def test_a_tokens_secret_is_shown_once_works_as_a_bearer_token_and_stops_when_revoked(
    web: httpx.AsyncClient, client: httpx.AsyncClient, world: World
) -> None:
    await sign_in_as(web, world.id("guardian"))
    email = await _form(web, "/settings/email")
    assert 'href="/settings/tokens"' in email
    form = await _form(web, "/settings/tokens/new")
    # Only what a guardian can do is offered.
    offered = _checkbox_values(form, "scopes")
    assert "READ_CASE" in offered
    assert "ALLOCATE_GUARDIAN" not in offered
    assert "ADMINISTER" not in offered

    refused = await _make_token(web, label=" ", expiresInDays="90")
    assert refused.status_code == 400
    for message in ("Say what the token is for", "Choose what the token may be used for"):
        assert message in refused.text

    made = await _make_token(
        web, label="Case system", scopes=["READ_CASE", "MANAGE_TOKENS"], expiresInDays="30"
    )
    assert made.status_code == 200
    assert made.headers["cache-control"] == "no-store"
    secret = re.search(r'value="(gip_[^"]+)"', made.text)
    assert secret, "the secret is shown"
    assert "It will not be shown again" in made.text
    # Never again: not on the list, nor by sending the form again (which makes no second token).
    listed = await _form(web, "/settings/tokens")
    assert secret.group(1) not in listed
    assert "Case system" in listed
    assert "Read your cases" in listed
    again = await web.post("/settings/tokens/new", data=_form_fields(made))
    assert again.status_code == 303
    assert again.headers["location"] == "/settings/tokens?done=shown"
    assert secret.group(1) not in (await web.get(again.headers["location"])).text
    assert (await _form(web, "/settings/tokens")).count('class="govuk-summary-card__title"') == 1

    me = await gql(client, secret.group(1), "Me")
    assert me["data"]["me"]["name"] == "Gina Guardian"

    token_id = re.search(r'href="/settings/tokens/([^/"]+)/revoke"', listed)
    assert token_id
    confirm = await _form(web, f"/settings/tokens/{token_id.group(1)}/revoke")
    assert "Revoke “Case system”?" in confirm
    revoked = await web.post(
        f"/settings/tokens/{token_id.group(1)}/revoke", data={"csrf_token": csrf_from(confirm)}
    )
    assert revoked.status_code == 303
    after = (await web.get(revoked.headers["location"])).text
    assert "The token is revoked." in after
    assert "Revoked" in after
    assert f"/settings/tokens/{token_id.group(1)}/revoke" not in after
    gone = await client.post(
        "/graphql", json={"query": "{ me { name } }"}, headers={"Authorization": f"Bearer {secret.group(1)}"}
    )
    assert gone.status_code == 401


def _form_fields(response: httpx.Response) -> dict[str, str]:
    """The fields of the form post that made ``response``, to send it again."""
    return dict(parse_qsl(response.request.content.decode()))


async def test_another_persons_token_is_missing(
    web: httpx.AsyncClient, client: httpx.AsyncClient, world: World
) -> None:
    await sign_in_as(web, world.id("guardian"))
    made = await _make_token(web, label="Mine", scopes="READ_CASE", expiresInDays="7")
    secret = re.search(r'value="(gip_[^"]+)"', made.text)
    assert secret
    token_id = re.search(r'href="/settings/tokens/([^/"]+)/revoke"', await _form(web, "/settings/tokens"))
    assert token_id
    web.cookies.clear()
    await sign_in_as(web, world.id("iro"))
    missing = await _missing_page(web)
    assert "Mine" not in await _form(web, "/settings/tokens")
    page = await web.get(f"/settings/tokens/{token_id.group(1)}/revoke")
    assert (page.status_code, page.text) == (404, missing)
    csrf = await csrf_of(web)
    for target in (token_id.group(1), str(uuid.uuid4()), "not-an-id"):
        posted = await web.post(f"/settings/tokens/{target}/revoke", data={"csrf_token": csrf})
        assert (posted.status_code, posted.text) == (404, missing), target
    assert (await gql(client, secret.group(1), "Me"))["data"]["me"]["name"] == "Gina Guardian"
