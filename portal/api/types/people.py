"""Organisations and people."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable
from typing import TYPE_CHECKING, TypeAlias

import strawberry

from models import EmailPreference, OrganisationKind, Role
from models import Organisation as OrganisationModel
from models import Person as PersonModel
from portal.api.context import Info
from portal.api.doc import field, object_type, resolver
from portal.api.loaders import reference, reference_later
from portal.auth.actor import Actor


@object_type
class Organisation:
    """A local authority, a Cafcass service area or a family court."""

    id: strawberry.ID = field("The organisation's id.")
    kind: OrganisationKind = field("Local authority, Cafcass service area or court.")
    name: str = field("The organisation's name.")
    ons_code: str | None = field("A local authority's ONS (GSS) code, e.g. E08000025; empty for others.")

    @staticmethod
    def of(model: OrganisationModel) -> Organisation:
        return Organisation(
            id=strawberry.ID(str(model.id)), kind=model.kind, name=model.name, ons_code=model.ons_code
        )


@object_type
class Person:
    """Someone who uses the portal, with the organisation that employs them: who employs whom matters to
    independence (a guardian is employed by Cafcass, an IRO by the local authority)."""

    id: strawberry.ID = field("The person's id.")
    name: str = field("Their name.")
    email: str = field("Their work email address, for contacting them outside the portal.")
    active: bool = field("Whether they may use the portal; people who leave are made inactive, not deleted.")
    _organisation_id: strawberry.Private[uuid.UUID]
    _team_id: strawberry.Private[uuid.UUID | None]
    _id: strawberry.Private[uuid.UUID]

    @resolver
    async def team(self, info: Info) -> str | None:
        """The team they work in within their organisation, if any."""
        if self._team_id is None:
            return None
        team = await info.context.loaders.team.load(self._team_id)
        return team.name if team else None

    @resolver
    async def roles(self, info: Info) -> list[Role]:
        """Their roles in their organisation."""
        return sorted(await info.context.loaders.roles.load(self._id))

    @resolver
    def organisation(self, info: Info) -> OrganisationRef:
        """The organisation that employs them."""
        return organisation_ref(info, self._organisation_id)

    @staticmethod
    def of(model: PersonModel) -> Person:
        return Person(
            id=strawberry.ID(str(model.id)),
            name=model.name,
            email=model.email,
            active=model.active,
            _organisation_id=model.organisation_id,
            _team_id=model.team_id,
            _id=model.id,
        )


if TYPE_CHECKING:
    # A reference to a person or organisation: the record at once when the request has loaded it already
    # (see portal/api/loaders.py's ``loaded``), else an awaitable of it.
    PersonRef: TypeAlias = Person | Awaitable[Person]
    OrganisationRef: TypeAlias = Organisation | Awaitable[Organisation]
else:
    # What strawberry builds the schema from.
    PersonRef = Person
    OrganisationRef = Organisation


def person_ref(info: Info, person_id: uuid.UUID) -> PersonRef:
    return reference(info.context.loaders.person, person_id, Person.of)


async def load_person(info: Info, person_id: uuid.UUID) -> Person:
    return await reference_later(info.context.loaders.person, person_id, Person.of)


def organisation_ref(info: Info, organisation_id: uuid.UUID) -> OrganisationRef:
    return reference(info.context.loaders.organisation, organisation_id, Organisation.of)


@object_type
class Me:
    """The person making the request."""

    id: strawberry.ID = field("Your person id.")
    name: str = field("Your name.")
    email: str = field("Your email address.")
    roles: list[Role] = field("Your roles in your organisation.")
    can_open_proceedings: bool = field("Whether you may open proceedings (LA solicitors).")
    organisation: Organisation = field("The organisation you work for.")

    @resolver
    async def email_preference(self, info: Info) -> EmailPreference:
        """Emails as things happen, or one daily digest."""
        person = await info.context.loaders.person.load(uuid.UUID(str(self.id)))
        assert person is not None
        return person.email_preference

    @staticmethod
    def of(actor: Actor, can_open_proceedings: bool) -> Me:
        return Me(
            id=strawberry.ID(str(actor.person_id)),
            name=actor.name,
            email=actor.email,
            roles=sorted(actor.roles),
            can_open_proceedings=can_open_proceedings,
            # Read with the actor, so not looked up again.
            organisation=Organisation(
                id=strawberry.ID(str(actor.organisation_id)),
                kind=actor.organisation_kind,
                name=actor.organisation_name,
                ons_code=actor.organisation_ons_code,
            ),
        )
