"""Who may draw what: one level below one's own unit, corrections in the subtree, writers only."""
from __future__ import annotations

import pytest
from core import roles
from core.errors import DomainError

from boundaries import permissions, services
from boundaries.levels import Kind

from .factories import X0, Y0, D, gj, make_tree, make_user

pytestmark = pytest.mark.django_db


def test_matrix() -> None:
    t = make_tree(with_east=True)
    nb = services.create_unit(t.village_staff, t.west.pk, name="小区", kind=Kind.COMPOUND,
                              geometry=gj(X0, Y0, X0 + 0.5 * D, Y0 + 0.5 * D)).unit
    # (user, create under, allowed)
    create = [
        (t.town_staff, t.town, True),          # one level below: communities of the town
        (t.town_admin, t.town, True),
        (t.town_staff, t.west, False),         # two levels below: the community draws it
        (t.town_staff, t.district, False),     # own level
        (t.district_admin, t.district, True),
        (t.district_admin, t.town, False),
        (t.village_staff, t.west, True),       # neighbourhoods of the community
        (t.village_staff, nb, True),           # the community also draws its buildings
        (t.village_staff, t.east, False),      # the neighbouring community
        (t.neighbour_staff, t.west, False),
        (t.neighbour_staff, nb, False),
        (t.town_supervisor, t.town, False),    # read-only roles
    ]
    for user, parent, allowed in create:
        assert permissions.can_create_child(user, parent) is allowed, (user.username, parent.name)
    reshape = [
        (t.town_staff, t.west, True),          # its own drawing
        (t.town_staff, nb, True),              # correction deeper in the subtree
        (t.town_staff, t.town, False),         # its own unit: the district draws it
        (t.town_staff, t.other_town, False),   # outside the subtree
        (t.district_admin, t.west, True),
        (t.village_staff, nb, True),
        (t.village_staff, t.west, False),
        (t.village_staff, t.east, False),
        (t.neighbour_staff, nb, False),
        (t.town_supervisor, t.west, False),
    ]
    for user, unit, allowed in reshape:
        assert permissions.can_reshape(user, unit) is allowed, (user.username, unit.name)
    assert roles.draw_levels(t.village_staff) == (4, 5)
    assert roles.draw_levels(t.town_staff) == (3,)
    assert roles.draw_levels(t.town_supervisor) == ()


@pytest.mark.parametrize("role", ["reviewer", "supervisor", "resident"])
def test_read_only_roles_are_refused_with_403(role: str) -> None:
    t = make_tree()
    user = make_user(f"ro_{role}", t.town, role)
    with pytest.raises(DomainError) as e:
        services.create_unit(user, t.town.pk, name="x", kind=Kind.COMMUNITY, geometry=gj(X0 + D, Y0, X0 + 2 * D, Y0 + D))
    assert (e.value.code, e.value.status_code) == ("forbidden_role", 403)
    with pytest.raises(DomainError) as e:
        services.reshape_unit(user, t.west.pk, gj(X0, Y0, X0 + D, Y0 + D))
    assert e.value.code == "forbidden_role"


def test_outside_jurisdiction_is_not_found_and_level_rule_is_403() -> None:
    t = make_tree()
    with pytest.raises(DomainError) as e:
        services.reshape_unit(t.village_staff, t.other_town.pk, gj(X0, Y0, X0 + D, Y0 + D))
    assert (e.value.code, e.value.status_code) == ("not_found", 404)
    with pytest.raises(DomainError) as e:
        services.preview(t.town_staff, None, gj(X0, Y0, X0 + D, Y0 + D), unit_id=t.town.pk)
    assert (e.value.code, e.value.status_code) == ("forbidden_level", 403)


def test_api_refusals() -> None:
    from rest_framework.test import APIClient

    t = make_tree()
    c = APIClient()
    c.force_authenticate(t.town_supervisor)
    r = c.patch(f"/api/units/{t.west.pk}/", {"geometry": gj(X0, Y0, X0 + D, Y0 + D)}, format="json")
    assert r.status_code == 403 and r.json()["code"] == "forbidden_role"
    c.force_authenticate(t.village_staff)
    r = c.post("/api/boundaries/preview/", {"parent": t.other_town.pk, "geometry": gj(X0, Y0, X0 + D, Y0 + D)},
               format="json")
    assert r.status_code == 404
    c.force_authenticate(None)
    r = c.post("/api/boundaries/preview/", {"parent": t.town.pk, "geometry": gj(X0, Y0, X0 + D, Y0 + D)}, format="json")
    assert r.status_code in (401, 403)
