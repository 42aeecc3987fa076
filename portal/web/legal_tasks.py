"""The LA solicitor's tasks on "What needs doing": what the timetable asks of her, from what the portal
records.

Two things, and only where the records show them: open proceedings at risk of missing their deadline, or
past it, by the timescale's own rule (portal/cases/timescale.py; the court must extend the timetable, by up
to 8 weeks at a time, CA 1989 s32(5)-(8), or the proceedings conclude), and proceedings whose final hearing
is recorded but whose final orders are not (recording them concludes the proceedings and starts the
guardian's handover duties, P12-P14).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request

from portal.auth.actor import Actor
from portal.db import UnitOfWork
from portal.web.operations import Operations

# Her cases are read a page of 100 at a time; past this many pages the rest wait for the next visit.
MAX_PAGES = 10


@dataclass(frozen=True)
class LegalTasks:
    deadlines: list[dict[str, Any]] = field(default_factory=list)
    final_orders: list[dict[str, Any]] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.deadlines or self.final_orders)


async def legal_tasks(request: Request, uow: UnitOfWork, actor: Actor, roles: list[str]) -> LegalTasks:
    """The LA solicitor's tasks on her cases; nothing (and nothing read) for anyone else."""
    if "LA_SOLICITOR" not in roles:
        return LegalTasks()
    ops: Operations = request.app.state.operations
    cases: list[dict[str, Any]] = []
    after = None
    for _ in range(MAX_PAGES):
        page = (await ops.run(uow, actor, "LegalTasks", {"after": after}))["cases"]
        cases += page["nodes"]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    mine = [c for c in cases if "LA_SOLICITOR" in c["viewerRoles"] and c["stage"] != "CONCLUDED"]
    deadlines = sorted(
        (c for c in mine if c["timescale"]["atRisk"]),
        key=lambda c: c["timescale"]["daysRemaining"],
    )
    final = [c for c in mine if c["stage"] == "FINAL_HEARING"]
    final.sort(key=lambda c: c["stageHistory"][-1]["changedOn"])
    return LegalTasks(deadlines=deadlines, final_orders=final)
