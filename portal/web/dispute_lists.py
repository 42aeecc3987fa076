"""The disputes about a care plan that other pages show (portal/web/dispute_pages.py has the disputes' own
pages): those on a case, for the case page; those a manager is named to answer and has not, for their tasks;
and, for each, where it stands today. Nothing is read for a viewer who could see none of them."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from typing import Any

from models import Role
from portal import clock
from portal.access.policy import DISPUTE_SIGHT
from portal.auth.actor import Actor
from portal.db import UnitOfWork
from portal.web.operations import Operations

# The roles on a case that may see its disputes (the role table's DISPUTE_SIGHT), by the schema's names.
READERS = frozenset(role.name for role in DISPUTE_SIGHT)
# Those the service navigation offers the list of disputes to: the IRO and their manager, who see every
# dispute on their cases, and the authority's managers, who answer them.
LISTED_FOR = frozenset({Role.IRO, Role.IRO_MANAGER, Role.LA_MANAGER})


def lists_disputes(actor: Actor | None) -> bool:
    """Whether the service navigation links to the list of disputes."""
    return actor is not None and bool(actor.roles & LISTED_FOR)


def reads_cases(actor: Actor) -> bool:
    """Whether the actor sees disputes as someone on their cases (and so may follow a link to the case); a
    manager named to answer need not be on the case."""
    return any(role.name in READERS for role in actor.roles)


def standing(dispute: dict[str, Any], today: date) -> dict[str, Any]:
    """The dispute with the stage it is at while open there (``current``), and whether that stage's answer
    is overdue: unanswered after its due date, as the clock chases it."""
    current = next(
        (s for s in dispute["stages"] if s["position"] == dispute["stage"] and s["endedAt"] is None), None
    )
    overdue = (
        current is not None and current["answeredAt"] is None and date.fromisoformat(current["dueOn"]) < today
    )
    return {**dispute, "current": current, "overdue": overdue}


async def case_disputes(
    ops: Operations, uow: UnitOfWork, actor: Actor, case: dict[str, Any]
) -> list[dict[str, Any]] | None:
    """The disputes on the case the viewer sees, open first; None (and nothing read) if none of their roles
    on it reads disputes."""
    if not READERS & set(case["viewerRoles"]):
        return None
    data = await ops.run(uow, actor, "Disputes", {"caseId": case["id"]})
    today = clock.today()
    return [standing(d, today) for d in data["disputes"]]


async def disputes_to_answer(
    ops: Operations, uow: UnitOfWork, actor: Actor, roles: Collection[str]
) -> list[dict[str, Any]]:
    """The disputes a manager of the authority is named to answer at the stage they are at, and has not,
    the soonest due first; nothing (and nothing read) for anyone else."""
    if Role.LA_MANAGER.name not in roles:
        return []
    data = await ops.run(uow, actor, "Disputes", {})
    today = clock.today()
    mine = [standing(d, today) for d in data["disputes"] if d["viewerCan"]["answer"]]
    return sorted(mine, key=lambda d: d["current"]["dueOn"] if d["current"] else "")
