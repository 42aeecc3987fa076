"""The referrals to Cafcass that other pages show (portal/web/referral_pages.py has the referrals' own
pages): those on a case, for the case page; those waiting for the viewer's step, for their tasks. Nothing is
read for a viewer who could see none of them."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from models import Role
from portal.access.policy import CASE_PERMISSIONS, GLOBAL_PERMISSIONS, Permission
from portal.auth.actor import Actor
from portal.db import UnitOfWork
from portal.web.operations import Operations

# The roles on a case that read its referrals (READ_REFERRALS in the role table), by the schema's names.
READERS = frozenset(r.name for r, allowed in CASE_PERMISSIONS.items() if Permission.READ_REFERRALS in allowed)
# The roles whose tasks a referral may wait on: the service area's managers (acknowledge, appoint) and its
# officers (appointed to make the enquiries), as the role table says.
ACTING = frozenset(
    r.name
    for r in Role
    if Permission.MANAGE_REFERRAL in CASE_PERMISSIONS[r]
    or Permission.ENQUIRE_REFERRAL in GLOBAL_PERMISSIONS.get(r, frozenset())
)


def lists_referrals(actor: Actor | None) -> bool:
    """Whether the service navigation links to the list of referrals: those who make, oversee or receive
    them."""
    return actor is not None and any(role.name in READERS for role in actor.roles)


async def case_referrals(
    ops: Operations, uow: UnitOfWork, actor: Actor, case: dict[str, Any]
) -> list[dict[str, Any]] | None:
    """The case's referrals, open first; None (and nothing read) if none of the viewer's roles on it reads
    them."""
    if not READERS & set(case["viewerRoles"]):
        return None
    found: list[dict[str, Any]] = (await ops.run(uow, actor, "Referrals", {"caseId": case["id"]}))[
        "referrals"
    ]
    return found


async def referrals_to_act_on(
    ops: Operations, uow: UnitOfWork, actor: Actor, roles: Collection[str]
) -> list[dict[str, Any]]:
    """The open referrals waiting for the viewer's step, the soonest due first: to acknowledge or give an
    officer (a manager of the service area), or to enquire into and conclude (the officer)."""
    if not ACTING & set(roles):
        return []
    found = (await ops.run(uow, actor, "Referrals", {}))["referrals"]
    me = str(actor.person_id)
    waiting = [
        r
        for r in found
        if r["state"] != "CONCLUDED"
        and (
            (r["viewerCan"]["manage"] and r["state"] in {"REFERRED", "ACKNOWLEDGED"})
            or (r["officer"] is not None and r["officer"]["id"] == me)
        )
    ]
    return sorted(waiting, key=lambda r: r["dueOn"] or "")
