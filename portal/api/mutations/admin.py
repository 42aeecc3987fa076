"""Administrators' mutations: provisioning organisations and people (who then sign in with their
organisation's account, or are refused)."""

from __future__ import annotations

import strawberry

from models import OrganisationKind, Role
from portal.api.context import Info
from portal.api.doc import field, input_type, mutation, object_type
from portal.api.errors import UserError, attempt, parse_id
from portal.api.types.people import Organisation, Person
from portal.auth.identities import InvitedSubject
from portal.people import service


@input_type
class AddOrganisationInput:
    """A local authority, a Cafcass service area or a court."""

    kind: OrganisationKind = field("What kind of organisation.")
    name: str = field("Its name.")
    ons_code: str | None = field("A local authority's ONS code, e.g. E08000025.", default=None)
    service_area_id: strawberry.ID | None = field(
        "For a court: the Cafcass service area serving it.", default=None
    )


@object_type
class OrganisationPayload:
    """The organisation, or the errors (and nothing written)."""

    organisation: Organisation | None = field("The organisation.")
    errors: list[UserError] = field("What was wrong; empty on success.")


@input_type
class InvitedSubjectInput:
    """An account at one of the portal's sign-in services, named by an administrator before its first
    sign-in: it signs the person in whether or not the service confirms their email address."""

    provider: str = field("The sign-in service, by the name the portal's settings give it.")
    subject: str = field(
        "Who the person is at that service, for good: the values of the claims its settings name "
        "(subject_claims), separated by '/'. For OpenID Connect, their 'sub'; for Microsoft Entra ID, the "
        "tenant id and their object id, e.g. "
        "'72f988bf-86f1-41af-91ab-2d7cd011db47/7a9f2c1e-0b4d-4c8e-9f51-3e2d6a8b1c40'."
    )

    def of(self) -> InvitedSubject:
        return InvitedSubject(provider=self.provider, subject=self.subject)


@input_type
class AddPersonInput:
    """Someone who will use the portal."""

    organisation_id: strawberry.ID = field("The organisation that employs them.")
    name: str = field("Their name.")
    email: str = field("Their work email: their first sign-in is matched to them by it.")
    roles: list[Role] = field("Their roles; each must suit the organisation.")
    team: str | None = field("The team they work in, created the first time it is named.", default=None)
    invited_subject: InvitedSubjectInput | None = field(
        "Their account at a sign-in service, to sign in with even if the service does not confirm their "
        "email address (Microsoft Entra ID does not).",
        default=None,
    )


@input_type
class UpdatePersonInput:
    """Changes to a person; what is left out stays as it is."""

    id: strawberry.ID = field("The person.")
    name: str | None = field("A new name.", default=None)
    email: str | None = field("A new email address.", default=None)
    roles: list[Role] | None = field("Their roles from now on.", default=None)
    active: bool | None = field("False: they can no longer sign in or use their tokens.", default=None)
    team: str | None = field("Their team from now on; empty for none.", default=None)
    invited_subject: InvitedSubjectInput | None = field(
        "Their account at a sign-in service from now on, in place of any they had there.", default=None
    )


@object_type
class PersonPayload:
    """The person, or the errors (and nothing written)."""

    person: Person | None = field("The person.")
    errors: list[UserError] = field("What was wrong; empty on success.")


@object_type
class AdminMutations:
    """Provisioning (administrators only)."""

    @mutation
    async def add_organisation(self, info: Info, input: AddOrganisationInput) -> OrganisationPayload:
        """Add an organisation."""

        async def work() -> Organisation:
            actor = info.context.require_actor()
            area = parse_id(input.service_area_id, "serviceAreaId") if input.service_area_id else None
            model = await info.context.uow.run(
                lambda s: service.add_organisation(
                    s, actor, kind=input.kind, name=input.name, ons_code=input.ons_code, service_area_id=area
                )
            )
            return Organisation.of(model)

        organisation, errors = await attempt(info.context, work())
        return OrganisationPayload(organisation=organisation, errors=errors)

    @mutation
    async def add_person(self, info: Info, input: AddPersonInput) -> PersonPayload:
        """Add a person with their email address and roles, and perhaps their account at a sign-in service."""

        async def work() -> Person:
            actor = info.context.require_actor()
            organisation_id = parse_id(input.organisation_id, "organisationId")
            model = await info.context.uow.run(
                lambda s: service.add_person(
                    s,
                    actor,
                    organisation_id=organisation_id,
                    name=input.name,
                    email=input.email,
                    roles=input.roles,
                    team=input.team,
                    invited_subject=input.invited_subject.of() if input.invited_subject else None,
                    providers=info.context.settings.oidc_providers,
                )
            )
            return Person.of(model)

        person, errors = await attempt(info.context, work())
        return PersonPayload(person=person, errors=errors)

    @mutation
    async def update_person(self, info: Info, input: UpdatePersonInput) -> PersonPayload:
        """Change a person's name, email, roles, account at a sign-in service, or whether they may use the
        portal at all."""

        async def work() -> Person:
            actor = info.context.require_actor()
            person_id = parse_id(input.id, "id")
            model = await info.context.uow.run(
                lambda s: service.update_person(
                    s,
                    actor,
                    person_id,
                    name=input.name,
                    email=input.email,
                    roles=input.roles,
                    active=input.active,
                    team=input.team,
                    invited_subject=input.invited_subject.of() if input.invited_subject else None,
                    providers=info.context.settings.oidc_providers,
                )
            )
            return Person.of(model)

        person, errors = await attempt(info.context, work())
        return PersonPayload(person=person, errors=errors)
