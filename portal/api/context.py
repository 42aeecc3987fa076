"""The per-request GraphQL context: who is asking, the unit of work, and the request's DataLoaders."""

from __future__ import annotations

import dataclasses
import uuid
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

import strawberry

from models import CaseRole
from portal import clock
from portal.access.policy import Permission
from portal.api.documents import Documents
from portal.api.loaders import Loaders
from portal.audit.service import Look
from portal.auth.actor import Actor
from portal.db import UnitOfWork
from portal.errors import DomainError, ErrorCode
from portal.settings import Settings


@dataclass
class Context:
    """What every resolver may use: the settings, the unit of work, who is asking (None: nobody signed
    in), the request's DataLoaders, and today's date in England (fixed for the whole request).

    A page that runs an operation for an export says so: ``look`` names the kind of look every case in the
    response is recorded as (instead of a view, a list ...), and ``case_need`` what the viewer must be
    allowed on the case the operation opens (exporting a child's file, say, not just reading the case).
    """

    settings: Settings
    uow: UnitOfWork
    actor: Actor | None
    today: date = field(default_factory=lambda: clock.today())
    look: Look | None = None
    case_need: Permission = Permission.READ_CASE
    # How documents are prepared and judged (portal/api/documents.py); None only in tests that run the
    # schema directly.
    documents: Documents | None = None

    @cached_property
    def loaders(self) -> Loaders:
        """The request's DataLoaders, every fetch of case data scoped to the signed-in viewer."""
        return Loaders(self.uow, self.require_actor())

    def joined(self, case_id: uuid.UUID, role: CaseRole) -> None:
        """The actor has just joined a case in ``role`` (opening proceedings makes them its solicitor):
        from now on the read layer serves them what that lets them see."""
        actor = self.require_actor()
        held = actor.case_roles.get(case_id, frozenset()) | {role}
        self.actor = dataclasses.replace(actor, case_roles={**actor.case_roles, case_id: held})
        self.__dict__.pop("loaders", None)

    def require_actor(self) -> Actor:
        if self.actor is None:
            raise DomainError.one(ErrorCode.UNAUTHENTICATED, "Sign in, or send an API token")
        return self.actor


Info = strawberry.Info[Context, None]
