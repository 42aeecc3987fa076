"""Provisioning by administrators: organisations, people, their email addresses and roles."""

from __future__ import annotations

import httpx
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from models import Team
from portal.db import create_session_factory
from tests.support.graphql import error_codes, gql, payload_codes
from tests.support.world import World


async def test_a_national_administrator_provisions_an_organisation_and_its_people(
    client: httpx.AsyncClient, world: World
) -> None:
    admin = await world.token("national_admin")
    org = await gql(
        client,
        admin,
        "AddOrganisation",
        input={"kind": "LOCAL_AUTHORITY", "name": "Eastfield Borough Council", "onsCode": "e09000901"},
    )
    organisation = org["data"]["addOrganisation"]["organisation"]
    assert organisation["onsCode"] == "E09000901"
    person = await gql(
        client,
        admin,
        "AddPerson",
        input={
            "organisationId": organisation["id"],
            "name": "Ed Eastfield",
            "email": "Ed.Eastfield@eastfield.example.gov.uk",
            "roles": ["IRO", "IRO_MANAGER"],
        },
    )
    added = person["data"]["addPerson"]["person"]
    assert (added["email"], added["roles"], added["active"]) == (
        "ed.eastfield@eastfield.example.gov.uk",
        ["IRO", "IRO_MANAGER"],
        True,
    )
    changed = await gql(client, admin, "UpdatePerson", input={"id": added["id"], "roles": ["IRO"]})
    assert changed["data"]["updatePerson"]["person"]["roles"] == ["IRO"]
    people = await gql(client, admin, "People", organisationId=organisation["id"])
    assert [p["name"] for p in people["data"]["people"]] == ["Ed Eastfield"]


async def test_bad_provisioning_gets_stable_codes(client: httpx.AsyncClient, world: World) -> None:
    admin = await world.token("national_admin")
    cafcass = str(world.orgs["cafcass"].id)
    wrong = await gql(
        client,
        admin,
        "AddPerson",
        input={
            "organisationId": cafcass,
            "name": "Ivy",
            "email": "guardian@cafcass.example.gov.uk",
            "roles": ["IRO"],
        },
    )
    assert payload_codes(wrong["data"]["addPerson"]) == [
        ("DUPLICATE", "email"),
        ("WRONG_ORGANISATION", "roles"),
    ]
    court = await gql(
        client,
        admin,
        "AddOrganisation",
        input={"kind": "COURT", "name": "Family Court at Elsewhere", "onsCode": "E08000111"},
    )
    assert payload_codes(court["data"]["addOrganisation"]) == [("INVALID_VALUE", "onsCode")]


async def test_only_administrators_provision(client: httpx.AsyncClient, world: World) -> None:
    manager = await world.token("iro_manager")
    body = await gql(
        client,
        manager,
        "AddPerson",
        input={
            "organisationId": str(world.orgs["riverside"].id),
            "name": "Sneaky",
            "email": "sneaky@riverside.example.gov.uk",
            "roles": ["IRO"],
        },
    )
    assert payload_codes(body["data"]["addPerson"]) == [("NOT_PERMITTED", None)]
    assert error_codes(
        await gql(client, manager, "People", organisationId=str(world.orgs["riverside"].id))
    ) == ["NOT_PERMITTED"]


async def test_an_administrator_manages_their_own_organisations_people_only(
    client: httpx.AsyncClient, world: World
) -> None:
    """Riverside's administrator provisions Riverside's people; Northmoor's and Cafcass's look absent, no
    organisation can be added, and nobody is made a national administrator (least privilege)."""
    admin = await world.token("admin")
    riverside, northmoor = str(world.orgs["riverside"].id), str(world.orgs["northmoor"].id)
    promote = await gql(
        client, admin, "UpdatePerson", input={"id": str(world.id("other_iro")), "roles": ["IRO_MANAGER"]}
    )
    assert payload_codes(promote["data"]["updatePerson"]) == [("NOT_FOUND", "id")]
    email = await gql(
        client,
        admin,
        "UpdatePerson",
        input={"id": str(world.id("guardian")), "email": "taken.over@riverside.example.gov.uk"},
    )
    assert payload_codes(email["data"]["updatePerson"]) == [("NOT_FOUND", "id")]
    elsewhere = await gql(
        client,
        admin,
        "AddPerson",
        input={
            "organisationId": northmoor,
            "name": "Nat",
            "email": "nat@northmoor.example.gov.uk",
            "roles": ["IRO"],
        },
    )
    assert payload_codes(elsewhere["data"]["addPerson"]) == [("NOT_FOUND", "organisationId")]
    assert error_codes(await gql(client, admin, "People", organisationId=northmoor)) == ["NOT_FOUND"]
    organisation = await gql(
        client, admin, "AddOrganisation", input={"kind": "COURT", "name": "Family Court at Nowhere"}
    )
    assert payload_codes(organisation["data"]["addOrganisation"]) == [("NOT_PERMITTED", None)]
    national = await gql(
        client,
        admin,
        "AddPerson",
        input={
            "organisationId": riverside,
            "name": "Nell",
            "email": "nell@riverside.example.gov.uk",
            "roles": ["NATIONAL_ADMIN"],
        },
    )
    assert payload_codes(national["data"]["addPerson"]) == [("NOT_PERMITTED", "roles")]
    # A national administrator, wherever they work, is not theirs to change.
    demote = await gql(
        client, admin, "UpdatePerson", input={"id": str(world.id("national_admin")), "active": False}
    )
    assert payload_codes(demote["data"]["updatePerson"]) == [("NOT_FOUND", "id")]
    # Their own organisation's people are theirs.
    own = await gql(
        client, admin, "UpdatePerson", input={"id": str(world.id("iro2")), "roles": ["IRO_MANAGER"]}
    )
    assert own["data"]["updatePerson"]["person"]["roles"] == ["IRO_MANAGER"]
    assert {
        p["name"] for p in (await gql(client, admin, "People", organisationId=riverside))["data"]["people"]
    } >= {
        "Ivan Reviewer",
        "Iris Second",
    }


async def test_a_nul_in_an_email_or_a_team_never_reaches_the_database(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine
) -> None:
    """Found by the fuzzer (tests/api/test_fuzz.py): an email address with a NUL was looked up as it came,
    and a team's name stored as it came, each an INTERNAL on PostgreSQL (its text cannot hold NUL). An email
    address has no control characters; a team's name is free text, cleaned like the rest."""
    admin = await world.token("admin")
    person = {"organisationId": str(world.orgs["riverside"].id), "name": "Tess", "roles": ["IRO"]}
    nul = await gql(
        client, admin, "AddPerson", input={**person, "email": "tess\x00@riverside.example.gov.uk"}
    )
    assert payload_codes(nul["data"]["addPerson"]) == [("INVALID_VALUE", "email")]
    added = await gql(
        client,
        admin,
        "AddPerson",
        input={**person, "email": "tess@riverside.example.gov.uk", "team": " Court\x00 team\x07 "},
    )
    assert payload_codes(added["data"]["addPerson"]) == []
    async with create_session_factory(engine)() as session:
        assert (await session.execute(sa.select(Team.name))).scalars().all() == ["Court team"]
