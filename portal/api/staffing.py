"""Queries for the managers who staff cases: the Cafcass manager's allocation queue and her guardians'
caseloads, the IRO manager's assignment queue (her IROs' caseloads: Query.iroWorkload)."""

from __future__ import annotations

import base64
import binascii
import uuid
from datetime import date

import strawberry

from models import CaseRole
from portal.api.context import Info
from portal.api.doc import field, object_type, resolver
from portal.api.pagination import PageInfo, page_size
from portal.api.types.cases import CaseConnection, case_node
from portal.audit.service import Look
from portal.cases import service as cases
from portal.errors import DomainError, ErrorCode
from portal.staffing import service as staffing
from portal.staffing.repository import Cursor


@object_type
class GuardianCaseload:
    """One guardian of a Cafcass manager's service area and their current caseload: the cases in her scope
    they are the guardian on now, until their involvement closes."""

    guardian_id: strawberry.ID = field("The guardian.")
    name: str = field("Their name.")
    cases: int = field("Cases they are the guardian on now.")
    children: int = field("Children they are the guardian for now, across those cases.")


def _encode(issued_on: date, case_id: uuid.UUID) -> str:
    return base64.urlsafe_b64encode(f"{issued_on.isoformat()}|{case_id}".encode()).decode()


def _decode(cursor: str) -> Cursor:
    try:
        issued, case_id = base64.urlsafe_b64decode(cursor.encode()).decode().split("|")
        return date.fromisoformat(issued), uuid.UUID(case_id)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise DomainError.one(
            ErrorCode.INVALID_VALUE, "That is not a cursor from this list", "after"
        ) from None


async def _queue(
    info: Info, role: CaseRole, waiting: bool, first: int | None, after: str | None
) -> CaseConnection:
    actor = info.context.require_actor()
    size = page_size(info, first)
    cursor = _decode(after) if after else None
    page = await info.context.uow.run(
        lambda s: staffing.queue(s, actor, role, waiting=waiting, first=size, after=cursor)
    )
    nodes = [case_node(info, c, cases.viewer_roles(actor, c.id), Look.LIST) for c in page.cases]
    end = _encode(page.cases[-1].issued_on, page.cases[-1].id) if page.cases else None
    return CaseConnection(
        nodes=nodes, page_info=PageInfo(has_next_page=page.has_next, end_cursor=end), total_count=page.total
    )


@object_type
class StaffingQueries:
    """Reading who staffs the cases (Cafcass and IRO managers)."""

    @resolver
    async def allocation_queue(
        self, info: Info, waiting: bool, first: int | None = None, after: str | None = None
    ) -> CaseConnection:
        """For a Cafcass manager: the open proceedings on which you may allocate a guardian. With ``waiting``,
        those with a child still without a guardian, the longest waiting (oldest issued) first; without,
        the others, newest issued first. A page at a time; empty for anyone else."""
        return await _queue(info, CaseRole.GUARDIAN, waiting, first, after)

    @resolver
    async def assignment_queue(
        self, info: Info, waiting: bool, first: int | None = None, after: str | None = None
    ) -> CaseConnection:
        """For an IRO manager: the cases of your authority's children, during or after proceedings. With
        ``waiting``, those with a looked-after child of your authority still without an IRO, oldest issued
        first; without, the others, newest issued first. A page at a time; empty for anyone else."""
        return await _queue(info, CaseRole.IRO, waiting, first, after)

    @resolver
    async def guardian_caseloads(self, info: Info) -> list[GuardianCaseload]:
        """For a Cafcass manager: each guardian of your service area and their current caseload, by name;
        empty for an IRO manager; NOT_PERMITTED for anyone else, as the dashboards are."""
        actor = info.context.require_actor()
        loads = await info.context.uow.run(lambda s: staffing.guardian_caseloads(s, actor))
        return [
            GuardianCaseload(
                guardian_id=strawberry.ID(str(load.guardian_id)),
                name=load.name,
                cases=load.cases,
                children=load.children,
            )
            for load in loads
        ]
