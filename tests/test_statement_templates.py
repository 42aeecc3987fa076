"""Statements over case data are built once per shape of a viewer's access and run with each viewer's values
(portal/access/repository.py's Template), and lists of ids are one parameter (portal/in_list.py): the SQL
text stays the same whoever asks and however many ids they ask about, and the access rule still holds for
each viewer (PROTOCOL.md §6)."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from portal.cases import repository as cases
from tests.support.queries import QueryCounter
from tests.support.world import World


@pytest.mark.parametrize("count", [0, 1, 3])
async def test_a_list_of_ids_is_one_parameter_whatever_its_length(
    session: AsyncSession, world: World, count_queries: QueryCounter, count: int
) -> None:
    people = [world.id(key) for key in ("guardian", "iro", "cafcass_manager")][:count]
    with count_queries() as statements:
        found = await cases.people_by_id(session, [*people, uuid.uuid4()])
    assert set(found) == set(people)
    with count_queries() as again:
        await cases.people_by_id(session, [world.id("solicitor")])
    assert statements == again, "the SQL text changed with the number of ids"


async def test_one_statement_per_shape_of_access_with_each_viewers_values(
    world: World, engine: AsyncEngine
) -> None:
    """Two guardians share a statement and get their own cases' children; a manager's access has another
    shape, so another statement; someone outside the case gets nothing (P1's guardian, §6)."""
    case_id = await world.open_case()
    guardian, outsider = await world.actor("guardian"), await world.actor("other_guardian")
    manager = await world.actor("cafcass_manager")

    mine, mine_params = cases._CHILDREN.bound(guardian, case_ids=[case_id])
    theirs, their_params = cases._CHILDREN.bound(outsider, case_ids=[case_id])
    managers, _ = cases._CHILDREN.bound(manager, case_ids=[case_id])
    assert mine is theirs
    assert managers is not mine
    assert mine_params != their_params

    async with AsyncSession(engine) as session:
        for viewer, sees in ((guardian, True), (manager, True), (outsider, False)):
            found = await cases.children_by_case(session, viewer, [case_id])
            assert bool(found.get(case_id)) is sees
