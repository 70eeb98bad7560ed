"""Saves through the pipeline with the database: create, reshape, siblings win, noding, history."""
from __future__ import annotations

import pytest
import shapely
from core.errors import DomainError

from boundaries import services
from boundaries.levels import Kind
from boundaries.models import AdminUnit, BoundaryVersion, VersionOperation

from .factories import X0, Y0, D, gj, make_tree

pytestmark = pytest.mark.django_db
M = 1 / 111_000  # about one metre in degrees


def test_create_snaps_clips_and_yields_to_sibling() -> None:
    t = make_tree()
    # East half of the town, drawn sloppily: 2 m short of the town's east edge, 50 m over the
    # west community, and 200 m past the town's north edge.
    drawn = gj(X0 + D - 50 * M, Y0, X0 + 2 * D - 2 * M, Y0 + 2 * D + 200 * M)
    out = services.create_unit(t.town_staff, t.town.pk, name="东社区", kind=Kind.COMMUNITY, geometry=drawn, reason="新建")
    unit, report = out.unit, out.report
    g = services.to_shapely(unit.geom)
    town = services.to_shapely(t.town.geom)
    west = services.to_shapely(AdminUnit.objects.get(pk=t.west.pk).geom)
    assert shapely.covers(town, g)
    assert shapely.area(shapely.intersection(g, west)) < 1e-14
    assert g.bounds == pytest.approx((X0 + D, Y0, X0 + 2 * D, Y0 + 2 * D), abs=1e-12)
    assert report["vertices_moved"] == 1  # the south-east corner, 2 m from the town's
    assert report["clipped_m2"] > 150_000  # ~200 m × ~967 m cut at the north edge
    assert report["overlap_removed_m2"] > 40_000
    assert report["shared_with"] == [t.west.pk]
    assert report["coverage_valid"] is True
    assert report["gaps"] == []
    assert unit.code == "510112001002" and unit.path.endswith("510112001002/")
    v = BoundaryVersion.objects.get(unit=unit)
    assert (v.version, v.operation, v.author, v.reason) == (1, VersionOperation.CREATE, t.town_staff, "新建")


def test_t_junction_is_noded_into_the_neighbour() -> None:
    t = make_tree()
    # A community in the north half of the east side: its corner lies on the middle of the west
    # community's east edge, so the west community gains that vertex (same shape, one more vertex).
    drawn = gj(X0 + D, Y0 + D, X0 + 2 * D, Y0 + 2 * D)
    out = services.create_unit(t.town_staff, t.town.pk, name="北社区", kind=Kind.COMMUNITY, geometry=drawn)
    west = AdminUnit.objects.get(pk=t.west.pk)
    assert out.report["noded_siblings"] == [t.west.pk]
    assert west.geom.num_coords == 6 and west.boundary_version == 2
    # Same shape in lon/lat (the GK area moves by ~1e-6: an extra vertex bends the projected edge).
    assert shapely.area(shapely.symmetric_difference(services.to_shapely(west.geom), services.to_shapely(t.west.geom))) < 1e-15
    assert west.area_m2 == pytest.approx(t.west.area_m2, rel=1e-5)
    assert list(BoundaryVersion.objects.filter(unit=west).values_list("operation", flat=True)) == ["node", "baseline"]
    a, b = services.to_shapely(out.unit.geom), services.to_shapely(west.geom)
    assert shapely.coverage_is_valid([a, b])


def test_gaps_are_reported_with_area() -> None:
    t = make_tree()
    drawn = gj(X0 + D, Y0, X0 + 2 * D, Y0 + D)  # leaves the north-east quarter uncovered
    out = services.create_unit(t.town_staff, t.town.pk, name="南社区", kind=Kind.COMMUNITY, geometry=drawn)
    gaps = out.report["gaps"]
    assert len(gaps) == 1
    assert gaps[0]["area_m2"] == pytest.approx(t.town.area_m2 / 4, rel=0.01)
    assert gaps[0]["geometry"]["type"] == "Polygon"


def test_preview_writes_nothing_and_matches_save() -> None:
    t = make_tree()
    drawn = gj(X0 + D - 10 * M, Y0, X0 + 2 * D, Y0 + 2 * D)
    before = AdminUnit.objects.count(), BoundaryVersion.objects.count()
    prev = services.preview(t.town_staff, t.town.pk, drawn)
    assert (AdminUnit.objects.count(), BoundaryVersion.objects.count()) == before
    out = services.create_unit(t.town_staff, t.town.pk, name="东社区", kind=Kind.COMMUNITY, geometry=drawn)
    assert shapely.equals_exact(prev.geometry, services.to_shapely(out.unit.geom), 0)
    assert prev.report["area_after_m2"] == out.report["area_after_m2"]


def test_reshape_bumps_version_and_keeps_baseline() -> None:
    t = make_tree()
    out = services.reshape_unit(t.town_staff, t.west.pk, gj(X0, Y0, X0 + 1.5 * D, Y0 + 2 * D), reason="扩大")
    assert out.unit.boundary_version == 2
    versions = list(BoundaryVersion.objects.filter(unit=t.west).values_list("version", "operation"))
    assert versions == [(2, "reshape"), (1, "baseline")]
    assert out.unit.area_m2 == pytest.approx(t.west.area_m2 * 1.5, rel=0.01)


def test_bad_input_writes_nothing() -> None:
    t = make_tree()
    before = AdminUnit.objects.count(), BoundaryVersion.objects.count()
    with pytest.raises(DomainError) as e:
        services.create_unit(t.town_staff, t.town.pk, name="外", kind=Kind.COMMUNITY,
                             geometry=gj(X0 + 3 * D, Y0, X0 + 4 * D, Y0 + D))
    assert e.value.code == "outside_parent"
    with pytest.raises(DomainError) as e:
        services.create_unit(t.town_staff, t.town.pk, name="重", kind=Kind.COMMUNITY,
                             geometry=gj(X0 + 0.2 * D, Y0 + 0.2 * D, X0 + 0.8 * D, Y0 + 0.8 * D))
    assert e.value.code == "covered_by_siblings"
    with pytest.raises(DomainError) as e:
        services.create_unit(t.town_staff, t.town.pk, name="错", kind=Kind.BUILDING, geometry=gj(X0, Y0, X0 + D, Y0 + D))
    assert e.value.code == "kind_invalid"
    assert (AdminUnit.objects.count(), BoundaryVersion.objects.count()) == before


def test_restore_goes_through_pipeline() -> None:
    t = make_tree()
    services.reshape_unit(t.town_staff, t.west.pk, gj(X0, Y0, X0 + 0.5 * D, Y0 + 2 * D))
    out = services.restore_version(t.town_staff, t.west.pk, 1, reason="撤销")
    assert out.unit.boundary_version == 3
    assert out.unit.area_m2 == pytest.approx(t.west.area_m2, rel=1e-6)
    v = BoundaryVersion.objects.get(unit=t.west, version=3)
    assert (v.operation, v.reason) == ("restore", "撤销")
    with pytest.raises(DomainError) as e:
        services.restore_version(t.town_staff, t.west.pk, 99)
    assert e.value.code == "version_not_found"


def test_trigger_tolerates_invalid_stored_geometry() -> None:
    """A legacy/bulk-loaded invalid boundary can still be replaced (the trigger compares bytes)."""
    from django.contrib.gis.geos import MultiPolygon, Polygon

    t = make_tree()
    bow = MultiPolygon(Polygon(((X0, Y0), (X0 + D, Y0 + D), (X0 + D, Y0), (X0, Y0 + D), (X0, Y0))), srid=4490)
    AdminUnit.objects.filter(pk=t.west.pk).update(geom=bow)
    out = services.reshape_unit(t.town_staff, t.west.pk, gj(X0, Y0, X0 + D, Y0 + 2 * D), reason="修复")
    assert out.unit.area_m2 == pytest.approx(t.west.area_m2, rel=1e-6)
