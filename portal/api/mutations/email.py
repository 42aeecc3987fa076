"""Queueing an email that gave up again."""

from __future__ import annotations

import strawberry

from portal.api.context import Info
from portal.api.doc import field, input_type, mutation, object_type
from portal.api.errors import UserError, attempt, parse_id
from portal.mail import service as mail


@input_type
class RetryEmailInput:
    """An email that gave up (see `undeliveredEmail`)."""

    id: strawberry.ID = field("The email's id.")


@object_type
class RetryEmailPayload:
    """Whether it was queued again, or the errors."""

    queued: bool = field("Whether it is queued again, to be sent now.")
    errors: list[UserError] = field("What was wrong; empty on success.")


@object_type
class EmailMutations:
    """Email the portal gave up sending."""

    @mutation
    async def retry_email(self, info: Info, input: RetryEmailInput) -> RetryEmailPayload:
        """Queue an email that gave up again, to be sent now and retried afresh (administrators of its
        recipient's organisation)."""

        async def work() -> bool:
            actor = info.context.require_actor()
            message_id = parse_id(input.id, "id")
            await info.context.uow.run(lambda s: mail.retry(s, actor, message_id))
            return True

        queued, errors = await attempt(info.context, work())
        return RetryEmailPayload(queued=bool(queued), errors=errors)
