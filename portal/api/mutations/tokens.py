"""Mutations on your own API tokens."""

from __future__ import annotations

import strawberry

from portal.access.policy import Permission
from portal.api.context import Info
from portal.api.doc import field, input_type, mutation, object_type
from portal.api.errors import UserError, attempt, parse_id
from portal.api.types.tokens import ApiToken
from portal.auth import tokens


@input_type
class CreateApiTokenInput:
    """A new token for yourself."""

    label: str = field("What it is for, e.g. the system that will use it.")
    scopes: list[Permission] = field("What it may be used for; never more than you may do.")
    expires_in_days: int = field("How long it works: 1 to 365 days.", default=tokens.DEFAULT_DAYS)


@object_type
class CreateApiTokenPayload:
    """The new token and its secret, or the errors (and no token)."""

    token: ApiToken | None = field("The token.")
    secret: str | None = field(
        "The secret to send as `Authorization: Bearer ...`. Shown only now: it is not kept, only its hash."
    )
    errors: list[UserError] = field("What was wrong; empty on success.")


@input_type
class RevokeApiTokenInput:
    """A token of yours to revoke."""

    id: strawberry.ID = field("The token's id.")


@object_type
class ApiTokenPayload:
    """The token as it now is, or the errors."""

    token: ApiToken | None = field("The token.")
    errors: list[UserError] = field("What was wrong; empty on success.")


@object_type
class TokenMutations:
    """Managing your API tokens."""

    @mutation
    async def create_api_token(self, info: Info, input: CreateApiTokenInput) -> CreateApiTokenPayload:
        """Make a token for yourself, scoped to some of what you may do."""

        async def work() -> tuple[ApiToken, str]:
            actor = info.context.require_actor()
            token, secret = await info.context.uow.run(
                lambda s: tokens.create_token(
                    s,
                    actor,
                    actor.person_id,
                    label=input.label,
                    scopes=[p.value for p in input.scopes],
                    expires_in_days=input.expires_in_days,
                )
            )
            return ApiToken.of(token), secret

        made, errors = await attempt(info.context, work())
        return CreateApiTokenPayload(
            token=made[0] if made else None, secret=made[1] if made else None, errors=errors
        )

    @mutation
    async def revoke_api_token(self, info: Info, input: RevokeApiTokenInput) -> ApiTokenPayload:
        """Revoke one of your tokens: it stops working at once. Revoking it again changes nothing."""

        async def work() -> ApiToken:
            actor = info.context.require_actor()
            token_id = parse_id(input.id, "id")
            token = await info.context.uow.run(
                lambda s: tokens.revoke_token(s, actor, actor.person_id, token_id)
            )
            return ApiToken.of(token)

        token, errors = await attempt(info.context, work())
        return ApiTokenPayload(token=token, errors=errors)
