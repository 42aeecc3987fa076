"""API tokens, as their owner sees them (never the secret, which is shown once when made)."""

from __future__ import annotations

from datetime import datetime

import strawberry

from models import ApiToken as ApiTokenModel
from models import utcnow
from portal.access.policy import Permission
from portal.api.doc import enum_type, field, object_type
from portal.auth.tokens import scopes_of

ScopeEnum = enum_type(Permission, "What an API token may be used for; never more than its owner may do.")


@object_type
class ApiToken:
    """A bearer token for the API. Only its hash is kept; each use is recorded in the audit trail."""

    id: strawberry.ID = field("The token's id (not its secret).")
    label: str = field("What it is for.")
    scopes: list[Permission] = field("What it may be used for.")
    created_at: datetime = field("When it was made.")
    expires_at: datetime | None = field("When it stops working, if it does.")
    last_used_at: datetime | None = field("When it was last used.")
    revoked_at: datetime | None = field("When it was revoked, if it was.")
    live: bool = field("Whether it works now: neither revoked nor expired.")

    @staticmethod
    def of(model: ApiTokenModel) -> ApiToken:
        now = utcnow()
        return ApiToken(
            id=strawberry.ID(str(model.id)),
            label=model.label,
            scopes=sorted(Permission(s) for s in scopes_of(model)),
            created_at=model.created_at,
            expires_at=model.expires_at,
            last_used_at=model.last_used_at,
            revoked_at=model.revoked_at,
            live=model.revoked_at is None and (model.expires_at is None or model.expires_at > now),
        )
