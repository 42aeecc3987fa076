"""Issue 13, sign-in, below the pages: whose address a request is, what a provider's stable subject is, how
an account is bound (with made-up claims, as providers other than the test one give them), invitations
through the service and the command line, and forgetting old attempts."""

from __future__ import annotations

from datetime import timedelta
from ipaddress import IPv4Network, IPv6Network, ip_network

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from models import BoundBy, Counted, PersonIdentity, SignInAttempt, utcnow
from portal.auth import throttle
from portal.auth.identities import (
    InvitedSubject,
    SignInRefused,
    parse_subject,
    person_for_sign_in,
    stable_subject,
)
from portal.auth.web import forwarded_client
from portal.db import create_session_factory
from portal.errors import DomainError
from portal.people import service as people
from portal.settings import OidcProvider
from tests.support.world import World

TRUSTED: list[IPv4Network | IPv6Network] = [ip_network("10.0.0.0/8"), ip_network("2001:db8:1::/48")]
ISSUER = "https://login.microsoftonline.com/0f5a0c73-1b2c-4d5e-8f90-a1b2c3d4e5f6/v2.0"
ENTRA = OidcProvider(
    name="riverside",
    label="Riverside City Council",
    issuer=ISSUER,
    client_id="portal",
    client_secret="secret",
    subject_claims=["tid", "oid"],
)
TID, OID = "0f5a0c73-1b2c-4d5e-8f90-a1b2c3d4e5f6", "7a9f2c1e-0b4d-4c8e-9f51-3e2d6a8b1c40"


@pytest.mark.parametrize(
    ("peer", "forwarded_for", "trusted", "client"),
    [
        # No trusted proxies: the header is nobody's word.
        ("10.0.0.2", ["198.51.100.7"], [], "10.0.0.2"),
        # A peer that is not a trusted proxy: its header is made up.
        ("203.0.113.5", ["198.51.100.7"], TRUSTED, "203.0.113.5"),
        # From a trusted proxy: the right-most address that is not a trusted proxy.
        ("10.0.0.2", ["198.51.100.7"], TRUSTED, "198.51.100.7"),
        ("10.0.0.2", ["192.0.2.1, 198.51.100.7, 10.1.1.1"], TRUSTED, "198.51.100.7"),
        ("10.0.0.2", ["192.0.2.1", "198.51.100.7", "10.1.1.1"], TRUSTED, "198.51.100.7"),
        # With ports, in brackets, IPv4 as IPv6.
        ("10.0.0.2", ["198.51.100.7:4711"], TRUSTED, "198.51.100.7"),
        ("10.0.0.2", ["[2001:db8:2::7]:443"], TRUSTED, "2001:db8:2::7"),
        ("::ffff:10.0.0.2", ["2001:db8:1::9, 198.51.100.7"], TRUSTED, "198.51.100.7"),
        ("2001:db8:1::2", ["2001:db8:2::7"], TRUSTED, "2001:db8:2::7"),
        # A proxy that wrote something other than an address: the last address known.
        ("10.0.0.2", ["198.51.100.7, unknown"], TRUSTED, "10.0.0.2"),
        ("10.0.0.2", ["unknown, 10.1.1.1"], TRUSTED, "10.1.1.1"),
        # Trusted all the way: from inside, the left-most.
        ("10.0.0.2", ["10.3.3.3, 10.1.1.1"], TRUSTED, "10.3.3.3"),
        # A trusted proxy that forwarded nothing.
        ("10.0.0.2", [], TRUSTED, "10.0.0.2"),
    ],
)
def test_the_client_is_the_right_most_address_a_trusted_proxy_vouches_for(
    peer: str, forwarded_for: list[str], trusted: list[IPv4Network | IPv6Network], client: str
) -> None:
    """Issue 13: X-Forwarded-For is read from the right, and only from a trusted proxy."""
    assert forwarded_client(peer, forwarded_for, trusted) == client


def test_addresses_are_counted_by_what_one_client_holds() -> None:
    """Issue 13: an IPv6 address counts by its /64, so stepping through one gains nothing."""
    assert (
        throttle.address_key("2001:db8:2::7")
        == throttle.address_key("2001:db8:2::ffff:1")
        == "2001:db8:2::/64"
    )
    assert throttle.address_key("::ffff:198.51.100.7") == "198.51.100.7"
    assert throttle.address_key("198.51.100.7") != throttle.address_key("198.51.100.8")


def test_the_stable_subject_is_what_the_provider_names() -> None:
    """Issue 13: "sub" by default; Entra ID's tenant and object id, from the ID token first; none if one is
    missing."""
    default = ENTRA.model_copy(update={"subject_claims": ["sub"]})
    assert stable_subject(default, {"sub": "pairwise-1", "oid": OID}) == "pairwise-1"
    assert stable_subject(ENTRA, {"sub": "pairwise-1", "tid": TID, "oid": OID}) == f"{TID}/{OID}"
    assert stable_subject(ENTRA, {"sub": "s", "tid": TID}, {"oid": OID, "tid": "other"}) == f"{TID}/{OID}"
    assert stable_subject(ENTRA, {"sub": "s", "tid": TID, "preferred_username": "ivan@x"}) is None
    assert stable_subject(ENTRA, {"tid": TID, "oid": ""}) is None
    assert stable_subject(ENTRA, {"tid": TID, "oid": True}) is None
    # Values with the separator in them cannot be mistaken for others.
    assert stable_subject(ENTRA, {"tid": "a/b", "oid": "c"}) != stable_subject(
        ENTRA, {"tid": "a", "oid": "b/c"}
    )
    assert parse_subject(ENTRA, f" {TID} / {OID} ") == f"{TID}/{OID}"
    assert parse_subject(ENTRA, TID) is None
    assert parse_subject(ENTRA, f"{TID}/") is None
    assert parse_subject(default, " pairwise-1 ") == "pairwise-1"


async def _sign_in(engine: AsyncEngine, **claims: object) -> PersonIdentity | SignInRefused:
    """Sign in at the Entra provider with these claims: the account bound, or the refusal (and nothing
    kept)."""
    email = claims.get("email")
    async with create_session_factory(engine)() as session:
        subject = stable_subject(ENTRA, {"sub": "pairwise", **claims})
        assert subject is not None
        try:
            async with session.begin():
                person = await person_for_sign_in(
                    session,
                    issuer=ISSUER,
                    subject=subject,
                    email=email if isinstance(email, str) else None,
                    email_verified=claims.get("email_verified"),
                    organisations=[],
                    former_subject="pairwise",
                )
                found = await session.execute(
                    sa.select(PersonIdentity).where(PersonIdentity.person_id == person.id)
                )
                return found.scalar_one()
        except SignInRefused as refusal:
            return refusal


async def test_an_entra_account_binds_by_invitation_not_by_an_unverified_email(
    engine: AsyncEngine, world: World
) -> None:
    """Issue 13: Entra ID gives no email_verified; its accounts are bound by the tenant and object id an
    administrator named, and an email address alone (or one "verified" in words) binds nothing."""
    for verified in (None, False, "true", 1):
        refusal = await _sign_in(
            engine, tid=TID, oid=OID, email="iro@riverside.example.gov.uk", email_verified=verified
        )
        assert isinstance(refusal, SignInRefused)
        assert (refusal.reason, refusal.person_id) == ("email_not_verified", world.id("iro"))
    async with AsyncSession(engine) as session:
        assert (
            await session.execute(sa.select(sa.func.count()).select_from(PersonIdentity))
        ).scalar_one() == 0

    async with AsyncSession(engine) as session, session.begin():
        await people.update_person(
            session,
            None,
            world.id("iro"),
            invited_subject=InvitedSubject(provider="riverside", subject=f"{TID}/{OID}"),
            providers=[ENTRA],
        )
    bound = await _sign_in(engine, tid=TID, oid=OID)
    assert isinstance(bound, PersonIdentity)
    assert (bound.person_id, bound.bound_by) == (world.id("iro"), BoundBy.ADMINISTRATOR)
    assert bound.last_signed_in_at is not None
    # Another object in the tenant with Ivan's address, even verified, is not Ivan.
    other = await _sign_in(
        engine, tid=TID, oid="another", email="iro@riverside.example.gov.uk", email_verified=True
    )
    assert isinstance(other, SignInRefused)
    assert other.reason == "identity_taken"


async def test_an_administrator_replaces_an_account_and_checks_what_they_name(
    engine: AsyncEngine, world: World
) -> None:
    """Issue 13: naming a new account replaces the old one at that provider; a provider the portal does not
    have, a malformed subject, or someone else's account is refused with a field error."""

    async def invite(person: str, provider: str, subject: str) -> list[tuple[str, str | None]]:
        try:
            async with AsyncSession(engine) as session, session.begin():
                await people.update_person(
                    session,
                    await world.actor("admin"),
                    world.id(person),
                    invited_subject=InvitedSubject(provider=provider, subject=subject),
                    providers=[ENTRA],
                )
        except DomainError as error:
            return [(p.code.value, p.field) for p in error.problems]
        return []

    assert await invite("iro", "riverside", f"{TID}/old") == []
    assert await invite("iro", "riverside", f"{TID}/{OID}") == []
    assert await invite("iro2", "riverside", f"{TID}/{OID}") == [("DUPLICATE", "invitedSubject.subject")]
    assert await invite("iro2", "riverside", OID) == [("INVALID_VALUE", "invitedSubject.subject")]
    assert await invite("iro2", "elsewhere", f"{TID}/{OID}") == [("NOT_FOUND", "invitedSubject.provider")]
    # An administrator of another organisation cannot reach the person at all.
    assert await invite("other_iro", "riverside", f"{TID}/x") == [("NOT_FOUND", "id")]
    async with AsyncSession(engine) as session:
        rows = (await session.execute(sa.select(PersonIdentity.person_id, PersonIdentity.subject))).all()
    assert rows == [(world.id("iro"), f"{TID}/{OID}")]


async def test_the_command_line_invites_an_account(
    portal,
    capsys: pytest.CaptureFixture[str],
    engine: AsyncEngine,
    world: World,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Issue 13: `portal user add` and `portal user invite` name a person's account at a sign-in service."""
    monkeypatch.setenv("PORTAL_OIDC_PROVIDERS", f"[{ENTRA.model_dump_json()}]")
    status, out, err = await portal(
        capsys,
        "user",
        "invite",
        "--email",
        "iro@riverside.example.gov.uk",
        "--provider",
        "riverside",
        "--subject",
        f"{TID}/{OID}",
    )
    assert (status, err) == (0, "")
    assert "Ivan Reviewer can sign in with that account at riverside" in out
    status, out, err = await portal(
        capsys,
        "user",
        "add",
        "--org",
        "Riverside City Council",
        "--name",
        "Ed Eastfield",
        "--email",
        "ed@riverside.example.gov.uk",
        "--role",
        "iro",
        "--provider",
        "riverside",
        "--subject",
        f"{TID}/ed",
    )
    assert (status, err) == (0, "")
    status, _, err = await portal(
        capsys,
        "user",
        "invite",
        "--email",
        "iro2@riverside.example.gov.uk",
        "--provider",
        "riverside",
        "--subject",
        "x",
    )
    assert status == 2
    assert "INVALID_VALUE" in err
    async with AsyncSession(engine) as session:
        rows = set((await session.execute(sa.select(PersonIdentity.subject, PersonIdentity.bound_by))).all())
    assert rows == {(f"{TID}/{OID}", BoundBy.ADMINISTRATOR), (f"{TID}/ed", BoundBy.ADMINISTRATOR)}


async def test_old_attempts_are_forgotten(engine: AsyncEngine) -> None:
    """Issue 13: attempts older than their window are swept; newer ones are kept."""
    now = utcnow()
    async with AsyncSession(engine) as session, session.begin():
        for minutes in (1, 14, 16, 60):
            session.add(
                SignInAttempt(
                    counted=Counted.ADDRESS, key="198.51.100.7", attempted_at=now - timedelta(minutes=minutes)
                )
            )
    async with AsyncSession(engine) as session, session.begin():
        await throttle.forget_old_attempts(session, timedelta(minutes=15))
    async with AsyncSession(engine) as session:
        left = (await session.execute(sa.select(SignInAttempt.attempted_at))).scalars().all()
    assert sorted(now - at for at in left) == [timedelta(minutes=1), timedelta(minutes=14)]
