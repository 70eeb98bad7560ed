"""A parent's change carries its children along, or is refused with an explanation."""
from __future__ import annotations

import pytest
import shapely
from core.errors import DomainError

from boundaries import services
from boundaries.levels import Kind
from boundaries.models import AdminUnit, BoundaryVersion

from .factories import X0, Y0, D, gj, make_tree, ring

pytestmark = pytest.mark.django_db
M = 1 / 111_000


def geom(unit: AdminUnit):
    return services.to_shapely(AdminUnit.objects.get(pk=unit.pk).geom)


def test_shrinking_parent_clips_child_and_records_it() -> None:
    t = make_tree(with_east=True)
    out = services.reshape_unit(t.district_admin, t.town.pk, gj(X0, Y0, X0 + 1.8 * D, Y0 + 2 * D), reason="划出")
    followed = out.report["children_followed"]
    assert [c["id"] for c in followed] == [t.east.pk]
    assert followed[0]["area_after_m2"] == pytest.approx(followed[0]["area_before_m2"] * 0.8, rel=0.01)
    assert geom(t.east).bounds == pytest.approx((X0 + D, Y0, X0 + 1.8 * D, Y0 + 2 * D), abs=1e-12)
    assert geom(t.west).equals(services.to_shapely(t.west.geom))
    v = BoundaryVersion.objects.get(unit=t.east, version=2)
    assert v.operation == "follow_parent" and "双龙湖街道" in v.reason and "划出" in v.reason
    assert shapely.covers(geom(t.town), geom(t.east))


def test_small_move_within_tolerance_is_followed_exactly(settings) -> None:
    # Towns snap within 1 m here, so the town's own save keeps a 2 m move; communities within 3 m.
    settings.BOUNDARY_SNAP_TOLERANCE_M = {2: 1.0, 3: 3.0}
    t = make_tree(with_east=True)
    new_east = X0 + 2 * D - 2 * M  # the town's east edge moves 2 m west (the children's tolerance is 3 m)
    services.reshape_unit(t.district_admin, t.town.pk, gj(X0, Y0, new_east, Y0 + 2 * D))
    assert geom(t.east).bounds[2] == new_east


def test_growing_parent_shares_gained_strip_between_children() -> None:
    t = make_tree(with_east=True)
    services.reshape_unit(t.district_admin, t.town.pk, gj(X0, Y0, X0 + 2 * D, Y0 + 1.5 * D))
    assert geom(t.west).bounds[3] == pytest.approx(Y0 + 1.5 * D)
    out = services.reshape_unit(t.district_admin, t.town.pk, gj(X0, Y0, X0 + 2 * D, Y0 + 2 * D), reason="恢复")
    assert {c["id"] for c in out.report["children_followed"]} == {t.west.pk, t.east.pk}
    w, e, town = geom(t.west), geom(t.east), geom(t.town)
    assert w.bounds[3] == pytest.approx(Y0 + 2 * D) and e.bounds[3] == pytest.approx(Y0 + 2 * D)
    assert shapely.area(w) == pytest.approx(shapely.area(e), rel=0.01)
    assert shapely.coverage_is_valid([w, e])
    assert shapely.area(shapely.difference(town, shapely.union(w, e))) < 1e-12  # no gap between levels


def test_grandchildren_follow_too() -> None:
    t = make_tree(with_east=True)
    east_staff = t.neighbour_staff  # staff of the east community
    compound = services.create_unit(east_staff, t.east.pk, name="东苑", kind=Kind.COMPOUND,
                                    geometry=gj(X0 + 1.5 * D, Y0, X0 + 2 * D, Y0 + D)).unit
    out = services.reshape_unit(t.district_admin, t.town.pk, gj(X0, Y0, X0 + 1.8 * D, Y0 + 2 * D))
    east_entry = out.report["children_followed"][0]
    assert east_entry["children_followed"][0]["id"] == compound.pk
    assert geom(compound).bounds[2] == pytest.approx(X0 + 1.8 * D)
    assert BoundaryVersion.objects.get(unit=compound, version=2).operation == "follow_parent"


def test_change_that_empties_a_child_is_refused() -> None:
    t = make_tree(with_east=True)
    before = BoundaryVersion.objects.count(), geom(t.town).wkb
    with pytest.raises(DomainError) as e:
        services.reshape_unit(t.district_admin, t.town.pk, gj(X0, Y0, X0 + D, Y0 + 2 * D))
    assert e.value.code == "parent_change_empties_child" and "东社区" in e.value.message
    assert (BoundaryVersion.objects.count(), geom(t.town).wkb) == before


def test_change_that_splits_a_child_is_refused() -> None:
    t = make_tree(with_east=True)
    # A notch from the east across the whole east community cuts it in two.
    notched = ring([(X0, Y0), (X0 + 2 * D, Y0), (X0 + 2 * D, Y0 + 0.9 * D), (X0 + 0.95 * D, Y0 + 0.9 * D),
                    (X0 + 0.95 * D, Y0 + 1.1 * D), (X0 + 2 * D, Y0 + 1.1 * D), (X0 + 2 * D, Y0 + 2 * D),
                    (X0, Y0 + 2 * D)])
    with pytest.raises(DomainError) as e:
        services.reshape_unit(t.district_admin, t.town.pk, notched)
    assert e.value.code == "parent_change_splits_child" and "东社区" in e.value.message
    assert AdminUnit.objects.get(pk=t.town.pk).boundary_version == 1
