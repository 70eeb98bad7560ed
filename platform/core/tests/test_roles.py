"""One definition per capability, checked for every standard actor."""
from __future__ import annotations

from typing import Any

import pytest

from core import roles
from core.roles import LoginType, Role
from core.testing import Actors

pytestmark = pytest.mark.django_db

# actor -> (staff, write, review, reveal, export_full, unit_admin, draw_levels)
EXPECTED: dict[str, tuple[bool, bool, bool, bool, bool, bool, tuple[int, ...]]] = {
    "village_staff": (True, True, False, True, False, False, (4, 5)),
    "village_admin": (True, True, True, True, True, True, (4, 5)),
    "village_reviewer": (True, False, True, False, False, False, ()),
    "neighbour_staff": (True, True, False, True, False, False, (4, 5)),
    "town_staff": (True, True, False, True, False, False, (3,)),
    "town_supervisor": (True, False, False, False, False, False, ()),
    "other_town_admin": (True, True, True, True, True, True, (3,)),
    "district_admin": (True, True, True, True, True, True, (2,)),
    "resident": (False, False, False, False, False, False, ()),
    "neighbour_resident": (False, False, False, False, False, False, ()),
    "anonymous": (False, False, False, False, False, False, ()),
}


def _fresh(user: Any) -> Any:
    """A copy to change in memory: the demo's user objects are shared by every test."""
    return type(user).objects.get(pk=user.pk)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_capabilities_of_every_actor(actors: Actors, name: str) -> None:
    user = actors.user(name)
    got = (roles.is_staff_account(user), roles.can_write(user), roles.can_review(user), roles.can_reveal(user),
           roles.can_export_full(user), roles.is_unit_admin(user), roles.draw_levels(user))
    assert got == EXPECTED[name]
    caps = roles.capabilities(user)
    assert caps["resident"] is (name in ("resident", "neighbour_resident"))
    assert caps["draw_levels"] == list(EXPECTED[name][6])
    assert caps["export"] is EXPECTED[name][0]  # every staff account may export (audited); residents not


def test_resident_by_role_or_login_type_never_gets_staff_rights(actors: Actors) -> None:
    staff = _fresh(actors.village_staff)
    for role, login_type in ((Role.RESIDENT, LoginType.COMMUNITY), (Role.STAFF, LoginType.RESIDENT)):
        staff.role, staff.login_type = role, login_type
        assert roles.is_resident(staff)
        assert not (roles.is_staff_account(staff) or roles.can_write(staff) or roles.can_reveal(staff))
        assert roles.draw_levels(staff) == ()


def test_superuser_may_do_everything(actors: Actors) -> None:
    su = _fresh(actors.village_staff)
    su.is_superuser = True
    su.role, su.login_type = Role.RESIDENT, LoginType.RESIDENT
    assert not roles.is_resident(su)
    assert roles.can_write(su) and roles.can_review(su) and roles.can_reveal(su) and roles.is_unit_admin(su)
    assert roles.draw_levels(su) == (1, 2, 3, 4, 5)


def test_only_town_or_district_writers_guide_elections(actors: Actors) -> None:
    guides = {name for name in ("village_staff", "village_admin", "village_reviewer", "neighbour_staff", "town_staff",
                                "town_supervisor", "town_reviewer", "other_town_admin", "district_admin", "resident",
                                "anonymous") if roles.can_guide_elections(actors.user(name))}
    assert guides == {"town_staff", "other_town_admin", "district_admin"}
    assert roles.capabilities(actors.town_staff)["guide_elections"] is True
    assert roles.capabilities(actors.village_admin)["guide_elections"] is False
