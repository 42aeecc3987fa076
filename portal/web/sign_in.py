"""Signing in and out: OpenID Connect with each organisation's own provider, and, for the embedded demo
only, a picker of made-up people."""

from __future__ import annotations

import logging
import uuid
from urllib.parse import urlencode

import httpx2
from authlib.integrations.base_client import OAuthError
from joserfc.errors import JoseError
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from models import AuditOutcome, WebSession
from portal.audit import service as audit
from portal.auth import sessions, throttle
from portal.auth.actor import Actor, Via
from portal.auth.identities import ASK_ADMINISTRATOR, SignInRefused, person_for_sign_in, stable_subject
from portal.auth.oidc import client_for
from portal.auth.service import actor_for_person
from portal.auth.web import SESSION_TOKEN, begin_session, client_address, end_session
from portal.db import Intent, UnitOfWork, unit_of_work
from portal.settings import OidcProvider, Settings
from portal.web.next_steps import landing_page
from portal.web.operations import PageNotFound
from portal.web.rendering import render
from portal.web.requests import maybe_signed_in, posted_form, signed_in

log = logging.getLogger("portal.sign_in")


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def home(request: Request) -> Response:
    """Each person lands first on what needs doing, by their roles (portal/web/next_steps.py)."""
    if not request.session.get("session"):
        return RedirectResponse("/sign-in", status_code=303)
    async with signed_in(request) as (_, actor):
        pass
    return RedirectResponse(landing_page(actor.roles), status_code=303)


async def sign_in_page(request: Request) -> Response:
    settings = _settings(request)
    personas = []
    if settings.demo_sign_in:
        # Imported here: the demo world is not loaded at all unless the demo sign-in is on.
        from portal.demo import personas as demo_personas

        async with unit_of_work(request.app.state.sessions) as uow:
            personas = await uow.run(demo_personas)
    return render(request, "sign_in.html", {"personas": personas, "providers": settings.oidc_providers})


# How sign-in is rate limited (limits and windows in the settings; the counting in portal/auth/throttle.py).
# A sign-in counts once against each of two things:
# - its account at the provider (issuer and stable subject), as soon as the provider has said who it is,
#   whether the sign-in then succeeds or not; a burst at one account is refused, from wherever it comes;
# - its address, only if it fails: a callback that is forged, replayed, cancelled or refused. Those are what
#   an attacker can repeat (a callback needs no start) and each costs a request to the provider.
# Pressing "Sign in" (the start) counts nothing: it only sends the browser to the provider. An address over
# its limit is refused at the start and at the callback, before the provider is asked anything.


def _address_key(request: Request) -> str:
    return throttle.address_key(client_address(request))


async def _address_within_limit(request: Request) -> bool:
    limit = throttle.address_limit(_settings(request))
    async with unit_of_work(request.app.state.sessions, Intent.READ) as uow:
        return await uow.run(lambda session: throttle.within(session, _address_key(request), limit))


async def _account_attempt(request: Request, account: str) -> bool:
    """Count a sign-in against the account (its own transaction: it counts even if the sign-in is then
    refused); False if the account has had too many."""
    limit = throttle.account_limit(_settings(request))
    async with unit_of_work(request.app.state.sessions) as uow:
        allowed = await uow.run(lambda session: throttle.attempt(session, account, limit))
        _sweep_attempts(request, uow)
    return allowed


def _sweep_attempts(request: Request, uow: UnitOfWork) -> None:
    window = throttle.longest_window(_settings(request))
    uow.after("sign_in_attempts", lambda session: throttle.forget_old_attempts(session, window))


def _too_many(request: Request, *, account: bool = False) -> Response:
    settings = _settings(request)
    log.warning(
        "sign-in from %s: too many attempts (%s)",
        client_address(request),
        "account" if account else "address",
    )
    if account:
        minutes = settings.sign_in_account_window_minutes
        message = "There have been too many attempts to sign in to your account."
    else:
        minutes = settings.sign_in_window_minutes
        message = "There have been too many attempts to sign in from your network."
    return render(
        request,
        "sign_in_refused.html",
        {
            "title": "Too many attempts to sign in",
            "message": f"{message} Wait {minutes} minutes and try again.",
        },
        status_code=429,
    )


async def _refused(request: Request, refusal: SignInRefused) -> Response:
    """A sign-in that failed, explained (and noted)."""
    await _note_refusal(request, refusal)
    return render(
        request,
        "sign_in_refused.html",
        {"title": "You cannot sign in", "message": refusal.message},
        status_code=403,
    )


async def _note_refusal(request: Request, refusal: SignInRefused) -> None:
    """A sign-in that failed: counted against its address, and recorded in the audit trail (with the person
    it would have been, if the portal could tell)."""
    address = client_address(request)
    log.warning("sign-in refused from %s: %s", address, refusal.reason)
    limit = throttle.address_limit(_settings(request))

    async def note(session: AsyncSession) -> None:
        throttle.count(session, throttle.address_key(address), limit)
        audit.record(
            session,
            None,
            f"refused:sign_in:{refusal.reason}",
            subject_type="person",
            subject_id=refusal.person_id,
            outcome=AuditOutcome.REFUSED,
            via=Via.WEB,
            source=address,
        )

    async with unit_of_work(request.app.state.sessions) as uow:
        await uow.run(note)
        _sweep_attempts(request, uow)


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
    return RedirectResponse("/", status_code=303)


async def demo_sign_in(request: Request) -> Response:
    if not _settings(request).demo_sign_in:
        raise PageNotFound
    form = await posted_form(request)
    try:
        person_id = uuid.UUID(form.get("person_id", ""))
    except ValueError:
        return RedirectResponse("/sign-in", status_code=303)
    # Limited like any sign-in by its address; it has no account to protect (anyone may be anyone).
    if not await _address_within_limit(request):
        return _too_many(request)
    async with unit_of_work(request.app.state.sessions) as uow:
        actor = await uow.run(
            lambda session: actor_for_person(session, person_id, via=Via.WEB, source=client_address(request))
        )
        if actor is not None:
            return await _signed_in(request, uow, actor, issuer=None, id_token=None)
    await _note_refusal(request, SignInRefused("unknown_person", "", person_id))
    return RedirectResponse("/sign-in", status_code=303)


def _provider(request: Request) -> OidcProvider:
    provider = _settings(request).provider(request.path_params["provider"])
    if provider is None:
        raise PageNotFound
    return provider


async def start_oidc(request: Request) -> Response:
    """Send the person to their organisation's sign-in service (a form post, so no other site can)."""
    provider = _provider(request)
    await posted_form(request)
    if not await _address_within_limit(request):
        return _too_many(request)
    client = client_for(request.app.state.oidc, provider)
    try:
        redirect: Response = await client.authorize_redirect(request, _callback_url(request, provider))
        return redirect
    except httpx2.HTTPError as error:
        return _not_answering(request, provider, error)


def _not_answering(request: Request, provider: OidcProvider, error: Exception) -> Response:
    """The provider is down: nobody's fault here, so nothing is counted against anyone."""
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
    if not await _address_within_limit(request):
        return _too_many(request)
    client = client_for(request.app.state.oidc, provider)
    try:
        token = await client.authorize_access_token(request)
        # Some providers (oidc-provider among them) put only the subject in the ID token: ask for the rest.
        profile = {**(token.get("userinfo") or {}), **(await client.userinfo(token=token))}
    except httpx2.HTTPError as error:
        return _not_answering(request, provider, error)
    except (OAuthError, JoseError) as error:
        # Cancelled at the provider, a replayed or forged callback, or a bad ID token.
        log.warning("sign-in with %s did not complete: %r", provider.name, error)
        return await _refused(
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
        return await _refused(
            request, SignInRefused("subject_mismatch", "Signing in did not complete. Try again.")
        )
    if claims.get("iss") != provider.issuer:
        return await _refused(
            request,
            SignInRefused(
                "issuer_not_allowed", "The sign-in service you used is not one the portal accepts."
            ),
        )
    if provider.tenants and claims.get("tid") not in provider.tenants:
        return await _refused(
            request,
            SignInRefused("tenant_not_allowed", "Your organisation's account is not one the portal accepts."),
        )
    # Who they are at the provider, for good: the signed ID token's claims first, then userinfo's.
    subject = stable_subject(provider, claims, profile)
    if subject is None:
        return await _refused(
            request,
            SignInRefused(
                "no_subject",
                f"Your organisation's sign-in service did not say who you are. {ASK_ADMINISTRATOR}",
            ),
        )
    if not await _account_attempt(request, throttle.account_key(provider.issuer, subject)):
        return _too_many(request, account=True)
    email = profile.get("email")
    refused: SignInRefused | None = None
    async with unit_of_work(request.app.state.sessions) as uow:

        async def who(session: AsyncSession) -> Actor | None:
            person = await person_for_sign_in(
                session,
                issuer=provider.issuer,
                subject=subject,
                email=email if isinstance(email, str) else None,
                # Only an exact true will do: a provider that does not say has not verified the address.
                email_verified=profile.get("email_verified"),
                organisations=provider.organisations,
                former_subject=str(claims["sub"]) if claims.get("sub") else None,
            )
            return await actor_for_person(session, person.id, via=Via.WEB, source=client_address(request))

        try:
            actor = await uow.run(who)
        except SignInRefused as refusal:
            uow.fail()
            refused = refusal
        else:
            assert actor is not None
            return await _signed_in(
                request, uow, actor, issuer=provider.issuer, id_token=token.get("id_token")
            )
    # Outside the failed unit of work, which has rolled back whatever it did.
    return await _refused(request, refused)


async def sign_out(request: Request) -> Response:
    """The sign-out form's post (CSRF checked): sign out."""
    await posted_form(request)
    return await _sign_out(request)


async def sign_out_link(request: Request) -> Response:
    """The navigation's "Sign out" link. A link carries no CSRF token, so it signs out at once only when the
    browser says it was followed from one of the portal's own pages (``Sec-Fetch-Site: same-origin``, which
    browsers set and no other site's page can forge); otherwise, a link on another site for one, it asks
    first, with a form. A browser prefetching the link signs nobody out either."""
    same_origin = request.headers.get("sec-fetch-site") == "same-origin"
    prefetch = "prefetch" in request.headers.get("sec-purpose", request.headers.get("purpose", ""))
    if not request.session.get(SESSION_TOKEN):
        return RedirectResponse("/signed-out", status_code=303)
    if request.method == "GET" and same_origin and not prefetch:
        return await _sign_out(request)
    actor = await maybe_signed_in(request)
    if actor is None:
        return RedirectResponse("/signed-out", status_code=303)
    return render(request, "sign_out.html", {"actor": actor})


async def _sign_out(request: Request) -> Response:
    """End the session here, then at the provider it came from (where there is one)."""
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
    Route("/sign-out", sign_out_link, methods=["GET"]),
    Route("/signed-out", signed_out, methods=["GET"]),
]
