"""Issue 13, sign-in: an account is bound to a person only by an email address its provider has verified, or
by the stable subject an administrator named; behind a trusted proxy the client's address is the forwarded
one, and only there; attempts are limited per address and per account, and a sign-in counts once. Through
the full redirect flow against the real npm oidc-provider."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from ipaddress import ip_network

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from models import (
    AuditEvent,
    AuditOutcome,
    BoundBy,
    Counted,
    PersonIdentity,
    Role,
    SignInAttempt,
    WebSession,
)
from portal.auth.identities import InvitedSubject
from portal.auth.throttle import account_key, address_key
from portal.db import create_session_factory
from portal.people import service as people
from portal.settings import OidcProvider, Settings
from tests.support.browsing import csrf_from
from tests.support.graphql import gql
from tests.support.oidc import (
    PORTAL,
    back_from_provider,
    browser,
    oidc_provider,
    portal_app,
    provider_at,
    sign_in_at,
)
from tests.support.queries import audit_events, audit_mark, row_counts
from tests.support.world import World

TENANT = "0f5a0c73-1b2c-4d5e-8f90-a1b2c3d4e5f6"
IVAN_OID = "7a9f2c1e-0b4d-4c8e-9f51-3e2d6a8b1c40"
GINA = "guardian@cafcass.example.gov.uk"
ACCOUNTS: dict[str, dict[str, object]] = {
    "gina": {"email": GINA, "email_verified": True},
    # Another account that claims Gina's address, verified (a second account at the same provider).
    "gina-elsewhere": {"email": GINA.upper(), "email_verified": True},
    "gina-unverified": {"email": GINA, "email_verified": False},
    "gina-unsaid": {"email": GINA},
    "gina-in-words": {"email": GINA, "email_verified": "true"},
    "ivan": {"email": "iro@riverside.example.gov.uk", "email_verified": True},
    # As Microsoft Entra ID gives it: tenant and object ids, no email_verified, here no email at all.
    "ivan-entra": {"tid": TENANT, "oid": IVAN_OID, "name": "Ivan Reviewer"},
}
PROXY = "10.0.0.2"


@pytest.fixture(scope="module")
def issuer() -> Iterator[str]:
    """The provider as oidc-provider is by default: the ID token holds "sub", userinfo the rest."""
    with oidc_provider([PORTAL], ACCOUNTS) as issuer:
        yield issuer


@pytest.fixture(scope="module")
def entra_issuer() -> Iterator[str]:
    """The provider as Microsoft Entra ID is: every claim in the ID token ("tid" and "oid" among them)."""
    with oidc_provider([PORTAL], ACCOUNTS, id_token_claims=True) as issuer:
        yield issuer


async def _identities(engine: AsyncEngine) -> list[PersonIdentity]:
    async with AsyncSession(engine) as session:
        return list((await session.execute(sa.select(PersonIdentity))).scalars())


async def _attempts(engine: AsyncEngine) -> list[tuple[Counted, str]]:
    async with AsyncSession(engine) as session:
        rows = await session.execute(sa.select(SignInAttempt.counted, SignInAttempt.key))
        return sorted((counted, key) for counted, key in rows)


def _refusals(events: list[AuditEvent]) -> list[tuple[str, object, object, str, str]]:
    return [
        (e.action, e.person_id, e.subject_id, e.channel, e.source)
        for e in events
        if e.outcome is AuditOutcome.REFUSED
    ]


# Binding an account to a person.


@pytest.mark.parametrize("login", ["gina-unverified", "gina-unsaid", "gina-in-words"])
async def test_an_email_the_provider_has_not_verified_binds_nobody(
    settings: Settings, engine: AsyncEngine, world: World, issuer: str, login: str
) -> None:
    """Issue 13: email_verified false, missing, or anything but exactly true binds no account; nothing is
    stored, and the refusal is audited (naming whom the address would have matched)."""
    before, mark = await row_counts(engine), await audit_mark(engine)
    async with browser(portal_app(settings, engine, provider_at(issuer))) as portal:
        refused = await sign_in_at(portal, login)
        assert refused.status_code == 403
        assert "has not confirmed your email address" in refused.text
        assert "administrator" in refused.text
        assert (await portal.get("/cases")).status_code == 303
    after = await row_counts(engine)
    assert {k: v for k, v in after.items() if k != "sign_in_attempt"} == {
        k: v for k, v in before.items() if k != "sign_in_attempt"
    }
    assert await _identities(engine) == []
    assert _refusals(await audit_events(engine, mark)) == [
        ("refused:sign_in:email_not_verified", None, world.id("guardian"), "web", "127.0.0.1")
    ]


async def test_an_unverified_email_is_refused_alike_whether_or_not_anyone_has_it(
    settings: Settings, engine: AsyncEngine, world: World, issuer: str
) -> None:
    """Issue 13: the refusal of an unverified address says nothing about whether someone has it."""
    async with browser(portal_app(settings, engine, provider_at(issuer))) as portal:
        known = await sign_in_at(portal, "gina-unverified")
    accounts = {"nobody": {"email": "nobody@riverside.example.gov.uk", "email_verified": False}}
    with oidc_provider([PORTAL], accounts) as other:
        async with browser(portal_app(settings, engine, provider_at(other))) as portal:
            unknown = await sign_in_at(portal, "nobody")
    assert (known.status_code, known.text) == (unknown.status_code, unknown.text)


async def test_a_verified_email_binds_the_account_at_the_first_sign_in(
    settings: Settings, engine: AsyncEngine, world: World, issuer: str
) -> None:
    """Issue 13: email_verified true binds the account to the person with that address."""
    async with browser(portal_app(settings, engine, provider_at(issuer))) as portal:
        landed = await sign_in_at(portal, "gina")
        assert (landed.status_code, landed.headers["location"]) == (303, "/")
    [identity] = await _identities(engine)
    assert (identity.person_id, identity.subject, identity.bound_by) == (
        world.id("guardian"),
        "gina",
        BoundBy.EMAIL,
    )
    assert identity.last_signed_in_at is not None


@pytest.mark.parametrize("bound", ["at her first sign-in", "by an administrator"])
async def test_a_second_account_with_the_same_email_cannot_take_over(
    settings: Settings, engine: AsyncEngine, world: World, issuer: str, bound: str
) -> None:
    """Issue 13: once Gina's account at a provider is bound (by her sign-in, or named by an administrator),
    another account there with her verified address is refused, and hers stays hers."""
    provider = provider_at(issuer)
    app = portal_app(settings, engine, provider)
    if bound == "by an administrator":
        async with browser(app) as api:
            token = await world.token("national_admin")
            invited = await gql(
                api,
                token,
                "UpdatePerson",
                input={
                    "id": str(world.id("guardian")),
                    "invitedSubject": {"provider": "test", "subject": "gina"},
                },
            )
            assert invited["data"]["updatePerson"]["errors"] == []
    else:
        async with browser(app) as portal:
            assert (await sign_in_at(portal, "gina")).status_code == 303
    mark = await audit_mark(engine)
    async with browser(app) as portal:
        refused = await sign_in_at(portal, "gina-elsewhere")
        assert refused.status_code == 403
        assert "linked to a different account" in refused.text
    assert [(i.person_id, i.subject) for i in await _identities(engine)] == [(world.id("guardian"), "gina")]
    assert _refusals(await audit_events(engine, mark)) == [
        ("refused:sign_in:identity_taken", None, world.id("guardian"), "web", "127.0.0.1")
    ]
    async with browser(app) as portal:
        assert (await sign_in_at(portal, "gina")).status_code == 303


def _entra(issuer: str, entra_issuer: str, claims_in: str) -> OidcProvider:
    if claims_in == "the ID token":
        return provider_at(entra_issuer, subject_claims=["tid", "oid"], tenants=[TENANT])
    return provider_at(issuer, subject_claims=["tid", "oid"])


@pytest.mark.parametrize("claims_in", ["the ID token", "userinfo"])
async def test_an_account_an_administrator_invited_signs_in_without_an_email(
    settings: Settings, engine: AsyncEngine, world: World, issuer: str, entra_issuer: str, claims_in: str
) -> None:
    """Issue 13: an Entra ID account (tenant and object id, no email at all) signs in once an administrator
    has named it for the person, and not before."""
    provider = _entra(issuer, entra_issuer, claims_in)
    app = portal_app(settings, engine, provider)
    async with browser(app) as portal:
        refused = await sign_in_at(portal, "ivan-entra")
        assert refused.status_code == 403
        assert "You do not have an account on the portal" in refused.text
    assert await _identities(engine) == []

    async with browser(app) as api:
        invited = await gql(
            api,
            await world.token("national_admin"),
            "UpdatePerson",
            input={
                "id": str(world.id("iro")),
                "invitedSubject": {"provider": "test", "subject": f"{TENANT}/{IVAN_OID}"},
            },
        )
    assert invited["data"]["updatePerson"]["errors"] == []
    [identity] = await _identities(engine)
    assert (identity.person_id, identity.subject, identity.bound_by, identity.last_signed_in_at) == (
        world.id("iro"),
        f"{TENANT}/{IVAN_OID}",
        BoundBy.ADMINISTRATOR,
        None,
    )

    async with browser(app) as portal:
        landed = await sign_in_at(portal, "ivan-entra")
        assert (landed.status_code, landed.headers["location"]) == (303, "/")
        assert "Signed in as <strong>Ivan Reviewer</strong>" in (await portal.get("/cases")).text
    [identity] = await _identities(engine)
    assert identity.last_signed_in_at is not None


async def test_an_entra_account_bound_by_its_sub_before_keeps_working(
    settings: Settings, engine: AsyncEngine, world: World, entra_issuer: str
) -> None:
    """Issue 13: an account bound by "sub" before its provider named tenant and object id as its subject
    still signs in, and is moved to its stable subject."""
    async with AsyncSession(engine) as session, session.begin():
        session.add(PersonIdentity(person_id=world.id("iro"), issuer=entra_issuer, subject="ivan-entra"))
    [before] = await _identities(engine)
    provider = provider_at(entra_issuer, subject_claims=["tid", "oid"])
    async with browser(portal_app(settings, engine, provider)) as portal:
        assert (await sign_in_at(portal, "ivan-entra")).status_code == 303
    [after] = await _identities(engine)
    assert (after.id, after.person_id, after.subject) == (before.id, world.id("iro"), f"{TENANT}/{IVAN_OID}")


async def test_a_provider_that_does_not_give_the_subject_claims_is_refused(
    settings: Settings, engine: AsyncEngine, world: World, issuer: str
) -> None:
    """Issue 13: with Entra ID's subject claims configured, an account without them binds nobody (not by
    its "sub", nor by its email address)."""
    provider = provider_at(issuer, subject_claims=["tid", "oid"])
    async with browser(portal_app(settings, engine, provider)) as portal:
        refused = await sign_in_at(portal, "gina")
        assert refused.status_code == 403
        assert "did not say who you are" in refused.text
    assert await _identities(engine) == []


# Where a request comes from.


async def test_behind_a_trusted_proxy_the_forwarded_address_is_the_clients(
    settings: Settings, engine: AsyncEngine, world: World, issuer: str
) -> None:
    """Issue 13: from a trusted proxy, the right-most forwarded address that is not a trusted proxy is the
    client's, for the session, the audit trail and API tokens alike; from anyone else, X-Forwarded-For is
    ignored."""
    app = portal_app(settings, engine, provider_at(issuer), trusted_proxies=[ip_network("10.0.0.0/24")])
    cases = [
        # Through the proxy (and a second one in front of it, also trusted): the client, not what it made up.
        (PROXY, "192.0.2.99, 198.51.100.7, 10.0.0.9", "198.51.100.7"),
        # Straight to the portal, with a made-up header: the address that connected.
        ("203.0.113.5", "198.51.100.8", "203.0.113.5"),
    ]
    token = await world.token("iro")
    for peer, forwarded_for, client in cases:
        mark = await audit_mark(engine)
        async with browser(app, peer=peer, forwarded_for=forwarded_for) as portal:
            assert (await sign_in_at(portal, "gina")).status_code == 303
            await gql(portal, token, "Me")
        async with AsyncSession(engine) as session:
            sources = set((await session.execute(sa.select(WebSession.source))).scalars())
            await session.execute(sa.delete(WebSession))
            await session.commit()
        assert sources == {client}
        events = await audit_events(engine, mark)
        assert {(e.action, e.source) for e in events} >= {("sign_in", client), ("token.use", client)}


# Limits.


async def test_fifty_people_behind_one_proxy_all_sign_in(
    settings: Settings, engine: AsyncEngine, world: World, issuer: str
) -> None:
    """Issue 13: fifty people signing in within the window through one trusted proxy, each from their own
    address, all get in with the default limits."""
    provider = provider_at(issuer)
    async with create_session_factory(engine)() as session, session.begin():
        for n in range(50):
            await people.add_person(
                session,
                None,
                organisation_id=world.orgs["riverside"].id,
                name=f"Person {n}",
                email=f"person{n}@riverside.example.gov.uk",
                roles=[Role.SOCIAL_WORKER],
                invited_subject=InvitedSubject(provider="test", subject=f"person-{n}"),
                providers=[provider],
            )
    app = portal_app(settings, engine, provider, trusted_proxies=[ip_network(PROXY)])
    for n in range(50):
        async with browser(app, peer=PROXY, forwarded_for=f"198.51.100.{n + 1}") as portal:
            landed = await sign_in_at(portal, f"person-{n}")
            assert landed.status_code == 303, (n, landed.text)
    assert [c for c, _ in await _attempts(engine)] == [Counted.ACCOUNT] * 50


async def test_twenty_one_failed_attempts_from_one_address_are_refused(
    settings: Settings, engine: AsyncEngine, world: World, issuer: str
) -> None:
    """Issue 13: twenty failed attempts (forged callbacks here) from one forwarded address, and the next is
    refused before the provider is asked anything; a neighbour behind the same proxy still signs in."""
    app = portal_app(settings, engine, provider_at(issuer), trusted_proxies=[ip_network(PROXY)])
    async with browser(app, peer=PROXY, forwarded_for="198.51.100.66") as attacker:
        for _ in range(20):
            forged = await attacker.get(
                "/sign-in/test/callback", params={"code": "made-up", "state": "made-up"}
            )
            assert forged.status_code == 403
        assert (
            await attacker.get("/sign-in/test/callback", params={"code": "x", "state": "x"})
        ).status_code == 429
        page = await attacker.get("/sign-in")
        pressed = await attacker.post("/sign-in/test", data={"csrf_token": csrf_from(page.text)})
        assert pressed.status_code == 429
        assert "too many attempts to sign in from your network" in pressed.text
    async with browser(app, peer=PROXY, forwarded_for="198.51.100.67") as neighbour:
        assert (await sign_in_at(neighbour, "gina")).status_code == 303


async def test_refused_sign_ins_count_against_their_address(
    settings: Settings, engine: AsyncEngine, world: World, issuer: str
) -> None:
    """Issue 13: a sign-in the portal refuses counts against its address; at the limit, the next is
    refused."""
    app = portal_app(settings, engine, provider_at(issuer), sign_in_attempts=2)
    async with browser(app) as portal:
        assert (await sign_in_at(portal, "gina-unverified")).status_code == 403
        assert (await sign_in_at(portal, "gina-unsaid")).status_code == 403
        assert (await sign_in_at(portal, "gina")).status_code == 429


async def test_a_provider_that_stops_answering_mid_sign_in_counts_against_nobody(
    settings: Settings, engine: AsyncEngine, world: World
) -> None:
    """Issue 13: a provider that goes down between the login and the callback is nobody's fault: the page
    says so, and no attempt is counted."""
    with ExitStack() as provider:
        app = portal_app(
            settings, engine, provider_at(provider.enter_context(oidc_provider([PORTAL], ACCOUNTS)))
        )
        async with browser(app) as portal:
            back = await back_from_provider(portal, "gina")
            assert isinstance(back, str)
            provider.close()
            answer = await portal.get(back)
    assert answer.status_code == 503
    assert "sign-in service is not answering" in answer.text
    assert await _attempts(engine) == []


async def test_a_burst_at_one_account_from_many_addresses_is_refused(
    settings: Settings, engine: AsyncEngine, world: World, issuer: str
) -> None:
    """Issue 13: sign-ins to one account are limited wherever they come from; other accounts are not held
    up by it."""
    app = portal_app(
        settings, engine, provider_at(issuer), trusted_proxies=[ip_network(PROXY)], sign_in_account_attempts=3
    )
    answers = []
    for n in range(4):
        async with browser(app, peer=PROXY, forwarded_for=f"198.51.100.{n + 1}") as portal:
            answers.append(await sign_in_at(portal, "gina"))
    assert [a.status_code for a in answers] == [303, 303, 303, 429]
    assert "too many attempts to sign in to your account" in answers[3].text
    async with browser(app, peer=PROXY, forwarded_for="198.51.100.4") as portal:
        assert (await sign_in_at(portal, "ivan")).status_code == 303


async def test_one_sign_in_counts_once(
    settings: Settings, engine: AsyncEngine, world: World, issuer: str
) -> None:
    """Issue 13: a sign-in that succeeds counts once, against its account, and not against its address,
    so people sharing an address (a proxy the portal does not know, a NAT) do not use up each other's
    allowance; one that is refused counts once against each."""
    provider = provider_at(issuer)
    app = portal_app(settings, engine, provider, sign_in_attempts=1)
    async with browser(app) as portal:
        assert (await sign_in_at(portal, "gina")).status_code == 303
    assert await _attempts(engine) == [(Counted.ACCOUNT, account_key(issuer, "gina"))]
    async with browser(app) as portal:
        assert (await sign_in_at(portal, "ivan")).status_code == 303
    async with browser(app) as portal:
        assert (await sign_in_at(portal, "gina-unverified")).status_code == 403
    assert await _attempts(engine) == sorted(
        [
            (Counted.ACCOUNT, account_key(issuer, "gina")),
            (Counted.ACCOUNT, account_key(issuer, "ivan")),
            (Counted.ACCOUNT, account_key(issuer, "gina-unverified")),
            (Counted.ADDRESS, address_key("127.0.0.1")),
        ]
    )
    async with browser(app) as portal:
        assert (await sign_in_at(portal, "gina")).status_code == 429


async def test_an_invitation_names_a_provider_the_portal_has_and_an_account_nobody_else_has(
    settings: Settings, engine: AsyncEngine, world: World, issuer: str
) -> None:
    """Issue 13: an invitation can only be made at a sign-in service the portal has, for an account nobody
    else has."""
    app = portal_app(settings, engine, provider_at(issuer))
    token = await world.token("national_admin")
    async with browser(app) as api:
        first = await gql(
            api,
            token,
            "UpdatePerson",
            input={"id": str(world.id("iro")), "invitedSubject": {"provider": "test", "subject": "ivan"}},
        )
        assert first["data"]["updatePerson"]["errors"] == []
        taken = await gql(
            api,
            token,
            "UpdatePerson",
            input={
                "id": str(world.id("guardian")),
                "invitedSubject": {"provider": "test", "subject": "ivan"},
            },
        )
        unknown = await gql(
            api,
            token,
            "AddPerson",
            input={
                "organisationId": str(world.orgs["riverside"].id),
                "name": "Ed",
                "email": "ed@riverside.example.gov.uk",
                "roles": ["IRO"],
                "invitedSubject": {"provider": "elsewhere", "subject": "ed"},
            },
        )
    assert [(e["code"], e["field"]) for e in taken["data"]["updatePerson"]["errors"]] == [
        ("DUPLICATE", "invitedSubject.subject")
    ]
    assert [(e["code"], e["field"]) for e in unknown["data"]["addPerson"]["errors"]] == [
        ("NOT_FOUND", "invitedSubject.provider")
    ]
    assert [(i.person_id, i.subject) for i in await _identities(engine)] == [(world.id("iro"), "ivan")]
