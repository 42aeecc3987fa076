"""Administrators' pages (organisations, people and their roles) and everyone's own API tokens.

Least privilege: an administrator's page answers anyone else, and an administrator of another organisation,
with the same 404 as a page that does not exist. The API refuses the same people; the pages check first so
that they never show a refusal the API would give as an error."""

from __future__ import annotations

import secrets
import uuid
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from models import OrganisationKind, Role
from portal.access.policy import ROLE_ORGANISATION, Permission, administers, grantable, has_global_permission
from portal.auth.actor import Actor
from portal.auth.tokens import DEFAULT_DAYS
from portal.db import UnitOfWork
from portal.mail import service as mail
from portal.settings import OidcProvider
from portal.web.forms import FormErrors
from portal.web.labels import LABELS
from portal.web.operations import PageNotFound
from portal.web.pages import Flash, operations
from portal.web.rendering import TEMPLATES, render
from portal.web.requests import posted_form, signed_in

ADMIN_ROLES = frozenset({Role.ADMIN, Role.NATIONAL_ADMIN})


def admin_nav(actor: Actor | None) -> tuple[str, str] | None:
    """The service navigation's link to the administrators' pages, (href, label), for any administrator."""
    if actor is None or not _administrator(actor):
        return None
    return ("/admin/organisations", "Organisations") if _national(actor) else ("/admin/people", "People")


# For the service navigation in base.html: {% set admin_link = admin_nav(actor) %}.
TEMPLATES.env.globals["admin_nav"] = admin_nav


def _administrator(actor: Actor) -> bool:
    return has_global_permission(actor.roles, Permission.ADMINISTER, actor.scopes)


def _national(actor: Actor) -> bool:
    return has_global_permission(actor.roles, Permission.ADMINISTER_NATIONALLY, actor.scopes)


def _require_administrator(actor: Actor) -> None:
    """Anyone who is not an administrator gets the 404 of a page that is not there."""
    if not _administrator(actor):
        raise PageNotFound


# ---------------------------------------------------------------------------------------------------------
# Email that gave up (administrators, and managers, of the people it was for)


async def undelivered_page(request: Request) -> Response:
    async with signed_in(request) as (uow, actor):
        if not mail.sees_undelivered(actor):
            raise PageNotFound
        emails = (await operations(request).run(uow, actor, "UndeliveredEmail", {}))["undeliveredEmail"]
    flash = (
        Flash("The email is queued again: it will be sent now.", True)
        if request.query_params.get("done") == "queued"
        else None
    )
    return render(
        request,
        "undelivered_email.html",
        {"actor": actor, "emails": emails, "may_retry": mail.may_retry(actor), "flash": flash},
    )


async def retry_email(request: Request) -> Response:
    await posted_form(request)
    async with signed_in(request) as (uow, actor):
        variables = {"input": {"id": request.path_params["email_id"]}}
        result = (await operations(request).run(uow, actor, "RetryEmail", variables))["retryEmail"]
        if result["errors"]:
            raise PageNotFound  # not theirs, not there, or not theirs to queue: the same to them
    return RedirectResponse("/admin/email?done=queued", status_code=303)


# ---------------------------------------------------------------------------------------------------------
# Organisations (national administrators)

ORGANISATION_FIELDS = {
    "kind": "kind",
    "name": "name",
    "onsCode": "onsCode",
    "serviceAreaId": "serviceAreaId",
    "form": "kind",
}


async def organisations_page(request: Request) -> Response:
    async with signed_in(request) as (uow, actor):
        _require_administrator(actor)
        if not _national(actor):
            # An administrator has one organisation: theirs.
            return RedirectResponse(_people_url(str(actor.organisation_id)), status_code=303)
        organisations = (await operations(request).run(uow, actor, "Organisations", {}))["organisations"]
    return render(request, "admin_organisations.html", {"actor": actor, "organisations": organisations})


async def organisation_form(request: Request) -> Response:
    async with signed_in(request) as (uow, actor):
        areas = await _national_service_areas(request, uow, actor)
    # Back from checking the answers: the form as it was.
    values = {
        name: request.query_params.get(name, "") for name in ("kind", "name", "onsCode", "serviceAreaId")
    }
    return _render_organisation_form(request, actor, areas, values, FormErrors(ORGANISATION_FIELDS))


async def add_organisation(request: Request) -> Response:
    """Checked first (the mutation run and rolled back), then shown to check, then added: an organisation
    can be neither renamed nor removed."""
    form = await posted_form(request)
    errors = FormErrors(ORGANISATION_FIELDS)
    kind = form.get("kind", "")
    if kind not in LABELS["organisation_kind"]:
        errors.add("kind", "Select what kind of organisation it is")
    # Without a kind, one that needs nothing more, so that the API still checks the name; which kinds take
    # an ONS code or a service area is the API's to say once the kind is known.
    chosen = not errors
    variables = {
        "input": {
            "kind": kind if chosen else OrganisationKind.CAFCASS_SERVICE_AREA.name,
            "name": form.get("name", ""),
            "onsCode": (form.get("onsCode") or None) if chosen else None,
            "serviceAreaId": (form.get("serviceAreaId") or None) if chosen else None,
        }
    }
    confirmed = form.get("confirmed") == "yes" and not errors
    async with signed_in(request) as (uow, actor):
        areas = await _national_service_areas(request, uow, actor)
        result = (await operations(request).run(uow, actor, "AddOrganisation", variables))["addOrganisation"]
        errors.add_api_errors(result["errors"])
        if errors or not confirmed:
            uow.fail()
        if errors:
            return _render_organisation_form(request, actor, areas, form, errors, status_code=400)
        if not confirmed:
            area = next((a["name"] for a in areas if a["id"] == variables["input"]["serviceAreaId"]), None)
            return render(
                request,
                "admin_organisation_check.html",
                {"actor": actor, "values": form, "kind": kind, "area": area, "input": variables["input"]},
            )
    return RedirectResponse(_people_url(result["organisation"]["id"], done="organisation"), status_code=303)


async def _national_service_areas(request: Request, uow: UnitOfWork, actor: Actor) -> list[dict[str, Any]]:
    """The Cafcass service areas a court may be served by; only national administrators add organisations."""
    if not _national(actor):
        raise PageNotFound
    organisations = (await operations(request).run(uow, actor, "Organisations", {}))["organisations"]
    return [o for o in organisations if o["kind"] == OrganisationKind.CAFCASS_SERVICE_AREA.name]


def _render_organisation_form(
    request: Request,
    actor: Actor,
    areas: list[dict[str, Any]],
    values: dict[str, str],
    errors: FormErrors,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "admin_organisation_form.html",
        {"actor": actor, "areas": areas, "values": values, "errors": errors},
        status_code=status_code,
    )


# ---------------------------------------------------------------------------------------------------------
# People and their roles (administrators: their own organisation's; national administrators: anyone's)

PERSON_FIELDS = {
    "name": "name",
    "email": "email",
    "roles": "roles",
    "invitedSubject.provider": "invitedProvider",
    "invitedSubject.subject": "invitedSubject",
    "form": "name",
}

# What each role does, as the role checkboxes' hints say it.
ROLE_HINTS = {
    "GUARDIAN": "Represents children in care proceedings.",
    "CAFCASS_MANAGER": "Allocates guardians to cases and sees the service area's adherence.",
    "IRO": "Reviews the care plans of looked-after children.",
    "IRO_MANAGER": "Assigns IROs to children and sees the authority's adherence.",
    "LA_SOLICITOR": "Opens proceedings and records hearings, extensions and final orders.",
    "SOCIAL_WORKER": "Reads the cases they are named on, records their part before each review, and tells "
    "the IRO of significant changes.",
    "LA_MANAGER": "A manager from team manager to director: answers the disputes an IRO names them to.",
    "ADMIN": "Adds people to this organisation and changes their roles.",
    "NATIONAL_ADMIN": "Adds organisations, and manages the people of every organisation.",
}

PEOPLE_FLASH = {
    "organisation": Flash("The organisation is added. Now add its people."),
    "added": Flash("The person is added. They can sign in with their work account."),
    "updated": Flash("The changes are saved."),
    "ended": Flash("Their access has ended. They can no longer sign in or use their API tokens."),
    "restored": Flash("Their access is restored."),
}


async def people_page(request: Request) -> Response:
    async with signed_in(request) as (uow, actor):
        organisation = await administered_organisation(request, uow, actor)
        people = await _people(request, uow, actor, organisation["id"])
    return render(
        request,
        "admin_people.html",
        {
            "actor": actor,
            "organisation": organisation,
            "people": people,
            "national": _national(actor),
            "flash": PEOPLE_FLASH.get(request.query_params.get("done", "")),
        },
    )


async def person_new_form(request: Request) -> Response:
    async with signed_in(request) as (uow, actor):
        organisation = await administered_organisation(request, uow, actor)
    return _render_person_form(request, actor, organisation, None, {}, [], FormErrors(PERSON_FIELDS))


async def add_person(request: Request) -> Response:
    form = await posted_form(request)
    roles = await _chosen_roles(request)
    errors = FormErrors(PERSON_FIELDS)
    _required_email(form, errors)
    async with signed_in(request) as (uow, actor):
        organisation = await administered_organisation(request, uow, actor, form.get("organisation"))
        variables = {
            "input": {
                "organisationId": organisation["id"],
                "name": form.get("name", ""),
                "email": form.get("email", ""),
                "roles": roles,
                "invitedSubject": _invited(request, form, organisation),
            }
        }
        result = (await operations(request).run(uow, actor, "AddPerson", variables))["addPerson"]
        _raise_if_not_found(result["errors"], "organisationId")
        errors.add_api_errors(_in_words(result["errors"], organisation))
        if errors:
            uow.fail()
            return _render_person_form(request, actor, organisation, None, form, roles, errors, 400)
    return RedirectResponse(_people_url(organisation["id"], done="added"), status_code=303)


async def person_page(request: Request) -> Response:
    async with signed_in(request) as (uow, actor):
        organisation = await administered_organisation(request, uow, actor)
        person = await _person(request, uow, actor, organisation)
    values = {"name": person["name"], "email": person["email"]}
    return _render_person_form(
        request, actor, organisation, person, values, person["roles"], FormErrors(PERSON_FIELDS)
    )


async def update_person(request: Request) -> Response:
    """Save changes to a name, email, roles or sign-in account. Taking an administrator role from yourself
    takes away what these pages let you do: it is asked about once more."""
    form = await posted_form(request)
    roles = await _chosen_roles(request)
    errors = FormErrors(PERSON_FIELDS)
    _required_email(form, errors)
    async with signed_in(request) as (uow, actor):
        organisation = await administered_organisation(request, uow, actor, form.get("organisation"))
        person = await _person(request, uow, actor, organisation)
        if not roles:
            errors.add(
                "roles", "Give the person at least one role. To stop them using the portal, end their access"
            )
        # The administrator roles you would take from yourself (an empty set for anyone else).
        yourself = person["id"] == str(actor.person_id)
        lost = (actor.roles & ADMIN_ROLES) - {Role[r] for r in roles} if yourself and roles else frozenset()
        variables = {
            "input": {
                "id": person["id"],
                "name": form.get("name", ""),
                "email": form.get("email", ""),
                # Without a role, their roles are left as they are while the API checks the rest.
                "roles": roles or None,
                "invitedSubject": _invited(request, form, organisation),
            }
        }
        result = (await operations(request).run(uow, actor, "UpdatePerson", variables))["updatePerson"]
        _raise_if_not_found(result["errors"], "id")
        errors.add_api_errors(_in_words(result["errors"], organisation))
        confirm = bool(lost) and form.get("confirmed") != "yes"
        if errors or confirm:
            uow.fail()
        if errors:
            return _render_person_form(request, actor, organisation, person, form, roles, errors, 400)
        if confirm:
            return render(
                request,
                "admin_confirm_roles.html",
                {
                    "actor": actor,
                    "organisation": organisation,
                    "person": person,
                    "values": form,
                    "roles": roles,
                    "national_only": Role.ADMIN not in lost,
                },
            )
    if lost:
        # Their reach is less now: their own organisation's people, or (no administrator at all) their cases.
        still_admin = bool({Role[r] for r in roles} & ADMIN_ROLES)
        return RedirectResponse(
            _people_url(str(actor.organisation_id)) if still_admin else "/", status_code=303
        )
    return RedirectResponse(_people_url(organisation["id"], done="updated"), status_code=303)


async def end_access_form(request: Request) -> Response:
    async with signed_in(request) as (uow, actor):
        organisation = await administered_organisation(request, uow, actor)
        person = await _person(request, uow, actor, organisation)
        _not_yourself(actor, person)
    if not person["active"]:
        return RedirectResponse(_person_url(person["id"], organisation["id"]), status_code=303)
    return render(
        request, "admin_end_access.html", {"actor": actor, "organisation": organisation, "person": person}
    )


async def end_access(request: Request) -> Response:
    return await _set_active(request, active=False)


async def restore_access(request: Request) -> Response:
    return await _set_active(request, active=True)


async def _set_active(request: Request, *, active: bool) -> Response:
    form = await posted_form(request)
    async with signed_in(request) as (uow, actor):
        organisation = await administered_organisation(request, uow, actor, form.get("organisation"))
        person = await _person(request, uow, actor, organisation)
        _not_yourself(actor, person)
        variables = {"input": {"id": person["id"], "active": active}}
        result = (await operations(request).run(uow, actor, "UpdatePerson", variables))["updatePerson"]
        if result["errors"]:
            raise PageNotFound
    return RedirectResponse(
        _people_url(organisation["id"], done="restored" if active else "ended"), status_code=303
    )


def _not_yourself(actor: Actor, person: dict[str, Any]) -> None:
    """Nobody ends their own access: they would be signed out with nobody to undo it."""
    if person["id"] == str(actor.person_id):
        raise PageNotFound


async def administered_organisation(
    request: Request, uow: UnitOfWork, actor: Actor, chosen: str | None = None
) -> dict[str, Any]:
    """The organisation the page is about (``?organisation=``, or the actor's own), if the actor administers
    it; otherwise the 404 of a page that is not there."""
    _require_administrator(actor)
    wanted = chosen or request.query_params.get("organisation") or str(actor.organisation_id)
    try:
        organisation_id = uuid.UUID(wanted)
    except ValueError:
        raise PageNotFound from None
    if not administers(actor, organisation_id):
        raise PageNotFound
    organisations: list[dict[str, Any]] = (await operations(request).run(uow, actor, "Organisations", {}))[
        "organisations"
    ]
    found = next((o for o in organisations if o["id"] == str(organisation_id)), None)
    if found is None:
        raise PageNotFound
    return found


async def _people(
    request: Request, uow: UnitOfWork, actor: Actor, organisation_id: str
) -> list[dict[str, Any]]:
    data = await operations(request).run(uow, actor, "People", {"organisationId": organisation_id})
    people: list[dict[str, Any]] = data["people"]
    for person in people:
        # A national administrator is managed by national administrators only (as the API says).
        person["manageable"] = _national(actor) or Role.NATIONAL_ADMIN.name not in person["roles"]
    return people


async def _person(
    request: Request, uow: UnitOfWork, actor: Actor, organisation: dict[str, Any]
) -> dict[str, Any]:
    """The person the path names, one of the organisation's people the actor may manage; else a 404."""
    wanted = request.path_params["person_id"]
    people = await _people(request, uow, actor, organisation["id"])
    person = next((p for p in people if p["id"] == wanted and p["manageable"]), None)
    if person is None:
        raise PageNotFound
    return person


async def _chosen_roles(request: Request) -> list[str]:
    """The ticked roles that are roles at all (a made-up value is ignored, as an unticked box is)."""
    return [
        r for r in (await request.form()).getlist("roles") if isinstance(r, str) and r in Role.__members__
    ]


def _role_options(actor: Actor, organisation: dict[str, Any]) -> list[tuple[str, str, str]]:
    """The roles that make sense for the organisation's kind (the service refuses the rest), and
    national administrator only for a national administrator to give."""
    kind = OrganisationKind[organisation["kind"]]
    return [
        (role.name, LABELS["role"][role.name], ROLE_HINTS[role.name])
        for role in Role
        if ROLE_ORGANISATION[role] in {None, kind} and (role is not Role.NATIONAL_ADMIN or _national(actor))
    ]


def _providers(request: Request, organisation: dict[str, Any]) -> list[OidcProvider]:
    """The sign-in services the organisation's people may use (a provider naming no organisations serves
    all)."""
    providers: list[OidcProvider] = request.app.state.settings.oidc_providers
    return [p for p in providers if not p.organisations or organisation["name"] in p.organisations]


def _invited(request: Request, form: dict[str, str], organisation: dict[str, Any]) -> dict[str, str] | None:
    """The account at a sign-in service the administrator named, if they named one."""
    subject = form.get("invitedSubject", "").strip()
    if not subject:
        return None
    providers = _providers(request, organisation)
    provider = form.get("invitedProvider") or (providers[0].name if len(providers) == 1 else "")
    return {"provider": provider, "subject": subject}


def _required_email(form: dict[str, str], errors: FormErrors) -> None:
    """An empty email address is missing, not malformed (the API says only how it should look)."""
    if not form.get("email", "").strip():
        errors.add("email", "Enter their work email address")


def _raise_if_not_found(errors: list[dict[str, Any]], field: str) -> None:
    """Another organisation's person or organisation is missing, not forbidden: the page's 404."""
    if any(e["code"] == "NOT_FOUND" and e["field"] == field for e in errors):
        raise PageNotFound


def _in_words(errors: list[dict[str, Any]], organisation: dict[str, Any]) -> list[dict[str, Any]]:
    """The service names a role that does not suit the organisation by its code: say it in words."""
    kind = LABELS["organisation_kind"][organisation["kind"]]
    message = f"Choose only roles that someone at {organisation['name']} ({kind}) can have"
    return [{**e, "message": message} if e["code"] == "WRONG_ORGANISATION" else e for e in errors]


def _render_person_form(
    request: Request,
    actor: Actor,
    organisation: dict[str, Any],
    person: dict[str, Any] | None,
    values: dict[str, str],
    roles: list[str],
    errors: FormErrors,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "admin_person_form.html",
        {
            "actor": actor,
            "organisation": organisation,
            "person": person,
            "yourself": person is not None and person["id"] == str(actor.person_id),
            "values": values,
            "chosen_roles": roles,
            "role_options": _role_options(actor, organisation),
            "providers": _providers(request, organisation),
            "errors": errors,
        },
        status_code=status_code,
    )


def _people_url(organisation_id: str, done: str | None = None) -> str:
    query = {"organisation": organisation_id, **({"done": done} if done else {})}
    return "/admin/people?" + urlencode(query)


def _person_url(person_id: str, organisation_id: str) -> str:
    return f"/admin/people/{person_id}?" + urlencode({"organisation": organisation_id})


# ---------------------------------------------------------------------------------------------------------
# Your API tokens (everyone)

TOKEN_FIELDS = {"label": "label", "scopes": "scopes", "expiresInDays": "expiresInDays", "form": "label"}

# What a token may be used for, in words, by the schema's names for the scopes.
SCOPES: dict[str, str] = {
    "READ_CASE": "Read your cases",
    "LOG_CONTACT": "Log contacts",
    "MARK_REPLY": "Mark replies as received",
    "MANAGE_PROCEEDINGS": "Record hearings, stages, extensions and final orders",
    "ALLOCATE_GUARDIAN": "Allocate guardians",
    "ASSIGN_IRO": "Assign IROs",
    "VIEW_ACCESS_LOG": "Read a case's access log",
    "WAIVE_OBLIGATION": "Waive an obligation, with a reason",
    "RECORD_ARRANGEMENT": "Record how the guardian and the IRO keep in touch",
    "MANAGE_REVIEWS": "Book and record reviews",
    "PREPARE_REVIEWS": "Record the social worker's part before a review",
    "NOTIFY_CHANGES": "Tell the IRO of a significant change in a child's circumstances",
    "WRITE_TO_CHILD": "Introduce yourself to a child, and tell them what a dispute decided, each by letter",
    "RECORD_DISCUSSION": "Record discussions",
    "RAISE_CONCERN": "Raise concerns",
    "RECORD_SIGNIFICANT_ISSUE": "Record significant issues",
    "ACKNOWLEDGE_ISSUE": "Acknowledge concerns and significant issues",
    "READ_ISSUES": "Read concerns and significant issues",
    "READ_HANDOVER": "Read handovers",
    "FILE_PAPER": "File court papers",
    "CONFIRM_FORWARDING": "Confirm court papers are forwarded to the IRO",
    "RECORD_IRO_VIEW": "Record whether your analysis cites the IRO's view of the care plan",
    "WRITE_HANDOVER": "Write the handover and close your involvement",
    "ANSWER_HANDOVER": "Acknowledge or return handovers",
    "OVERRIDE_CLOSURE": "Close a guardian's involvement with a reasoned override",
    "EXPORT_CHILD_FILE": "Export a child's file",
    "MANAGE_LEGAL_HOLDS": "Place and lift legal holds on cases",
    "RAISE_CHALLENGE": "Raise challenges and take disputes up the authority's ladder",
    "READ_DISPUTES": "Read the disputes you may see",
    "ANSWER_DISPUTE": "Answer the disputes you are named to, or give your view of one",
    "REFER_TO_CAFCASS": "Refer a case to Cafcass",
    "READ_REFERRALS": "Read the referrals to Cafcass you may see",
    "MANAGE_REFERRAL": "Acknowledge referrals to Cafcass and appoint their officers",
    "ENQUIRE_REFERRAL": "Record the enquiries and outcome of the referrals you are appointed to",
    "READ_PRIVATE_RECORDS": "Read what was said in records private to the guardian and the IRO, and (as the "
    "child's IRO) what a child said privately at a review",
    "RECORD_CONFLICTS": "Record a conflict of interest between an IRO and a child",
    "OPEN_PROCEEDINGS": "Open proceedings",
    "VIEW_ADHERENCE": "Read the adherence dashboards",
    "KEEP_WORKLOADS": "Keep the IROs' workload profiles and the authority's weightings",
    "RECORD_CONFERENCES": "Enter the child-protection conferences chaired each month",
    "MANAGE_TOKENS": "Make and revoke API tokens",
    "ADMINISTER": "Manage your organisation's people and its rules",
    "ADMINISTER_NATIONALLY": "Add organisations and manage everyone's people",
}

EXPIRY_OPTIONS = [
    ("7", "7 days", None),
    ("30", "30 days", None),
    ("90", "90 days", None),
    ("365", "1 year", None),
]

TOKEN_FLASH = {
    "revoked": Flash("The token is revoked. It no longer works."),
    "shown": Flash(
        "That token is made already. Its secret is shown only once: if you did not copy it, "
        "revoke it and make another.",
        success=False,
    ),
}
# How many made tokens' form ids a session remembers, so that sending the form again makes no second token.
REMEMBERED_ATTEMPTS = 5


async def tokens_page(request: Request) -> Response:
    async with signed_in(request) as (uow, actor):
        tokens = (await operations(request).run(uow, actor, "ApiTokens", {}))["apiTokens"]
    return render(
        request,
        "tokens.html",
        {
            "actor": actor,
            "tokens": tokens,
            "scopes": SCOPES,
            "flash": TOKEN_FLASH.get(request.query_params.get("done", "")),
        },
    )


async def token_form(request: Request) -> Response:
    async with signed_in(request) as (_uow, actor):
        pass
    values = {"expiresInDays": str(DEFAULT_DAYS), "attempt": secrets.token_urlsafe(16)}
    return _render_token_form(request, actor, values, [], FormErrors(TOKEN_FIELDS))


async def create_token(request: Request) -> Response:
    """Make the token and show its secret on the page this post answers, once: never in a URL, never in
    the session, never kept by the browser (the pages are ``no-store``)."""
    form = await posted_form(request)
    attempt = form.get("attempt", "")
    if attempt and attempt in request.session.get("tokens_made", []):
        # The form sent again (a refresh, the back button): the token exists, its secret is gone.
        return RedirectResponse("/settings/tokens?done=shown", status_code=303)
    scopes = [s for s in (await request.form()).getlist("scopes") if isinstance(s, str) and s in SCOPES]
    errors = FormErrors(TOKEN_FIELDS)
    days_text = form.get("expiresInDays", "")
    if days_text not in {value for value, _, _ in EXPIRY_OPTIONS}:
        errors.add("expiresInDays", "Select how long the token works")
    variables = {
        "input": {
            "label": form.get("label", ""),
            "scopes": scopes,
            "expiresInDays": int(days_text) if not errors else DEFAULT_DAYS,
        }
    }
    async with signed_in(request) as (uow, actor):
        result = (await operations(request).run(uow, actor, "CreateApiToken", variables))["createApiToken"]
        errors.add_api_errors(result["errors"])
        if errors:
            uow.fail()
            return _render_token_form(request, actor, form, scopes, errors, status_code=400)
    if attempt:
        request.session["tokens_made"] = [*request.session.get("tokens_made", []), attempt][
            -REMEMBERED_ATTEMPTS:
        ]
    return render(
        request,
        "token_made.html",
        {"actor": actor, "token": result["token"], "secret": result["secret"], "scopes": SCOPES},
    )


async def revoke_form(request: Request) -> Response:
    async with signed_in(request) as (uow, actor):
        tokens = (await operations(request).run(uow, actor, "ApiTokens", {}))["apiTokens"]
    token = next((t for t in tokens if t["id"] == request.path_params["token_id"] and t["live"]), None)
    if token is None:
        raise PageNotFound
    return render(request, "token_revoke.html", {"actor": actor, "token": token, "scopes": SCOPES})


async def revoke_token(request: Request) -> Response:
    await posted_form(request)
    async with signed_in(request) as (uow, actor):
        variables = {"input": {"id": request.path_params["token_id"]}}
        result = (await operations(request).run(uow, actor, "RevokeApiToken", variables))["revokeApiToken"]
        if result["errors"]:
            # Someone else's token, or none: missing and forbidden look the same.
            raise PageNotFound
    return RedirectResponse("/settings/tokens?done=revoked", status_code=303)


def _render_token_form(
    request: Request,
    actor: Actor,
    values: dict[str, str],
    chosen: list[str],
    errors: FormErrors,
    status_code: int = 200,
) -> Response:
    # Only what the person may do: a token never carries more (the API refuses the rest).
    options = [(p.name, SCOPES[p.name], None) for p in Permission if p in grantable(actor.roles)]
    return render(
        request,
        "token_form.html",
        {
            "actor": actor,
            "values": values,
            "chosen": chosen,
            "scope_options": options,
            "expiry_options": EXPIRY_OPTIONS,
            "errors": errors,
        },
        status_code=status_code,
    )


routes = [
    Route("/admin/organisations", organisations_page, methods=["GET"]),
    Route("/admin/organisations/new", organisation_form, methods=["GET"]),
    Route("/admin/organisations/new", add_organisation, methods=["POST"]),
    Route("/admin/people", people_page, methods=["GET"]),
    Route("/admin/people/new", person_new_form, methods=["GET"]),
    Route("/admin/people/new", add_person, methods=["POST"]),
    Route("/admin/people/{person_id}", person_page, methods=["GET"]),
    Route("/admin/people/{person_id}", update_person, methods=["POST"]),
    Route("/admin/people/{person_id}/end-access", end_access_form, methods=["GET"]),
    Route("/admin/people/{person_id}/end-access", end_access, methods=["POST"]),
    Route("/admin/people/{person_id}/restore-access", restore_access, methods=["POST"]),
    Route("/admin/email", undelivered_page, methods=["GET"]),
    Route("/admin/email/{email_id}/retry", retry_email, methods=["POST"]),
    Route("/settings/tokens", tokens_page, methods=["GET"]),
    Route("/settings/tokens/new", token_form, methods=["GET"]),
    Route("/settings/tokens/new", create_token, methods=["POST"]),
    Route("/settings/tokens/{token_id}/revoke", revoke_form, methods=["GET"]),
    Route("/settings/tokens/{token_id}/revoke", revoke_token, methods=["POST"]),
]
