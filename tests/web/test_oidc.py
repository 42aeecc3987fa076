"""Signing in with OpenID Connect through the full redirect flow, against the real npm oidc-provider."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from datetime import datetime, timedelta

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from models import PersonIdentity, WebSession, utcnow
from portal.auth import sessions
from portal.settings import OidcProvider, Settings
from tests.support.browsing import csrf_from
from tests.support.oidc import PORTAL, browser, oidc_provider, portal_app
from tests.support.oidc import provider_at as _provider
from tests.support.oidc import sign_in_at as _sign_in
from tests.support.ports import free_port
from tests.support.queries import row_counts
from tests.support.world import World

ACCOUNTS = {"gina-at-cafcass": {"email": "GUARDIAN@cafcass.example.gov.uk", "email_verified": True}}


@pytest.fixture(scope="module")
def issuer() -> Iterator[str]:
    with oidc_provider([PORTAL], ACCOUNTS) as issuer:
        yield issuer


@asynccontextmanager
async def _portal(
    settings: Settings, engine: AsyncEngine, provider: OidcProvider, **changes: object
) -> AsyncIterator[httpx.AsyncClient]:
    async with browser(portal_app(settings, engine, provider, **changes)) as client:
        yield client


async def test_a_provisioned_person_signs_in_and_lands_on_what_needs_doing(
    settings: Settings, engine: AsyncEngine, world: World, issuer: str
) -> None:
    async with _portal(settings, engine, _provider(issuer)) as portal:
        before = portal.cookies.get("portal_session")
        landed = await _sign_in(portal, "gina-at-cafcass")
        assert (landed.status_code, landed.headers["location"]) == (303, "/")
        assert portal.cookies.get("portal_session") != before  # the session rotated at sign-in
        # A guardian lands on what needs doing.
        assert (await portal.get("/")).headers["location"] == "/tasks"
        cases = await portal.get("/cases")
        assert cases.status_code == 200
        assert "Signed in as <strong>Gina Guardian</strong>" in cases.text
    async with AsyncSession(engine) as session:
        [identity] = (await session.execute(sa.select(PersonIdentity))).scalars().all()
    assert (identity.person_id, identity.issuer, identity.subject) == (
        world.id("guardian"),
        issuer,
        "gina-at-cafcass",
    )


async def test_an_unprovisioned_person_is_refused_and_nothing_is_created(
    settings: Settings, engine: AsyncEngine, world: World, issuer: str
) -> None:
    before = await row_counts(engine)
    async with _portal(settings, engine, _provider(issuer)) as portal:
        refused = await _sign_in(portal, "stranger")
        assert refused.status_code == 403
        assert "You do not have an account on the portal" in refused.text
        assert (await portal.get("/cases")).status_code == 303
    after = await row_counts(engine)
    assert {k: v for k, v in after.items() if k != "sign_in_attempt"} == {
        k: v for k, v in before.items() if k != "sign_in_attempt"
    }


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"issuer": "https://login.example.org/another-tenant/v2.0"}, "not one the portal accepts"),
        ({"tenants": ["0f5a0c73-tenant-riverside"]}, "not one the portal accepts"),
        ({"organisations": ["Northmoor County Council"]}, "is for another organisation"),
    ],
    ids=["disallowed issuer", "disallowed tenant", "another organisation's provider"],
)
async def test_sign_in_through_a_provider_the_portal_does_not_accept_is_refused(
    settings: Settings,
    engine: AsyncEngine,
    world: World,
    issuer: str,
    changes: dict[str, object],
    message: str,
) -> None:
    provider = _provider(issuer, discovery_url=f"{issuer}/.well-known/openid-configuration", **changes)
    async with _portal(settings, engine, provider) as portal:
        refused = await _sign_in(portal, "gina-at-cafcass")
        assert refused.status_code == 403
        assert message in refused.text
        assert (await portal.get("/cases")).status_code == 303
    async with AsyncSession(engine) as session:
        assert (await session.execute(sa.select(sa.func.count()).select_from(WebSession))).scalar_one() == 0


async def test_signing_out_ends_the_session_here_and_at_the_provider(
    settings: Settings, engine: AsyncEngine, world: World, issuer: str
) -> None:
    async with _portal(settings, engine, _provider(issuer)) as portal:
        await _sign_in(portal, "gina-at-cafcass")
        assert (await portal.get("/cases")).status_code == 200
        stolen = dict(portal.cookies)
        # The navigation's "Sign out" link, followed from the portal's own page.
        out = await portal.get("/sign-out", headers={"Sec-Fetch-Site": "same-origin"})
        assert out.status_code == 303
        assert out.headers["location"].startswith(f"{issuer}/session/end?")
        assert "id_token_hint=" in out.headers["location"]
        assert "post_logout_redirect_uri=http%3A%2F%2Fportal.test%2Fsigned-out" in out.headers["location"]
        # The old cookie, replayed, opens nothing: the session ended on the server.
        portal.cookies.clear()
        portal.cookies.update(stolen)
        assert (await portal.get("/cases")).status_code == 303


async def test_sessions_end_when_idle_and_at_their_absolute_limit(engine: AsyncEngine, world: World) -> None:
    idle, absolute = timedelta(minutes=30), timedelta(hours=10)

    async def resume(token: str, at: datetime) -> bool:
        """A request at ``at``: the session looked up, then its use recorded after the request."""
        async with AsyncSession(engine) as session, session.begin():
            resumed = await sessions.resume(session, token, idle=idle, absolute=absolute, now=at)
            await sessions.record_use(session, resumed, at)
        return resumed.live is not None

    async with AsyncSession(engine) as session, session.begin():
        token = await sessions.start(session, world.id("guardian"), issuer=None, id_token=None, source="")
        other = await sessions.start(session, world.id("guardian"), issuer=None, id_token=None, source="")
    now = utcnow()
    assert await resume(token, now + timedelta(minutes=29))
    # Kept alive by use every 20 minutes, a session still ends at its absolute limit.
    for minutes in range(20, 600, 20):
        assert await resume(token, now + timedelta(minutes=minutes)), minutes
    assert not await resume(token, now + timedelta(hours=10, minutes=1))
    assert not await resume(other, now + timedelta(minutes=31))
    async with AsyncSession(engine) as session:
        ended = (
            await session.execute(sa.select(WebSession.end_reason).order_by(WebSession.created_at))
        ).all()
    assert [r for (r,) in ended] == ["expired", "idle"]


async def test_a_forged_or_replayed_callback_is_refused(
    settings: Settings, engine: AsyncEngine, world: World, issuer: str
) -> None:
    async with _portal(settings, engine, _provider(issuer)) as portal:
        forged = await portal.get("/sign-in/test/callback", params={"code": "made-up", "state": "made-up"})
        assert forged.status_code == 403
        assert "Signing in did not complete" in forged.text
        cancelled = await portal.get("/sign-in/test/callback", params={"error": "access_denied"})
        assert cancelled.status_code == 403
        assert (await portal.get("/cases")).status_code == 303


async def test_a_provider_that_does_not_answer_gets_a_clear_page(
    settings: Settings, engine: AsyncEngine, world: World
) -> None:
    silent = _provider(f"http://127.0.0.1:{free_port()}")
    async with _portal(settings, engine, silent) as portal:
        page = await portal.get("/sign-in")
        response = await portal.post("/sign-in/test", data={"csrf_token": csrf_from(page.text)})
    assert response.status_code == 503
    assert "sign-in service is not answering" in response.text
