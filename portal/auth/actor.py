"""The Actor: who is making this request, computed once per request."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from enum import StrEnum

from models import CaseRole, OrganisationKind, Role


class Via(StrEnum):
    """How the request reached the portal, for the audit trail."""

    API = "api"
    WEB = "web"
    CLI = "cli"
    # The clock, acting on no one's request (deleting cases under their retention rule).
    CLOCK = "clock"


@dataclass(frozen=True)
class Actor:
    person_id: uuid.UUID
    name: str
    email: str
    organisation_id: uuid.UUID
    organisation_name: str
    organisation_kind: OrganisationKind
    roles: frozenset[Role]
    # A local authority's ONS code (every page names the viewer's organisation: no second query for it).
    organisation_ons_code: str | None = None
    # The cases (proceedings ids) this person is a live member of, with their roles on each.
    case_roles: dict[uuid.UUID, frozenset[CaseRole]] = field(default_factory=dict)
    # Cases whose guardian this person was, now closed: they may read them for a while, nothing more.
    read_only_cases: frozenset[uuid.UUID] = frozenset()
    via: Via = Via.API
    source: str = ""
    # The scopes of the API token the request came with; None for a signed-in person (or the command line).
    scopes: frozenset[str] | None = None
    # The API token the request came with, if it came with one.
    token_id: uuid.UUID | None = None

    def has_role(self, role: Role) -> bool:
        return role in self.roles


class System:
    """The portal itself, reading for its own rules (the clock, a service working on a case the actor's
    access already allowed): the read layer's fetches take it as their viewer and apply no scope."""

    def __repr__(self) -> str:
        return "SYSTEM"


SYSTEM = System()
# Whom a fetch of case data is for: a person (the request's Actor), or the portal itself.
Viewer = Actor | System
