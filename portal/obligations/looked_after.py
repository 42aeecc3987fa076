"""The IRO's review duties for a looked-after child (CPPCR reg 33; issue 18): R1, the first review within
20 working days of becoming looked after; R2, the second within 3 months of the first; R3, each later one
within 6 months of the last. One is open for each looked-after child at a time, on whichever of the
child's proceedings it opened on: a review held meets it and opens the next, and a child who stops being
looked after ends it. Its due date and the child's "next review" card come from the same schedule
(portal/reviews/schedule.py)."""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import date, time

from sqlalchemy.ext.asyncio import AsyncSession

from models import CaseRole, Child, Obligation, ObligationState, Proceedings, Review, Trigger
from portal import clock
from portal.cases import repository as cases
from portal.obligations import repository
from portal.obligations.rules import APPOINTMENT, CHANGE, REVIEW_CODES
from portal.obligations.service import Event, close, finish, open_obligations
from portal.reviews import repository as reviews
from portal.reviews.schedule import next_review

CODES = list(REVIEW_CODES.values())
_TRIGGERS = {"R1": Trigger.LOOKED_AFTER, "R2": Trigger.FIRST_REVIEW_HELD, "R3": Trigger.LATER_REVIEW_HELD}


async def _open_next(
    session: AsyncSession,
    case: Proceedings,
    children: list[Child],
    *,
    by: uuid.UUID | None,
    review: Review | None = None,
    tell: bool = True,
    iros: dict[uuid.UUID, uuid.UUID] | None = None,
) -> list[Obligation]:
    """Open each child's next review duty, as the schedule places it from the reviews held since they became
    looked after (``review``, just held, among them), owned by the child's IRO on the case. A few queries
    however many children."""
    if not children:
        return []
    held = await reviews.held_reviews(session, [c.id for c in children])
    iros = await _iros(session, case) if iros is None else iros
    events: dict[str, list[Event]] = defaultdict(list)
    for child in children:
        assert child.looked_after_since is not None
        since = child.looked_after_since
        days = sorted(
            r.held_on for r in held.get(child.id, []) if r.held_on is not None and r.held_on >= since
        )
        code = REVIEW_CODES[next_review(since, days).kind]
        events[code].append(
            Event(
                review.id if review else None,
                child.id,
                on=days[-1] if days else since,
                owners=(iros.get(child.id), None),
            )
        )
    opened = []
    for code, found in events.items():
        opened += await open_obligations(
            session, case, _TRIGGERS[code], on=clock.today(), by=by, tell=tell, codes=[code], events=found
        )
    return opened


async def looked_after(
    session: AsyncSession,
    case: Proceedings,
    children: list[Child],
    *,
    by: uuid.UUID | None,
    tell: bool = True,
) -> list[Obligation]:
    """The looked-after children among ``children``, on the case, with no review duty open: each one's next
    review duty opens (R1 from the day they became looked after, when no review was held since)."""
    looking = [c for c in children if c.legal_status.is_looked_after and c.looked_after_since is not None]
    if not looking:
        return []
    already = {
        o.child_id for o in await repository.open_child_obligations(session, [c.id for c in looking], CODES)
    }
    iros = await _iros(session, case)
    waiting = [c for c in looking if c.id not in already]
    opened = await _open_next(session, case, waiting, by=by, tell=tell, iros=iros)
    return opened + await _appoint(session, case, [c for c in looking if c.id not in iros], by=by, tell=tell)


async def _iros(session: AsyncSession, case: Proceedings) -> dict[uuid.UUID, uuid.UUID]:
    """Each child's IRO on the case."""
    return {m.child_id: m.person_id for m in await cases.live_memberships(session, case.id, CaseRole.IRO)}


async def _appoint(
    session: AsyncSession, case: Proceedings, children: list[Child], *, by: uuid.UUID | None, tell: bool
) -> list[Obligation]:
    """IA for each of the looked-after ``children``, who have no IRO on the case, unless one is being
    appointed already: due from the day they became looked after."""
    if not children:
        return []
    waiting = {
        o.child_id
        for o in await repository.open_child_obligations(session, [c.id for c in children], [APPOINTMENT])
    }
    events = [
        Event(None, c.id, on=c.looked_after_since, owners=(None, None))
        for c in children
        if c.id not in waiting
    ]
    if not events:
        return []
    return await open_obligations(
        session,
        case,
        Trigger.LOOKED_AFTER,
        on=clock.today(),
        by=by,
        tell=tell,
        codes=[APPOINTMENT],
        events=events,
    )


async def review_held(
    session: AsyncSession, case: Proceedings, review: Review, *, by: uuid.UUID | None, tell: bool = True
) -> None:
    """A review of the child was held (any kind counts, an additional one included): it meets their open
    review duty, on the day it was held, and the next one opens."""
    assert review.held_on is not None
    await session.flush()  # the review held is among those the schedule counts
    when = clock.london_datetime(review.held_on, time(12))
    for duty in await repository.open_child_obligations(session, [review.child_id], CODES):
        close(session, duty, ObligationState.MET, when, by, evidence_id=review.id)
    child = await session.get(Child, review.child_id)
    assert child is not None
    if child.legal_status.is_looked_after and child.looked_after_since is not None:
        await _open_next(session, case, [child], by=by, review=review, tell=tell)


async def no_longer_looked_after(
    session: AsyncSession, child: Child, on: date, *, by: uuid.UUID | None
) -> None:
    """The child stopped being looked after on ``on``: their review duty ends, and so does their IRO's
    consideration of any significant change still unanswered (SC: there is no review to bring forward) and
    the appointment of an IRO still to come (IA), with the reason (missed if it was already overdue then)."""
    duties = await repository.open_child_obligations(session, [child.id], [*CODES, CHANGE, APPOINTMENT])
    reason = f"{child.given_name} stopped being looked after on {on:%-d %B %Y}"
    finish(session, duties, on=on, reason=reason, by=by)
