"""The protocol panel: a case's obligations, their state and their evidence."""

from __future__ import annotations

import uuid
from datetime import date, datetime

import strawberry

from models import ConsultationArrangement as ConsultationArrangementModel
from models import ConsultationEvent, DeadlineKind, Evidence, ObligationState, Owner, Role, Trigger
from models import Obligation as ObligationModel
from models import ObligationRule as ObligationRuleModel
from portal import calendar
from portal.api.context import Info
from portal.api.doc import enum_type, field, object_type, resolver
from portal.api.types.people import PersonRef, person_ref
from portal.obligations.service import met_on_time, overdue

ObligationStateEnum = enum_type(ObligationState, "Where an obligation stands.")
OwnerEnum = enum_type(Owner, "Whose duty an obligation is.")
EvidenceEnum = enum_type(Evidence, "The kind of record that meets an obligation.")


@object_type
class ObligationHistoryEntry:
    """Something that happened to an obligation."""

    kind: str = field("opened, reassigned, rescheduled, met, waived, not_applicable or missed.")
    occurred_at: datetime = field("When.")
    detail: str = field("More about it.")


@object_type
class Obligation:
    """One of the protocol's duties on this case (PROTOCOL.md §2), opened by an event under the rule version
    in force, owned by named people, and met only by evidence."""

    id: strawberry.ID = field("The obligation's id.")
    code: str = field("The protocol's code, e.g. P2.")
    description: str = field("What the duty is.")
    owner: Owner = field("Whose duty it is: the guardian, the IRO, or both.")
    evidence_kind: Evidence = field("The record that meets it.")
    due_on: date = field("The date it is due, in working days under its rule.")
    state: ObligationState = field("Open, met, waived, not applicable or missed.")
    overdue: bool = field("Open after its due date.")
    working_days_overdue: int = field(
        "How many working days past its due date an open obligation is (0 if not)."
    )
    met_on_time: bool | None = field("For a met obligation, whether by its due date.")
    closed_at: datetime | None = field("When it was met, waived, found not to apply or missed.")
    evidence_id: strawberry.ID | None = field("The record that met it.")
    trigger_id: strawberry.ID | None = field(
        "The record whose event opened it, if one did: the review for P4, P5 and P11, the conversation "
        "for P7, the significant issue for P9, the handover for P15. The pages link a duty to the form "
        "that meets it."
    )
    reason: str | None = field("Why it was waived, does not apply or was missed.")
    child_id: strawberry.ID | None = field(
        "The child it concerns, for a duty about one child (a review's: P4, P5, P11, R1-R3); empty for one "
        "about the whole case."
    )
    rule_version: int = field("The version of the rule it was opened under.")
    rule_is_local: bool = field("Whether that rule is a local override rather than the protocol's default.")
    waivable_by: list[Role] = field(
        "The roles that may waive it under its rule (on a case they are related to), with a reason."
    )
    _owner_id: strawberry.Private[uuid.UUID | None]
    _partner_id: strawberry.Private[uuid.UUID | None]
    _model_id: strawberry.Private[uuid.UUID]

    @resolver
    def owner_person(self, info: Info) -> PersonRef | None:
        """The named person whose duty it is (for a shared duty, the guardian)."""
        return person_ref(info, self._owner_id) if self._owner_id else None

    @resolver
    def partner_person(self, info: Info) -> PersonRef | None:
        """For a duty both sides share, the person on the other side (the IRO)."""
        return person_ref(info, self._partner_id) if self._partner_id else None

    @resolver
    async def history(self, info: Info) -> list[ObligationHistoryEntry]:
        """What has happened to it, oldest first."""
        events = await info.context.loaders.obligation_history.load(self._model_id)
        return [
            ObligationHistoryEntry(kind=e.kind, occurred_at=e.occurred_at, detail=e.detail) for e in events
        ]

    @staticmethod
    def of(model: ObligationModel, rule: ObligationRuleModel, today: date) -> Obligation:
        late = overdue(model, today)
        return Obligation(
            id=strawberry.ID(str(model.id)),
            code=model.code,
            description=rule.description,
            owner=rule.owner,
            evidence_kind=rule.evidence,
            due_on=model.due_on,
            state=model.state,
            overdue=late,
            working_days_overdue=calendar.working_days_between(model.due_on, today) if late else 0,
            met_on_time=met_on_time(model),
            closed_at=model.closed_at,
            evidence_id=strawberry.ID(str(model.evidence_id)) if model.evidence_id else None,
            trigger_id=strawberry.ID(str(model.trigger_id)) if model.trigger_id else None,
            reason=model.reason,
            child_id=strawberry.ID(str(model.child_id)) if model.child_id else None,
            rule_version=rule.version,
            rule_is_local=rule.organisation_id is not None,
            waivable_by=[Role(r) for r in rule.waivable_by.split()],
            _owner_id=model.owner_person_id,
            _partner_id=model.partner_person_id,
            _model_id=model.id,
        )


@object_type
class Protocol:
    """Whether the guardian–IRO protocol applies to the case, and if not, why."""

    applies: bool = field("True when a child in the proceedings is looked after.")
    explanation: str | None = field("Why it does not apply, when it does not.")


DeadlineKindEnum = enum_type(
    DeadlineKind, "How a deadline counts: working days after the event or before a date, or months after it."
)
TriggerEnum = enum_type(Trigger, "The event that opens an obligation.")


@object_type
class ObligationRule:
    """A rule in force for an obligation code: the protocol's default, or one organisation's override."""

    id: strawberry.ID = field("The rule version's id.")
    code: str = field("The protocol's code, e.g. P2.")
    version: int = field(
        "The version: each change is a new one; obligations keep the version they opened under."
    )
    organisation_id: strawberry.ID | None = field("The organisation it applies to; empty for the default.")
    owner: Owner = field("Whose duty it is.")
    trigger: Trigger = field("The event that opens it.")
    deadline_kind: DeadlineKind = field("After the event, or before a date it names.")
    working_days: int = field("How many working days (calendar months, for MONTHS_AFTER).")
    evidence: Evidence = field("The record that meets it.")
    waivable_by: list[str] = field("The roles that may waive it.")
    description: str = field("What the duty is.")

    @staticmethod
    def of(rule: ObligationRuleModel) -> ObligationRule:
        return ObligationRule(
            id=strawberry.ID(str(rule.id)),
            code=rule.code,
            version=rule.version,
            organisation_id=strawberry.ID(str(rule.organisation_id)) if rule.organisation_id else None,
            owner=rule.owner,
            trigger=rule.trigger,
            deadline_kind=rule.deadline_kind,
            working_days=rule.working_days,
            evidence=rule.evidence,
            waivable_by=rule.waivable_by.split(),
            description=rule.description,
        )


ConsultationEventEnum = enum_type(ConsultationEvent, "An event on which guardian and IRO agreed to talk.")


@object_type
class ConsultationArrangement:
    """How the guardian and the IRO agreed to keep in touch on the case (P3)."""

    agreed_on: date = field("When they agreed it.")
    every_weeks: int | None = field("They talk at least every so many weeks; empty: only on the events.")
    on_events: list[ConsultationEvent] = field("The events they talk on.")
    notes: str = field("Anything else they agreed.")
    recorded_at: datetime = field("When it was recorded.")
    _guardian_id: strawberry.Private[uuid.UUID]
    _iro_id: strawberry.Private[uuid.UUID]

    @resolver
    def guardian(self, info: Info) -> PersonRef:
        """The guardian who agreed it."""
        return person_ref(info, self._guardian_id)

    @resolver
    def iro(self, info: Info) -> PersonRef:
        """The IRO who agreed it."""
        return person_ref(info, self._iro_id)

    @staticmethod
    def of(model: ConsultationArrangementModel) -> ConsultationArrangement:
        return ConsultationArrangement(
            agreed_on=model.agreed_on,
            every_weeks=model.every_weeks,
            on_events=[ConsultationEvent(e) for e in model.on_events.split()],
            notes=model.notes,
            recorded_at=model.recorded_at,
            _guardian_id=model.guardian_id,
            _iro_id=model.iro_id,
        )
