"""Signing in and out: OpenID Connect with each organisation's own provider, and, for the embedded demo
only, a picker of made-up people."""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta
from urllib.parse import urlencode

import httpx2
from authlib.integrations.base_client import OAuthError
from joserfc.errors import JoseError
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from models import WebSession
from portal.audit import service as audit
from portal.auth import sessions
from portal.auth.actor import Actor, Via
from portal.auth.identities import SignInRefused, person_for_sign_in
from portal.auth.oidc import client_for
from portal.auth.service import actor_for_person
from portal.auth.throttle import allow_sign_in_attempt
from portal.auth.web import begin_session, client_address, end_session
from portal.db import UnitOfWork, unit_of_work
from portal.settings import OidcProvider, Settings
from portal.web.operations import PageNotFound
from portal.web.rendering import render
from portal.web.requests import posted_form

log = logging.getLogger("portal.sign_in")


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def home(request: Request) -> Response:
    return RedirectResponse("/cases" if request.session.get("session") else "/sign-in", status_code=303)


async def sign_in_page(request: Request) -> Response:
    settings = _settings(request)
    personas = []
    if settings.demo_sign_in:
        # Imported here: the demo world is not loaded at all unless the demo sign-in is on.
        from portal.demo import personas as demo_personas

        async with unit_of_work(request.app.state.sessions) as uow:
            personas = await uow.run(demo_personas)
    return render(request, "sign_in.html", {"personas": personas, "providers": settings.oidc_providers})


async def _throttled(request: Request, uow: UnitOfWork) -> bool:
    settings = _settings(request)
    allowed = await uow.run(
        lambda session: allow_sign_in_attempt(
            session,
            client_address(request),
            limit=settings.sign_in_attempts,
            window=timedelta(minutes=settings.sign_in_window_minutes),
        )
    )
    return not allowed


def _too_many(request: Request) -> Response:
    minutes = _settings(request).sign_in_window_minutes
    return render(
        request,
        "sign_in_refused.html",
        {
            "title": "Too many attempts to sign in",
            "message": f"There have been too many attempts to sign in from your network. Wait {minutes} "
            "minutes and try again.",
        },
        status_code=429,
    )


def _refused(request: Request, refusal: SignInRefused) -> Response:
    log.warning("sign-in refused from %s: %s", client_address(request), refusal.reason)
    return render(
        request,
        "sign_in_refused.html",
        {"title": "You cannot sign in", "message": refusal.message},
        status_code=403,
    )


async def _signed_in(
    request: Request, uow: UnitOfWork, actor: Actor, issuer: str | None, id_token: str | None
) -> Response:
    async def start(session: AsyncSession) -> str:
        token = await sessions.start(
            session, actor.person_id, issuer=issuer, id_token=id_token, source=client_address(request)
        )
        audit.record(session, actor, "sign_in", subject_type="person", subject_id=actor.person_id)
        return token

    begin_session(request, await uow.run(start))
    return RedirectResponse("/cases", status_code=303)


async def demo_sign_in(request: Request) -> Response:
    if not _settings(request).demo_sign_in:
        raise PageNotFound
    form = await posted_form(request)
    try:
        person_id = uuid.UUID(form.get("person_id", ""))
    except ValueError:
        return RedirectResponse("/sign-in", status_code=303)
    async with unit_of_work(request.app.state.sessions) as uow:
        if await _throttled(request, uow):
            return _too_many(request)
        actor = await uow.run(
            lambda session: actor_for_person(session, person_id, via=Via.WEB, source=client_address(request))
        )
        if actor is None:
            return RedirectResponse("/sign-in", status_code=303)
        return await _signed_in(request, uow, actor, issuer=None, id_token=None)


def _provider(request: Request) -> OidcProvider:
    provider = _settings(request).provider(request.path_params["provider"])
    if provider is None:
        raise PageNotFound
    return provider


async def start_oidc(request: Request) -> Response:
    """Send the person to their organisation's sign-in service (a form post, so no other site can)."""
    provider = _provider(request)
    await posted_form(request)
    async with unit_of_work(request.app.state.sessions) as uow:
        if await _throttled(request, uow):
            return _too_many(request)
    client = client_for(request.app.state.oidc, provider)
    try:
        redirect: Response = await client.authorize_redirect(request, _callback_url(request, provider))
        return redirect
    except httpx2.HTTPError as error:
        log.error("sign-in service %s is not answering: %r", provider.name, error)
        return render(
            request,
            "sign_in_refused.html",
            {
                "title": "Sorry, you cannot sign in at the moment",
                "message": f"{provider.label}'s sign-in service is not answering. Try again soon.",
            },
            status_code=503,
        )


def _callback_url(request: Request, provider: OidcProvider) -> str:
    return f"{_settings(request).base_url.rstrip('/')}/sign-in/{provider.name}/callback"


async def oidc_callback(request: Request) -> Response:
    """The provider sends the person back with a code: exchange it, check who they are, start a session."""
    provider = _provider(request)
    async with unit_of_work(request.app.state.sessions) as uow:
        if await _throttled(request, uow):
            return _too_many(request)
    client = client_for(request.app.state.oidc, provider)
    try:
        token = await client.authorize_access_token(request)
        # Some providers (oidc-provider among them) put only the subject in the ID token: ask for the rest.
        profile = {**(token.get("userinfo") or {}), **(await client.userinfo(token=token))}
    except (OAuthError, JoseError, httpx2.HTTPError) as error:
        # Cancelled at the provider, a replayed or forged callback, a bad ID token, or the provider down.
        log.warning("sign-in with %s did not complete: %r", provider.name, error)
        return _refused(
            request,
            SignInRefused(
                "incomplete",
                "Signing in did not complete, or was cancelled. Go back to the sign-in page and try again.",
            ),
        )
    claims = token.get("userinfo") or {}
    if profile.get("sub") != claims.get(
        "sub"
    ):  # OpenID Connect Core 5.3.2: userinfo is about the same person
        return _refused(request, SignInRefused("subject_mismatch", "Signing in did not complete. Try again."))
    if claims.get("iss") != provider.issuer:
        return _refused(
            request,
            SignInRefused(
                "issuer_not_allowed", "The sign-in service you used is not one the portal accepts."
            ),
        )
    if provider.tenants and claims.get("tid") not in provider.tenants:
        return _refused(
            request,
            SignInRefused("tenant_not_allowed", "Your organisation's account is not one the portal accepts."),
        )
    email = profile.get("email") or profile.get("preferred_username")
    async with unit_of_work(request.app.state.sessions) as uow:

        async def who(session: AsyncSession) -> Actor | None:
            person = await person_for_sign_in(
                session,
                issuer=provider.issuer,
                subject=str(claims["sub"]),
                email=email,
                email_verified=profile.get("email_verified"),
                organisations=provider.organisations,
            )
            return await actor_for_person(session, person.id, via=Via.WEB, source=client_address(request))

        try:
            actor = await uow.run(who)
        except SignInRefused as refusal:
            uow.fail()
            return _refused(request, refusal)
        assert actor is not None
        return await _signed_in(request, uow, actor, issuer=provider.issuer, id_token=token.get("id_token"))


async def sign_out(request: Request) -> Response:
    """End the session here, then at the provider it came from (where there is one)."""
    await posted_form(request)
    token = end_session(request)
    ended = None
    if token:
        async with unit_of_work(request.app.state.sessions) as uow:

            async def end(session: AsyncSession) -> WebSession | None:
                found = await sessions.end(session, token)
                if found is not None:
                    actor = await actor_for_person(
                        session, found.person_id, via=Via.WEB, source=client_address(request)
                    )
                    audit.record(
                        session, actor, "sign_out", subject_type="person", subject_id=found.person_id
                    )
                return found

            ended = await uow.run(end)
    provider = next(
        (p for p in _settings(request).oidc_providers if ended and p.issuer == ended.issuer), None
    )
    if provider is None or ended is None:
        return RedirectResponse("/signed-out", status_code=303)
    metadata = await client_for(request.app.state.oidc, provider).load_server_metadata()
    endpoint = metadata.get("end_session_endpoint")
    if not endpoint:
        return RedirectResponse("/signed-out", status_code=303)
    query = {
        "client_id": provider.client_id,
        "post_logout_redirect_uri": _settings(request).base_url.rstrip("/") + "/signed-out",
    }
    if ended.id_token:
        query["id_token_hint"] = ended.id_token
    return RedirectResponse(f"{endpoint}?{urlencode(query)}", status_code=303)


async def signed_out(request: Request) -> Response:
    return render(request, "signed_out.html", {})


routes = [
    Route("/", home),
    Route("/sign-in", sign_in_page, methods=["GET"]),
    Route("/sign-in/demo", demo_sign_in, methods=["POST"]),
    Route("/sign-in/{provider}", start_oidc, methods=["POST"]),
    Route("/sign-in/{provider}/callback", oidc_callback, methods=["GET"]),
    Route("/sign-out", sign_out, methods=["POST"]),
    Route("/signed-out", signed_out, methods=["GET"]),
]
