"""Retention: how long a concluded case is kept, and the legal holds that keep it longer."""

from __future__ import annotations

import uuid
from datetime import date, datetime

import strawberry

from models import DeletedCase as DeletedCaseModel
from models import LegalHold as LegalHoldModel
from portal.api.context import Info
from portal.api.doc import field, object_type, resolver
from portal.api.types.people import Organisation, PersonRef, person_ref


@object_type
class LegalHold:
    """A legal hold on a case: while it is in place the case is not deleted, whatever its retention date."""

    id: strawberry.ID = field("The hold's id.")
    reason: str = field("Why the records must be kept (litigation, a complaint, an inquiry ...).")
    placed_at: datetime = field("When it was placed.")
    lifted_at: datetime | None = field("When it was lifted; empty while it is in place.")
    lift_reason: str | None = field("Why it could be lifted; empty while it is in place.")
    _placed_by_id: strawberry.Private[uuid.UUID]
    _lifted_by_id: strawberry.Private[uuid.UUID | None]

    @resolver
    def placed_by(self, info: Info) -> PersonRef:
        """Who placed it."""
        return person_ref(info, self._placed_by_id)

    @resolver
    def lifted_by(self, info: Info) -> PersonRef | None:
        """Who lifted it; empty while it is in place."""
        return person_ref(info, self._lifted_by_id) if self._lifted_by_id else None

    @staticmethod
    def of(model: LegalHoldModel) -> LegalHold:
        return LegalHold(
            id=strawberry.ID(str(model.id)),
            reason=model.reason,
            placed_at=model.placed_at,
            lifted_at=model.lifted_at,
            lift_reason=model.lift_reason,
            _placed_by_id=model.placed_by_id,
            _lifted_by_id=model.lifted_by_id,
        )


@object_type
class CaseRetention:
    """How long the case's records are kept once the proceedings conclude: its local authority's rule
    (by default until the youngest child's 75th birthday, the Care Planning, Placement and Case Review
    (England) Regulations 2010, regulation 50). The clock deletes a concluded case the day after its date,
    unless a legal hold is in place."""

    rule: str = field("The authority's rule, in words.")
    kept_until: date | None = field(
        "The last day the case is kept under the rule; empty while the proceedings are open."
    )
    held: bool = field("Whether a legal hold is in place: then the case is kept whatever the date.")
    legal_holds: list[LegalHold] = field("Every hold placed on the case, the first first, lifted ones too.")


@object_type
class DeletedCase:
    """A case the clock deleted under its authority's rule: only its id and dates are kept."""

    id: strawberry.ID = field("The deleted case's id.")
    concluded_on: date = field("When its proceedings concluded.")
    kept_until: date = field("The last day the rule kept it.")
    deleted_at: datetime = field("When it was deleted.")
    records: int = field("How many records were deleted with it.")

    @staticmethod
    def of(model: DeletedCaseModel) -> DeletedCase:
        return DeletedCase(
            id=strawberry.ID(str(model.proceedings_id)),
            concluded_on=model.concluded_on,
            kept_until=model.kept_until,
            deleted_at=model.deleted_at,
            records=model.records,
        )


@object_type
class RetentionRule:
    """A local authority's rule for keeping its concluded cases, for its administrators."""

    organisation: Organisation = field("The local authority.")
    keep_years_after_conclusion: int | None = field(
        "Years a concluded case is kept after its proceedings concluded; empty for the default rule."
    )
    rule: str = field("The rule, in words.")
    default_source: str = field("Where the default rule comes from.")
    deleted: list[DeletedCase] = field(
        "The cases lately deleted under the rule, the latest first (up to 50)."
    )
