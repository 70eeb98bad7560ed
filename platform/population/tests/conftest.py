"""Small population fixtures (own factories; the shared ``demo`` fixture is for cross-module tests).

Three standard users: staff of this community (A), of the neighbouring community (B),
and the town above; plus a supervisor and a district administrator.
"""
from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from accounts.models import Role
from rest_framework.test import APIClient

from boundaries.levels import Level
from boundaries.models import AdminUnit, House
from population.ids import check_digit

_seq = iter(range(5, 499))


def make_id(region: str = "500112", birth: dt.date = dt.date(1980, 5, 17), male: bool = True) -> str:
    seq = next(_seq) * 2 + (1 if male else 0)
    first = f"{region}{birth:%Y%m%d}{seq:03d}"
    return first + check_digit(first)


@pytest.fixture
def world(db, demo, django_user_model):
    """A = the demo community, B = its neighbour (same town), C = a community of another town."""
    a, b = demo.community, demo.neighbour_community
    c = AdminUnit.objects.filter(level=Level.COMMUNITY, path__startswith=demo.other_town.path).order_by("code").first()
    ba = AdminUnit.objects.filter(level=Level.BUILDING, path__startswith=a.path, houses__isnull=False).order_by("code").first()
    bb = AdminUnit.objects.filter(level=Level.BUILDING, path__startswith=b.path, houses__isnull=False).order_by("code").first()
    houses_a = list(House.objects.filter(building=ba).order_by("id")[:4])
    staff_c = django_user_model.objects.create_user("p_staff_c", password="x-Pass-12345!", unit=c, role=Role.STAFF)
    return SimpleNamespace(
        city=demo.city, district=demo.district, town=demo.town, other_town=demo.other_town, a=a, b=b, c=c,
        na=ba.parent, ba=ba, bb=bb, houses_a=houses_a, house_b=House.objects.filter(building=bb).first(),
        staff_a=demo.village_staff, staff_b=demo.neighbour_staff, staff_c=staff_c, town_admin=demo.town_admin,
        supervisor=demo.town_supervisor, district_admin=demo.district_admin, village_admin=demo.village_admin,
        resident=demo.resident,
    )


@pytest.fixture
def api():
    def client(user) -> APIClient:
        c = APIClient()
        c.force_authenticate(user)
        return c

    return client
