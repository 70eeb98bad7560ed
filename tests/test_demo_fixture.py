"""The shared ``demo`` fixture: the tiny Yubei demo, loaded once per session."""
from __future__ import annotations

import pytest
from accounts.models import Role

from boundaries.levels import Level
from boundaries.models import AdminUnit, House


@pytest.mark.django_db
def test_demo_fixture_names_units_and_users(demo) -> None:
    assert demo.district.code == "500112" and demo.district.name == "渝北区"
    assert demo.town.code == "500112002" and demo.town.name == "双龙湖街道"
    assert demo.community.parent_id == demo.town.pk
    assert demo.neighbour_community.parent_id == demo.town.pk
    assert demo.other_town.parent_id == demo.district.pk and demo.other_town != demo.town
    assert demo.village_staff.unit == demo.community and demo.village_staff.role == Role.STAFF
    assert demo.neighbour_staff.unit == demo.neighbour_community
    assert demo.town_supervisor.role == Role.SUPERVISOR and demo.town_admin.unit == demo.town
    assert demo.district_admin.unit == demo.district
    # The demo community is detailed down to houses; the neighbour really borders it.
    assert AdminUnit.objects.subtree(demo.community).filter(level=Level.BUILDING).exists()
    assert House.objects.filter(building__path__startswith=demo.community.path).exists()
    assert demo.community.geom.touches(demo.neighbour_community.geom) or demo.community.geom.intersection(
        demo.neighbour_community.geom
    ).length > 0


@pytest.mark.django_db(transaction=True)
def test_transactional_test_sees_the_demo(demo) -> None:
    assert AdminUnit.objects.filter(level=Level.COMMUNITY).count() == 412


@pytest.mark.django_db
def test_demo_is_back_after_a_transactional_test(demo) -> None:
    assert AdminUnit.objects.filter(level=Level.TOWN).count() == 30
    assert demo.village_staff.unit.code == demo.community.code
