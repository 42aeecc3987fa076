"""A case's access log: the audit trail's events on the case, for the managers whose scope covers it."""

from __future__ import annotations

import uuid
from datetime import datetime

import strawberry

from models import AuditEvent, AuditOutcome
from portal.api.context import Info
from portal.api.doc import enum_type, field, object_type, resolver
from portal.api.pagination import PageInfo
from portal.api.types.people import PersonRef, person_ref

AuditOutcomeEnum = enum_type(AuditOutcome, "Whether what was asked for was done or refused.")


@object_type
class AccessEvent:
    """One look at, or change to, the case."""

    occurred_at: datetime = field("When.")
    acting_as: str = field("The role the person acted in, e.g. guardian or cafcass_manager.")
    action: str = field("What they did, e.g. case.read, contact.log, refused:case:read.")
    subject_type: str = field("What it was done to: the case, a contact, a child ...")
    outcome: AuditOutcome = field("Done, or refused.")
    channel: str = field("How the request came: web, api or cli.")
    source: str = field("Where it came from (the client's address).")
    _person_id: strawberry.Private[uuid.UUID | None]

    @resolver
    def person(self, info: Info) -> PersonRef | None:
        """Who did it; empty for the system itself."""
        return person_ref(info, self._person_id) if self._person_id else None

    @staticmethod
    def of(event: AuditEvent) -> AccessEvent:
        return AccessEvent(
            occurred_at=event.occurred_at,
            acting_as=event.acting_as,
            action=event.action,
            subject_type=event.subject_type,
            outcome=event.outcome,
            channel=event.channel,
            source=event.source,
            _person_id=event.person_id,
        )


@object_type
class AccessLog:
    """A page of a case's access log, newest first."""

    nodes: list[AccessEvent] = field("The events on this page.")
    page_info: PageInfo = field("How to get the next page.")
