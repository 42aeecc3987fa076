"""A small world for tests, built through the services so that tests exercise the real rules."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import ClassVar

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import LegalStatus, Organisation, OrganisationKind, Person, Role
from portal import clock
from portal.access.policy import grantable
from portal.auth.actor import Actor, Via
from portal.auth.service import actor_for_person
from portal.auth.tokens import create_token
from portal.cases import service as cases
from portal.people import service as people


@dataclass
class World:
    sessions: async_sessionmaker[AsyncSession]
    orgs: dict[str, Organisation] = field(default_factory=dict)
    people: dict[str, Person] = field(default_factory=dict)
    _tokens: dict[uuid.UUID, str] = field(default_factory=dict)

    # Who works where: key -> (organisation key, name, roles).
    STAFF: ClassVar[dict[str, tuple[str, str, list[Role]]]] = {
        "guardian": ("cafcass", "Gina Guardian", [Role.GUARDIAN]),
        "guardian2": ("cafcass", "Gareth Second", [Role.GUARDIAN]),
        "cafcass_manager": ("cafcass", "Carla Manager", [Role.CAFCASS_MANAGER]),
        "other_guardian": ("other_cafcass", "Olga Elsewhere", [Role.GUARDIAN]),
        "other_cafcass_manager": ("other_cafcass", "Oscar Elsewhere", [Role.CAFCASS_MANAGER]),
        "iro": ("riverside", "Ivan Reviewer", [Role.IRO]),
        "iro2": ("riverside", "Iris Second", [Role.IRO]),
        "iro_manager": ("riverside", "Imogen Manager", [Role.IRO_MANAGER]),
        "solicitor": ("riverside", "Sol Icitor", [Role.LA_SOLICITOR]),
        "social_worker": ("riverside", "Sam Worker", [Role.SOCIAL_WORKER]),
        "team_manager": ("riverside", "Tamsin Manager", [Role.LA_MANAGER]),
        "head_of_service": ("riverside", "Hal Head", [Role.LA_MANAGER]),
        "director": ("riverside", "Dana Director", [Role.LA_MANAGER]),
        "other_la_manager": ("northmoor", "Nat Northmoor", [Role.LA_MANAGER]),
        "other_iro": ("northmoor", "Nora Northmoor", [Role.IRO]),
        "other_iro_manager": ("northmoor", "Ned Northmoor", [Role.IRO_MANAGER]),
        "other_solicitor": ("northmoor", "Nell Northmoor", [Role.LA_SOLICITOR]),
        "admin": ("riverside", "Ada Admin", [Role.ADMIN]),
        "national_admin": ("cafcass", "Nadia National", [Role.NATIONAL_ADMIN]),
    }

    @classmethod
    async def create(cls, sessions: async_sessionmaker[AsyncSession]) -> World:
        world = cls(sessions)
        async with sessions() as session, session.begin():
            add = people.add_organisation
            world.orgs["riverside"] = await add(
                session,
                None,
                kind=OrganisationKind.LOCAL_AUTHORITY,
                name="Riverside City Council",
                ons_code="E08000901",
            )
            world.orgs["northmoor"] = await add(
                session,
                None,
                kind=OrganisationKind.LOCAL_AUTHORITY,
                name="Northmoor County Council",
                ons_code="E10000901",
            )
            world.orgs["cafcass"] = await add(
                session, None, kind=OrganisationKind.CAFCASS_SERVICE_AREA, name="Cafcass Riverside"
            )
            world.orgs["other_cafcass"] = await add(
                session, None, kind=OrganisationKind.CAFCASS_SERVICE_AREA, name="Cafcass Far Away"
            )
            world.orgs["court"] = await add(
                session,
                None,
                kind=OrganisationKind.COURT,
                name="Family Court at Riverside",
                service_area_id=world.orgs["cafcass"].id,
            )
            world.orgs["other_court"] = await add(
                session,
                None,
                kind=OrganisationKind.COURT,
                name="Family Court at Far Away",
                service_area_id=world.orgs["other_cafcass"].id,
            )
            for key, (org, name, roles) in cls.STAFF.items():
                email = f"{key}@{org}.example.gov.uk"
                world.people[key] = await people.add_person(
                    session, None, organisation_id=world.orgs[org].id, name=name, email=email, roles=roles
                )
        return world

    def id(self, key: str) -> uuid.UUID:
        return self.people[key].id

    async def actor(self, key: str) -> Actor:
        async with self.sessions() as session:
            actor = await actor_for_person(session, self.id(key), via=Via.API)
        assert actor is not None
        return actor

    async def token(self, key: str) -> str:
        person_id = self.id(key)
        if person_id not in self._tokens:
            async with self.sessions() as session, session.begin():
                roles = frozenset(self.STAFF[key][2])
                _, self._tokens[person_id] = await create_token(
                    session, None, person_id, label="tests", scopes=[p.value for p in grantable(roles)]
                )
        return self._tokens[person_id]

    def forget_tokens(self) -> None:
        """New tokens from now on (after moving the clock past the old ones' expiry)."""
        self._tokens.clear()

    async def open_case(
        self,
        children: Sequence[tuple[str, LegalStatus]] = (("Amy", LegalStatus.INTERIM_CARE_ORDER),),
        *,
        case_number: str | None = None,
        issued_weeks_ago: int = 10,
        solicitor: str = "solicitor",
        court: str = "court",
        guardian: str | None = "guardian",
        iro: str | None = "iro",
    ) -> uuid.UUID:
        """Open proceedings for children of the solicitor's authority, then allocate a guardian and assign
        an IRO to the looked-after children, each by the person whose job it is."""
        issued = clock.today() - timedelta(weeks=issued_weeks_ago)
        new_children = [
            cases.NewChild(
                given_name=name,
                family_name="Example",
                date_of_birth=date(issued.year - 4, 3, 1),
                legal_status=status,
                looked_after_since=issued if status.is_looked_after else None,
            )
            for name, status in children
        ]
        data = cases.OpenProceedings(
            court_id=self.orgs[court].id,
            case_number=case_number or f"RV{uuid.uuid4().hex[:8].upper()}",
            issued_on=issued,
            new_children=new_children,
        )
        async with self.sessions() as session, session.begin():
            case = await cases.open_proceedings(session, await self.actor(solicitor), data)
        if guardian:
            await self.allocate(case.id, guardian)
        if iro and any(status.is_looked_after for _, status in children):
            await self.assign_iro(case.id, iro)
        return case.id

    async def allocate(
        self, case_id: uuid.UUID, guardian: str, manager: str = "cafcass_manager", reason: str | None = None
    ) -> None:
        async with self.sessions() as session, session.begin():
            await cases.allocate_guardian(
                session,
                await self.actor(manager),
                cases.Allocation(case_id, self.id(guardian), reallocation_reason=reason),
            )

    async def assign_iro(
        self, case_id: uuid.UUID, iro: str, manager: str = "iro_manager", reason: str | None = None
    ) -> None:
        async with self.sessions() as session, session.begin():
            await cases.assign_iro(
                session,
                await self.actor(manager),
                cases.Allocation(case_id, self.id(iro), reallocation_reason=reason),
            )
