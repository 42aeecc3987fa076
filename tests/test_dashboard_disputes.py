"""The dashboards' disputes and referrals (issue 17): on data whose answer is known by construction, each
figure counts what it says (a dispute resolved informally, one at a formal stage within the ladder's time,
one open beyond it, a fast-tracked one, a referral concluded and one overdue), each drills down to exactly
its cases, and a manager outside the scope sees none of them."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import date, time
from typing import Any, TypeVar

from models import DisputeSubject, ReferralGround, ReferralOutcome
from portal import clock
from portal.clock import london_datetime
from portal.dashboards import service as dashboards
from portal.dashboards.drill import Figure
from portal.disputes import service as disputes
from portal.disputes.ladders import LadderSpec, StageSpec
from portal.referrals import service as referrals
from tests.conftest import Travel
from tests.support.world import World

T = TypeVar("T")


async def _as(world: World, who: str, work: Callable[[Any, Any], Awaitable[T]]) -> T:
    async with world.sessions() as session, session.begin():
        return await work(session, await world.actor(who))


async def _raise(world: World, case_id: uuid.UUID, **fast_track: Any) -> uuid.UUID:
    challenge = disputes.RaiseChallenge(
        case_id=case_id,
        subject=DisputeSubject.DRIFT_OR_DELAY,
        summary="Drift.",
        raised_with="The social worker",
        resolution_sought="A plan.",
        sought_by=clock.today(),
        **fast_track,
    )
    return (await _as(world, "iro", lambda s, a: disputes.raise_challenge(s, a, challenge))).id


async def test_each_figure_counts_its_disputes_and_referrals_and_drills_down_to_them(
    world: World, travel: Travel
) -> None:
    # Monday 2 November 2026: Riverside's ladder allows 5 working days for its first stage, 12 in all.
    travel(london_datetime(date(2026, 11, 2), time(9)))
    riverside = world.orgs["riverside"].id
    ladder = LadderSpec((StageSpec("Team manager", 5), StageSpec("Director", 7)), 12, None)
    await _as(world, "admin", lambda s, a: disputes.set_ladder(s, a, riverside, ladder))
    informal, within, beyond, fast, referred = [await world.open_case() for _ in range(5)]
    manager = world.id("team_manager")

    settled = await _raise(world, informal)
    await _as(world, "iro", lambda s, a: disputes.resolve(s, a, settled, "Agreed with the TM.", None))
    on_time = await _raise(world, within)
    await _as(world, "iro", lambda s, a: disputes.escalate(s, a, on_time, manager, "Unsettled."))
    late = await _raise(world, beyond)
    await _as(world, "iro", lambda s, a: disputes.escalate(s, a, late, manager, "Unsettled."))
    await _raise(
        world,
        fast,
        fast_track_stage=2,
        fast_track_reason="A move tomorrow.",
        answerer_id=world.id("director"),
    )
    refer = referrals.Refer(
        case_id=referred, ground=ReferralGround.FAMILY_LIFE, grounds="Contact stopped.", steps_taken="LDRP"
    )
    concluded = await _as(world, "iro", lambda s, a: referrals.refer(s, a, refer))
    await _as(world, "iro", lambda s, a: referrals.refer(s, a, refer))
    await _as(
        world,
        "cafcass_manager",
        lambda s, a: referrals.appoint(s, a, concluded.id, world.id("guardian2")),
    )

    # Friday 6 November: the first is resolved at stage 1, within the ladder's time.
    travel(london_datetime(date(2026, 11, 6), time(9)))
    await _as(world, "iro", lambda s, a: disputes.resolve(s, a, on_time, "The TM agreed.", None))
    await _as(
        world,
        "guardian2",
        lambda s, a: referrals.record_outcome(
            s, a, concluded.id, ReferralOutcome.RESOLVED_BY_DISCUSSION, None, "Met the head of service."
        ),
    )
    # Friday 20 November: 12 working days from 2 November ended on the 18th; two are open beyond it.
    travel(london_datetime(date(2026, 11, 20), time(9)))
    period: dict[str, Any] = {"start": date(2026, 11, 1), "end": date(2026, 11, 30), "today": clock.today()}
    for who in ("iro_manager", "cafcass_manager"):
        figures = await _as(world, who, lambda s, a: dashboards.disputes(s, a, **period))
        assert (figures.opened, figures.fast_tracked, figures.resolved) == (4, 1, 2), who
        assert (figures.resolved_informally, figures.resolved_at_stage) == (1, [(1, 1)]), who
        assert (figures.resolved_within_limit, figures.resolved_beyond_limit) == (1, 0), who
        assert (figures.open, figures.open_beyond_limit) == (2, 2), who
        assert (figures.referrals_made, figures.referrals_open, figures.referrals_overdue) == (2, 1, 1), who
        assert dict(figures.referral_outcomes)[ReferralOutcome.RESOLVED_BY_DISCUSSION] == 1, who
        expected = {
            Figure.DISPUTES_OPENED: {informal, within, beyond, fast},
            Figure.DISPUTES_FAST_TRACKED: {fast},
            Figure.DISPUTES_RESOLVED_INFORMALLY: {informal},
            Figure.DISPUTES_RESOLVED_AT_STAGE_1: {within},
            Figure.DISPUTES_RESOLVED_WITHIN_LIMIT: {within},
            Figure.DISPUTES_OPEN_BEYOND_LIMIT: {beyond, fast},
            Figure.REFERRALS_MADE: {referred},
            Figure.REFERRALS_OVERDUE: {referred},
            Figure.REFERRALS_RESOLVED_BY_DISCUSSION: {referred},
            Figure.REFERRALS_APPLICATION_TO_COURT: set(),
        }
        for figure, cases in expected.items():
            behind = await _as(world, who, lambda s, a, f=figure: dashboards.cases_behind(s, a, f, **period))
            assert {b.case.id for b in behind} == cases, (who, figure)
    # Before any of it, nothing; another authority's and service area's managers see none of it.
    earlier = {"start": date(2026, 10, 1), "end": date(2026, 10, 31), "today": clock.today()}
    figures = await _as(world, "iro_manager", lambda s, a: dashboards.disputes(s, a, **earlier))
    assert (figures.opened, figures.resolved, figures.referrals_made, figures.open) == (0, 0, 0, 0)
    for who in ("other_iro_manager", "other_cafcass_manager"):
        figures = await _as(world, who, lambda s, a: dashboards.disputes(s, a, **period))
        assert (figures.opened, figures.open, figures.referrals_made, figures.referrals_open) == (0, 0, 0, 0)
