"""The role table: which relationship to a case grants what (PROTOCOL.md §1 and §6)."""

from __future__ import annotations

import pytest

from models import CaseRole, Role
from portal.access.policy import (
    CASE_PERMISSIONS,
    Permission,
    acting_roles,
    case_permissions,
    has_global_permission,
    role_permitting,
)


def test_every_role_is_classified() -> None:
    assert set(CASE_PERMISSIONS) == set(Role)


def test_a_membership_counts_only_with_the_matching_role() -> None:
    # A guardian membership held by someone who is no longer a guardian grants nothing.
    assert acting_roles(frozenset({Role.SOCIAL_WORKER}), [CaseRole.GUARDIAN], []) == []
    assert acting_roles(frozenset({Role.GUARDIAN}), [CaseRole.GUARDIAN], []) == [Role.GUARDIAN]


def test_a_manager_scope_counts_only_for_a_manager() -> None:
    assert acting_roles(frozenset({Role.IRO}), [], [Role.IRO_MANAGER]) == []
    assert acting_roles(frozenset({Role.IRO, Role.IRO_MANAGER}), [CaseRole.IRO], [Role.IRO_MANAGER]) == [
        Role.IRO,
        Role.IRO_MANAGER,
    ]


@pytest.mark.parametrize(
    ("role", "need", "allowed"),
    [
        (Role.GUARDIAN, Permission.LOG_CONTACT, True),  # P1, P2
        (Role.IRO, Permission.LOG_CONTACT, True),  # P1, P7
        (Role.LA_SOLICITOR, Permission.LOG_CONTACT, False),
        (Role.SOCIAL_WORKER, Permission.LOG_CONTACT, False),
        (Role.CAFCASS_MANAGER, Permission.ALLOCATE_GUARDIAN, True),
        (Role.IRO_MANAGER, Permission.ALLOCATE_GUARDIAN, False),
        (Role.IRO_MANAGER, Permission.ASSIGN_IRO, True),
        (Role.LA_SOLICITOR, Permission.MANAGE_PROCEEDINGS, True),
        (Role.GUARDIAN, Permission.MANAGE_PROCEEDINGS, False),
        (Role.ADMIN, Permission.READ_CASE, False),  # nobody sees a case because of their role alone
    ],
)
def test_case_permissions(role: Role, need: Permission, allowed: bool) -> None:
    assert (role_permitting([role], need) is role) is allowed
    assert (need in case_permissions([role])) is allowed


def test_only_la_solicitors_open_proceedings() -> None:
    assert [r for r in Role if has_global_permission(frozenset({r}), Permission.OPEN_PROCEEDINGS)] == [
        Role.LA_SOLICITOR
    ]
