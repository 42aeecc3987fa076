"""Adding organisations and people (the ``portal org add`` and ``portal user add`` commands, the demo)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from models import (
    AuditOutcome,
    EmailPreference,
    Organisation,
    OrganisationKind,
    Person,
    PersonRole,
    Role,
    Team,
)
from portal.access.policy import ROLE_ORGANISATION, Permission, administers, has_global_permission
from portal.audit import service as audit
from portal.auth import identities
from portal.auth.actor import Actor
from portal.auth.identities import InvitedSubject
from portal.errors import DomainError, ErrorCode, NotFound, Problems
from portal.people import repository
from portal.settings import OidcProvider
from portal.validation import clean, clean_required

# GSS codes of English (E06-E10) and Welsh (W06) councils with children's services, e.g. E08000025.
ONS_CODE = re.compile(r"^(E0[6-9]|E10|W06)\d{6}$")
# No spaces and no control characters (PostgreSQL's text cannot even hold NUL).
EMAIL = re.compile(r"^[^@\s\x00-\x1f\x7f]+@[^@\s\x00-\x1f\x7f]+\.[^@\s\x00-\x1f\x7f]+$")


async def add_organisation(
    session: AsyncSession,
    actor: Actor | None,
    *,
    kind: OrganisationKind,
    name: str,
    ons_code: str | None = None,
    service_area_id: uuid.UUID | None = None,
) -> Organisation:
    """A new organisation (national administrators, or the command line with ``actor`` None)."""
    if actor is not None and not has_global_permission(
        actor.roles, Permission.ADMINISTER_NATIONALLY, actor.scopes
    ):
        raise DomainError.one(ErrorCode.NOT_PERMITTED, "Only a national administrator can add organisations")
    problems = Problems()
    name = clean_required(problems, name, "name", "Enter the organisation's name", 200)
    if name and await repository.organisation_name_taken(session, name):
        problems.add(ErrorCode.DUPLICATE, f"An organisation called {name} exists already", "name")
    code = (ons_code or "").strip().upper() or None
    if kind is OrganisationKind.LOCAL_AUTHORITY:
        if code is None:
            problems.add(ErrorCode.REQUIRED, "A local authority needs its ONS code", "onsCode")
        elif not ONS_CODE.match(code):
            problems.add(ErrorCode.INVALID_VALUE, "An ONS code looks like E08000025", "onsCode")
        elif await repository.ons_code_taken(session, code):
            problems.add(ErrorCode.DUPLICATE, f"ONS code {code} is in use already", "onsCode")
    elif code is not None:
        problems.add(ErrorCode.INVALID_VALUE, "Only local authorities have an ONS code", "onsCode")
    if service_area_id is not None:
        area = await session.get(Organisation, service_area_id)
        if kind is not OrganisationKind.COURT:
            problems.add(
                ErrorCode.INVALID_VALUE, "Only a court is served by a Cafcass service area", "serviceAreaId"
            )
        elif area is None or area.kind is not OrganisationKind.CAFCASS_SERVICE_AREA:
            problems.add(ErrorCode.NOT_FOUND, "Cafcass service area not found", "serviceAreaId")
    problems.raise_if_any()
    organisation = Organisation(kind=kind, name=name, ons_code=code, service_area_id=service_area_id)
    session.add(organisation)
    await session.flush()
    audit.record(session, actor, "organisation.add", subject_type="organisation", subject_id=organisation.id)
    return organisation


async def add_person(
    session: AsyncSession,
    actor: Actor | None,
    *,
    organisation_id: uuid.UUID,
    name: str,
    email: str,
    roles: Iterable[Role],
    team: str | None = None,
    invited_subject: InvitedSubject | None = None,
    providers: Sequence[OidcProvider] = (),
) -> Person:
    """A new person, with their email address (how their first sign-in finds them, if their provider has
    verified it), roles and team; and, optionally, their account at one of the ``providers`` (the
    settings' identity providers), which they may then sign in with whatever it says of their email."""
    _require_administrator(actor)
    organisation = await session.get(Organisation, organisation_id)
    if organisation is None or not _administers(actor, organisation.id):
        raise NotFound("Organisation", "organisationId")
    problems = Problems()
    name = clean_required(problems, name, "name", "Enter the person's name", 200)
    email = await _checked_email(session, problems, email, None)
    roles = _checked_roles(problems, roles, organisation, actor)
    account = await _checked_invitation(session, problems, invited_subject, providers, None)
    problems.raise_if_any()
    person = Person(
        organisation_id=organisation.id,
        name=name,
        email=email,
        team_id=await _team_id(session, organisation.id, team),
    )
    session.add(person)
    await session.flush()
    session.add_all(PersonRole(person_id=person.id, role=role) for role in roles)
    await session.flush()
    audit.record(session, actor, "person.add", subject_type="person", subject_id=person.id)
    await _invite(session, actor, person.id, account)
    return person


async def update_person(
    session: AsyncSession,
    actor: Actor | None,
    person_id: uuid.UUID,
    *,
    name: str | None = None,
    email: str | None = None,
    roles: Iterable[Role] | None = None,
    active: bool | None = None,
    team: str | None = None,
    invited_subject: InvitedSubject | None = None,
    providers: Sequence[OidcProvider] = (),
) -> Person:
    """Change a person's details, team (empty for none), roles or whether they may sign in at all, or name
    their account at one of the ``providers`` (in place of any they had there). A person who leaves is made
    inactive, never deleted: the records they wrote still name them."""
    _require_administrator(actor)
    person = await session.get(Person, person_id)
    held = await repository.roles_of(session, person_id)
    # A national administrator is managed by national administrators only, wherever they work.
    if person is None or not _administers(actor, person.organisation_id) or not _may_grant(actor, held):
        raise NotFound("Person", "id")
    organisation = await session.get(Organisation, person.organisation_id)
    assert organisation is not None
    problems = Problems()
    if name is not None:
        person.name = clean_required(problems, name, "name", "Enter the person's name", 200)
    if email is not None:
        person.email = await _checked_email(session, problems, email, person.id)
    new_roles = _checked_roles(problems, roles, organisation, actor) if roles is not None else None
    account = await _checked_invitation(session, problems, invited_subject, providers, person.id)
    problems.raise_if_any()
    if active is not None:
        person.active = active
    if team is not None:
        person.team_id = await _team_id(session, organisation.id, team)
    if new_roles is not None:
        await repository.remove_roles(session, person.id)
        session.add_all(PersonRole(person_id=person.id, role=role) for role in new_roles)
    await session.flush()
    audit.record(session, actor, "person.update", subject_type="person", subject_id=person.id)
    await _invite(session, actor, person.id, account)
    return person


async def _checked_invitation(
    session: AsyncSession,
    problems: Problems,
    invited: InvitedSubject | None,
    providers: Sequence[OidcProvider],
    person_id: uuid.UUID | None,
) -> tuple[str, str] | None:
    """The issuer and stable subject of the account an administrator names, if it is one that can be the
    person's."""
    if invited is None:
        return None
    provider = next((p for p in providers if p.name == invited.provider.strip()), None)
    if provider is None:
        names = ", ".join(p.name for p in providers) or "none"
        problems.add(
            ErrorCode.NOT_FOUND,
            f"There is no sign-in service called {invited.provider.strip()!r} (the portal has: {names})",
            "invitedSubject.provider",
        )
        return None
    subject = identities.parse_subject(provider, invited.subject)
    if subject is None or len(subject) > 300:
        claims = "/".join(provider.subject_claims)
        problems.add(
            ErrorCode.INVALID_VALUE,
            f"Enter the account's {claims} as {provider.label}'s sign-in service gives it",
            "invitedSubject.subject",
        )
        return None
    if await identities.subject_taken(session, provider.issuer, subject, person_id):
        problems.add(
            ErrorCode.DUPLICATE, "That account is linked to someone else already", "invitedSubject.subject"
        )
        return None
    return provider.issuer, subject


async def _invite(
    session: AsyncSession, actor: Actor | None, person_id: uuid.UUID, account: tuple[str, str] | None
) -> None:
    if account is None:
        return
    await identities.invite(session, person_id, *account)
    audit.record(session, actor, "person.invite_account", subject_type="person", subject_id=person_id)


async def _team_id(session: AsyncSession, organisation_id: uuid.UUID, name: str | None) -> uuid.UUID | None:
    """The organisation's team of that name, created the first time it is named; None for no team."""
    name = " ".join(clean(name or "").split())[:200]
    if not name:
        return None
    found = await repository.team_named(session, organisation_id, name)
    if found is not None:
        return found
    team = Team(organisation_id=organisation_id, name=name)
    session.add(team)
    await session.flush()
    return team.id


async def people_of(session: AsyncSession, actor: Actor | None, organisation_id: uuid.UUID) -> list[Person]:
    """Everyone in an organisation, by name (its administrators, and national administrators); for anyone
    else the organisation is not found."""
    _require_administrator(actor)
    if not _administers(actor, organisation_id):
        # Kept, as a refused look at a case is: an administrator reaching for another organisation's staff.
        audit.record(
            session,
            actor,
            f"refused:{Permission.ADMINISTER.value}",
            subject_type="organisation",
            subject_id=organisation_id,
            outcome=AuditOutcome.REFUSED,
        )
        raise NotFound("Organisation", "organisationId")
    # Staff's names and email addresses: who read them is recorded, as a dashboard read is.
    audit.record(session, actor, "people.read", subject_type="organisation", subject_id=organisation_id)
    return await repository.people_of_organisation(session, organisation_id)


async def organisations(session: AsyncSession) -> list[Organisation]:
    """Every organisation, by kind and name: who exists is not secret."""
    return await repository.organisations(session)


def _require_administrator(actor: Actor | None) -> None:
    if actor is not None and not has_global_permission(actor.roles, Permission.ADMINISTER, actor.scopes):
        raise DomainError.one(ErrorCode.NOT_PERMITTED, "Only an administrator can do this")


def _administers(actor: Actor | None, organisation_id: uuid.UUID) -> bool:
    """The command line administers everything; a person, by the role table (their own organisation, or
    every one for a national administrator)."""
    return actor is None or administers(actor, organisation_id)


async def _checked_email(
    session: AsyncSession, problems: Problems, email: str, person_id: uuid.UUID | None
) -> str:
    email = email.strip().lower()
    if not EMAIL.match(email) or len(email) > 320:
        problems.add(ErrorCode.INVALID_VALUE, "Enter an email address like name@example.gov.uk", "email")
        return email
    owner = await repository.person_with_email(session, email)
    if owner is not None and owner.id != person_id:
        problems.add(ErrorCode.DUPLICATE, f"{email} belongs to someone already", "email")
    return email


def _may_grant(actor: Actor | None, roles: Iterable[Role]) -> bool:
    """Only a national administrator (or the command line) makes, or manages, a national administrator."""
    if Role.NATIONAL_ADMIN not in set(roles) or actor is None:
        return True
    return has_global_permission(actor.roles, Permission.ADMINISTER_NATIONALLY, actor.scopes)


def _checked_roles(
    problems: Problems, roles: Iterable[Role], organisation: Organisation, actor: Actor | None
) -> list[Role]:
    chosen = sorted(set(roles))
    if not chosen:
        problems.add(ErrorCode.REQUIRED, "Give the person at least one role", "roles")
    if not _may_grant(actor, chosen):
        problems.add(ErrorCode.NOT_PERMITTED, "Only a national administrator can make one", "roles")
    for role in chosen:
        needed = ROLE_ORGANISATION[role]
        if needed is not None and organisation.kind is not needed:
            problems.add(ErrorCode.WRONG_ORGANISATION, f"A {role.value} works for a {needed.value}", "roles")
    return chosen


async def organisation_by_name(session: AsyncSession, name: str) -> Organisation:
    found = await repository.organisation_named(session, name)
    if found is None:
        raise NotFound("Organisation", "organisation")
    return found


async def person_by_email(session: AsyncSession, email: str) -> Person:
    found = await repository.person_with_email(session, email)
    if found is None:
        raise DomainError.one(ErrorCode.NOT_FOUND, f"Nobody has the email address {email}", "email")
    return found


async def set_email_preference(session: AsyncSession, actor: Actor, preference: EmailPreference) -> Person:
    """Your own choice: emails as things happen, or one digest a day."""
    person = await session.get(Person, actor.person_id)
    assert person is not None  # an actor is an active person
    person.email_preference = preference
    audit.record(session, actor, "person.email_preference", subject_type="person", subject_id=person.id)
    return person
