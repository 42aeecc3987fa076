"""The IRO's view before the court (issue 19): whether a guardian's analysis cites the IRO's view of the care
plan, and the dashboard's counts of it."""

from __future__ import annotations

import uuid
from datetime import datetime

import strawberry

from models import IroViewCitation
from portal.api.context import Info
from portal.api.doc import field, object_type, resolver
from portal.api.types.people import PersonRef, person_ref
from portal.dashboards.iro_views import IroViewLine


@object_type
class IroView:
    """Whether a guardian's analysis cites the IRO's view of the care plan, as the guardian recorded it
    (RESEARCH-NOTES.md §1.7, §5.2). The latest answer; every answer is in the case's audit trail."""

    cites: bool = field("Whether the analysis cites the IRO's view of the care plan.")
    reason: str = field("Why it does not, if the guardian said; empty when it does.")
    recorded_at: datetime = field("When the guardian last recorded it.")
    _recorded_by: strawberry.Private[uuid.UUID]

    @resolver
    def recorded_by(self, info: Info) -> PersonRef:
        """The guardian who recorded it."""
        return person_ref(info, self._recorded_by)

    @staticmethod
    def of(model: IroViewCitation) -> IroView:
        return IroView(
            cites=model.cites,
            reason=model.reason,
            recorded_at=model.recorded_at,
            _recorded_by=model.recorded_by_id,
        )


@object_type
class IroViewFigures:
    """The guardians' analyses (initial and final) first filed in the period on proceedings in your scope, in
    one group, by whether they cite the IRO's view of the care plan as each guardian recorded it. Each figure
    drills down (DashboardFigure IRO_VIEW_..., with the same grouping and the group's id)."""

    group_id: strawberry.ID | None = field(
        "The service area, authority, team or guardian (who filed the analysis); empty for all (and for "
        "guardians in no team)."
    )
    group_name: str = field("Its name.")
    filed: int = field("Analyses first filed in the period.")
    cited: int = field("Of those, the guardian recorded that it cites the IRO's view of the care plan.")
    not_cited: int = field("Of those, the guardian recorded that it does not.")
    not_recorded: int = field("Of those, the guardian has not said.")

    @staticmethod
    def of(line: IroViewLine) -> IroViewFigures:
        return IroViewFigures(
            group_id=strawberry.ID(str(line.group_id)) if line.group_id else None,
            group_name=line.group_name,
            filed=line.filed,
            cited=line.cited,
            not_cited=line.not_cited,
            not_recorded=line.not_recorded,
        )
