"""Splitting a compound in two along a line and merging two neighbours, on the tiny demo's community."""
from __future__ import annotations

from typing import Any

import pytest
import shapely
from audit.models import AuditEvent
from core.errors import DomainError
from rest_framework.test import APIClient
from shapely.geometry import LineString, mapping
from shapely.ops import split

from boundaries import restructure, services
from boundaries.levels import Level
from boundaries.models import AdminUnit, BoundaryVersion, VersionOperation

pytestmark = pytest.mark.django_db


def compounds(demo: Any) -> list[AdminUnit]:
    return list(AdminUnit.objects.filter(parent=demo.community).order_by("code"))


def shape(unit: AdminUnit) -> Any:
    return services.to_shapely(AdminUnit.objects.get(pk=unit.pk).geom)


def free_cut(unit: AdminUnit) -> dict[str, Any]:
    """A north-south line across ``unit`` that touches none of its buildings and leaves a good
    share of the unit on each side (the test data place buildings on a grid: some column is free)."""
    g = shape(unit)
    minx, miny, maxx, maxy = g.bounds
    buildings = [services.to_shapely(b.geom) for b in AdminUnit.objects.filter(parent=unit)]
    for k in range(8, 33):
        x = minx + (maxx - minx) * k / 40
        line = LineString([(x, miny - 0.001), (x, maxy + 0.001)])
        if any(shapely.intersects(line, b) for b in buildings):
            continue
        parts = shapely.get_parts(split(g, line))
        if len(parts) == 2 and min(p.area for p in parts) > 0.15 * g.area:
            return mapping(line)
    raise AssertionError(f"no free cut through {unit.name}")


def adjacent_pair(demo: Any) -> tuple[AdminUnit, AdminUnit]:
    units = compounds(demo)
    for i, a in enumerate(units):
        for b in units[i + 1:]:
            shared = shapely.intersection(shapely.boundary(shape(a)), shapely.boundary(shape(b)))
            if shared.length > 1e-4:
                return a, b
    raise AssertionError("no neighbours")


def test_split_makes_two_siblings_that_tile_the_old_unit(demo: Any) -> None:
    unit = max(compounds(demo), key=lambda u: AdminUnit.objects.filter(parent=u).count())
    before = shape(unit)
    n_buildings = AdminUnit.objects.filter(parent=unit).count()
    out = restructure.split_unit(demo.village_staff, unit.pk, free_cut(unit), name="新分小区", reason="拆分物业")
    a, b = shape(out.unit), shape(out.created)
    # The two pieces are the old unit, with no overlap, sharing the cut as an edge of identical vertices.
    assert shapely.area(shapely.symmetric_difference(shapely.union(a, b), before)) < 1e-12
    assert shapely.area(shapely.intersection(a, b)) < 1e-14
    assert shapely.coverage_is_valid([a, b])
    assert out.unit.code == unit.code and out.unit.area_m2 > out.created.area_m2
    created = AdminUnit.objects.get(pk=out.created.pk)
    assert created.parent_id == demo.community.pk and created.level == Level.NEIGHBOURHOOD
    assert created.kind == unit.kind and created.code.startswith(demo.community.code) and created.name == "新分小区"
    # The buildings on the smaller side moved under the new compound, with codes of their new parent.
    moved = AdminUnit.objects.filter(parent=created)
    assert moved.count() == len(out.report["children_moved"]) > 0
    assert moved.count() + AdminUnit.objects.filter(parent=unit).count() == n_buildings
    for bld in moved:
        assert bld.code.startswith(created.code) and bld.path.startswith(created.path)
        assert shapely.covers(shapely.buffer(b, 1e-9), services.to_shapely(bld.geom))
    # Versions with the operation and the reason; the whole community still tiles without overlaps.
    kept_v = BoundaryVersion.objects.get(unit=unit, version=AdminUnit.objects.get(pk=unit.pk).boundary_version)
    assert kept_v.operation == VersionOperation.SPLIT and "拆分物业" in kept_v.reason and "新分小区" in kept_v.reason
    new_v = BoundaryVersion.objects.get(unit=created)
    assert new_v.operation == VersionOperation.SPLIT and unit.name in new_v.reason
    assert new_v.author_name == demo.village_staff.display_name
    kids = [services.to_shapely(u.geom) for u in AdminUnit.objects.filter(parent=demo.community)]
    assert shapely.coverage_is_valid(kids)
    assert AuditEvent.objects.filter(object_id=str(created.pk), action="create").exists()


def test_split_refuses_bad_lines_and_changes_nothing(demo: Any) -> None:
    unit = compounds(demo)[0]
    g = shape(unit)
    minx, miny, maxx, maxy = g.bounds
    before = (AdminUnit.objects.count(), BoundaryVersion.objects.count())
    inside = {"type": "LineString", "coordinates": [[minx + (maxx - minx) * 0.45, (miny + maxy) / 2],
                                                    [minx + (maxx - minx) * 0.55, (miny + maxy) / 2]]}
    far = {"type": "LineString", "coordinates": [[minx - 1, miny], [minx - 1, maxy]]}
    cases = [
        (inside, "split_line_not_crossing"),
        (far, "split_line_outside"),
        ({"type": "Point", "coordinates": [minx, miny]}, "line_format"),
        ({"type": "LineString", "coordinates": [[minx, miny]]}, "line_format"),
    ]
    building = AdminUnit.objects.filter(parent=unit).first()
    if building is not None:
        bx = services.to_shapely(building.geom).centroid.x
        cases.append(({"type": "LineString", "coordinates": [[bx, miny - 0.001], [bx, maxy + 0.001]]},
                      "split_crosses_child"))
    for line, code in cases:
        with pytest.raises(DomainError) as err:
            restructure.split_unit(demo.village_staff, unit.pk, line, name="X小区")
        assert err.value.code == code, (code, err.value.message)
        assert any("\u4e00" <= ch <= "\u9fff" for ch in err.value.message)
    assert (AdminUnit.objects.count(), BoundaryVersion.objects.count()) == before


def test_split_and_merge_follow_jurisdiction_and_roles(demo: Any) -> None:
    a, b = adjacent_pair(demo)
    line = free_cut(a)
    with pytest.raises(DomainError) as err:
        restructure.split_unit(demo.neighbour_staff, a.pk, line, name="X")
    assert err.value.status_code == 404
    with pytest.raises(DomainError) as err:
        restructure.split_unit(demo.town_supervisor, a.pk, line, name="X")
    assert err.value.status_code == 403
    with pytest.raises(DomainError) as err:
        restructure.merge_units(demo.village_reviewer, a.pk, b.pk)
    assert err.value.status_code == 403


def test_merge_joins_neighbours_moves_children_and_removes_the_other(demo: Any) -> None:
    a, b = adjacent_pair(demo)
    ga, gb = shape(a), shape(b)
    b_buildings = set(AdminUnit.objects.filter(parent=b).values_list("pk", flat=True))
    b_id, b_name = b.pk, b.name
    out = restructure.merge_units(demo.village_staff, a.pk, b.pk, name="合并小区", reason="两个小区合并管理")
    merged = shape(out.unit)
    assert shapely.area(shapely.symmetric_difference(merged, shapely.union(ga, gb))) < 1e-12
    assert len(merged.geoms) == 1  # one piece: the shared edge is gone
    unit = AdminUnit.objects.get(pk=a.pk)
    assert unit.name == "合并小区" and unit.code == a.code
    assert not AdminUnit.objects.filter(pk=b_id).exists()
    assert set(AdminUnit.objects.filter(parent=unit).values_list("pk", flat=True)) >= b_buildings
    for bld in AdminUnit.objects.filter(pk__in=b_buildings):
        assert bld.code.startswith(unit.code)
    v = BoundaryVersion.objects.get(unit=unit, version=unit.boundary_version)
    assert v.operation == VersionOperation.MERGE and b_name in v.reason and "两个小区合并管理" in v.reason
    assert v.report["merged_from"]["id"] == b_id
    kids = [services.to_shapely(u.geom) for u in AdminUnit.objects.filter(parent=demo.community)]
    assert shapely.coverage_is_valid(kids)
    assert AuditEvent.objects.filter(object_id=str(b_id), action="delete").exists()


def test_merge_refuses_units_that_do_not_touch(demo: Any) -> None:
    units = compounds(demo)
    far = None
    for i, a in enumerate(units):
        for b in units[i + 1:]:
            if not shapely.intersects(shape(a), shape(b)):
                far = (a, b)
                break
        if far:
            break
    assert far is not None
    with pytest.raises(DomainError) as err:
        restructure.merge_units(demo.village_staff, far[0].pk, far[1].pk)
    assert err.value.code == "merge_not_adjacent"
    with pytest.raises(DomainError) as err:
        restructure.merge_units(demo.village_staff, far[0].pk, far[0].pk)
    assert err.value.code == "merge_same_unit"
    with pytest.raises(DomainError) as err:
        restructure.merge_units(demo.village_staff, far[0].pk, demo.community.pk)
    assert err.value.status_code == 403


def test_api_previews_write_nothing_and_match_the_save(demo: Any) -> None:
    client = APIClient()
    client.force_authenticate(demo.village_staff)
    unit = max(compounds(demo), key=lambda u: AdminUnit.objects.filter(parent=u).count())
    line = free_cut(unit)
    counts = lambda: (AdminUnit.objects.count(), BoundaryVersion.objects.count(), AuditEvent.objects.count())  # noqa: E731
    before = counts()
    r = client.post("/api/boundaries/split-preview/", {"unit": unit.pk, "line": line, "name": "预览小区"}, format="json")
    assert r.status_code == 200, r.content
    prev = r.json()
    assert prev["preview"] is True and prev["created"]["id"] is None
    assert counts() == before
    r = client.post(f"/api/units/{unit.pk}/split/", {"line": line, "name": "预览小区", "reason": "r",
                                                      "version": unit.boundary_version}, format="json")
    assert r.status_code == 200, r.content
    saved = r.json()
    assert saved["created"]["properties"]["area_m2"] == pytest.approx(prev["created"]["properties"]["area_m2"])
    assert saved["unit"]["geometry"] == prev["unit"]["geometry"]
    # The client's version is now stale: a second save answers 409 and changes nothing.
    before = counts()
    r = client.post(f"/api/units/{unit.pk}/split/", {"line": line, "name": "又一个", "version": unit.boundary_version},
                    format="json")
    assert r.status_code == 409 and r.json()["code"] == "version_conflict"
    assert counts() == before
    # Merge back through the API (preview first).
    new_id = saved["created"]["id"]
    r = client.post("/api/boundaries/merge-preview/", {"unit": unit.pk, "other": new_id}, format="json")
    assert r.status_code == 200, r.content
    assert counts() == before
    r = client.post(f"/api/units/{unit.pk}/merge/", {"other": new_id, "reason": "撤回拆分"}, format="json")
    assert r.status_code == 200, r.content
    # Same land again (the cut's end vertices stay on the outline, which bends its projected edge by ~1e-6)
    assert r.json()["unit"]["properties"]["area_m2"] == pytest.approx(unit.area_m2, rel=1e-5)
    r = client.post(f"/api/units/{unit.pk}/merge/", {"other": "x"}, format="json")
    assert r.status_code == 400 and r.json()["code"] == "invalid"


def test_compare_has_no_spike_along_an_edge_a_vertex_moved_along(demo: Any) -> None:
    """A vertex slid along its own edge (as the map's snapping does) loses a triangle: the
    comparison's "removed" part is that triangle, not the triangle welded to a zero-width spike."""
    from boundaries import history

    unit = compounds(demo)[1]
    g = shape(unit)
    ring = [list(c) for c in g.geoms[0].exterior.coords][:-1]
    outline = shapely.boundary(shape(demo.community))
    for i in range(len(ring)):
        a, b = ring[i], ring[(i + 1) % len(ring)]
        mid = ((a[0] + b[0]) / 2, (a[1] + b[1]) / 2)
        if max(outline.distance(shapely.Point(p)) for p in (a, b, mid)) < 1e-9:
            break
    t = 0.35  # (a fraction whose rounded point lies a hair off the old edge: the spike appeared)
    moved = [round(b[0] + (a[0] - b[0]) * t, 9), round(b[1] + (a[1] - b[1]) * t, 9)]
    new = [moved if k == (i + 1) % len(ring) else [round(x, 9), round(y, 9)] for k, (x, y) in enumerate(ring)]
    services.reshape_unit(demo.village_staff, unit.pk, {"type": "Polygon", "coordinates": [[*new, new[0]]]})
    unit.refresh_from_db()
    c = history.compare(unit, unit.boundary_version - 1, unit.boundary_version)
    removed = shapely.geometry.shape(c["removed"]["geometry"])
    # A triangle: the moved vertex, its old place and the next vertex; the far vertex `a` is not in it.
    assert shapely.get_num_coordinates(removed) == 4
    assert removed.distance(shapely.Point(a)) > 1e-6
    assert c["added"]["geometry"] is None


def test_buildings_are_neither_split_nor_merged(demo: Any) -> None:
    a = AdminUnit.objects.filter(level=Level.BUILDING, path__startswith=demo.community.path).order_by("code").first()
    b = AdminUnit.objects.filter(parent=a.parent).exclude(pk=a.pk).first()
    g = shape(a)
    minx, miny, maxx, maxy = g.bounds
    line = {"type": "LineString", "coordinates": [[(minx + maxx) / 2, miny - 1e-4], [(minx + maxx) / 2, maxy + 1e-4]]}
    for call in (lambda: restructure.split_unit(demo.village_staff, a.pk, line, name="X"),
                 lambda: restructure.merge_units(demo.village_staff, a.pk, b.pk)):
        with pytest.raises(DomainError) as err:
            call()
        assert err.value.code == "building_not_restructured"


def test_merge_refuses_records_that_clash_and_changes_nothing(demo: Any) -> None:
    """Two communities each with an organisation of the same name: merging them cannot give one
    community two organisations of one name — refused in words, nothing changed (no error 500)."""
    from accounts.models import Organisation

    town_staff = demo.town_staff
    a, b = demo.community, demo.neighbour_community
    Organisation.objects.get_or_create(unit=a, name="物业管理办公室")
    Organisation.objects.get_or_create(unit=b, name="物业管理办公室")
    # The demo's accounts sit in both communities: move them away for this test (the set-up).
    from accounts.models import User

    User.objects.filter(unit__in=[a, b]).update(unit=demo.town)
    from boundaries.models import CommitteeRecord

    CommitteeRecord.objects.filter(unit=b).delete()  # (two committees clash too, with their own message)
    before = (AdminUnit.objects.count(), Organisation.objects.filter(unit=b).count())
    with pytest.raises(DomainError) as err:
        restructure.merge_units(town_staff, a.pk, b.pk)
    assert err.value.code == "merge_conflict" and "物业管理办公室" in err.value.message
    assert (AdminUnit.objects.count(), Organisation.objects.filter(unit=b).count()) == before
