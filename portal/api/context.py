"""The per-request GraphQL context: who is asking, the unit of work, and the request's DataLoaders."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import strawberry

from portal import clock
from portal.api.loaders import Loaders
from portal.auth.actor import Actor
from portal.db import UnitOfWork
from portal.errors import DomainError, ErrorCode
from portal.settings import Settings


@dataclass
class Context:
    """What every resolver may use: the settings, the unit of work, who is asking (None: nobody signed
    in), the request's DataLoaders, and today's date in England (fixed for the whole request)."""

    settings: Settings
    uow: UnitOfWork
    actor: Actor | None
    loaders: Loaders = field(init=False)
    today: date = field(default_factory=lambda: clock.today())

    def __post_init__(self) -> None:
        self.loaders = Loaders(self.uow)

    def require_actor(self) -> Actor:
        if self.actor is None:
            raise DomainError.one(ErrorCode.UNAUTHENTICATED, "Sign in, or send an API token")
        return self.actor


Info = strawberry.Info[Context, None]
