"""Email that gave up, as an administrator or a manager sees it (portal/mail/service.py says whose)."""

from __future__ import annotations

from datetime import datetime

import strawberry

from models import OutboxMessage
from portal.api.doc import field, object_type


@object_type
class UndeliveredEmail:
    """An email the portal gave up sending: the relay refused its recipient or its content for good, or it
    kept failing for a week. It carried no case content: what kind of notice, and a link."""

    id: strawberry.ID = field("The email's id (to queue it again with `retryEmail`).")
    kind: str = field('What kind of notice it was, e.g. "obligation.opened" or "digest".')
    subject: str = field("Its subject line.")
    recipient_id: strawberry.ID = field("The person it was for.")
    recipient_name: str = field("Their name.")
    to_address: str = field("The address it was sent to.")
    queued_at: datetime = field("When it was queued (written, or queued again).")
    attempts: int = field("How many times it was tried.")
    reason: str = field("Why it gave up: the relay's answer, or how long it had failed for.")

    @staticmethod
    def of(message: OutboxMessage, recipient_name: str) -> UndeliveredEmail:
        return UndeliveredEmail(
            id=strawberry.ID(str(message.id)),
            kind=message.kind,
            subject=message.subject,
            recipient_id=strawberry.ID(str(message.person_id)),
            recipient_name=recipient_name,
            to_address=message.to_address,
            queued_at=message.queued_at,
            attempts=message.attempts,
            reason=message.last_error or "",
        )
