"""Replacing a whole level from one file (``mode=replace``): the file re-tiles ALL children of a
parent, checked as a coverage before anything is written, then written as a whole."""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest
import shapely
from accounts.models import Role, User
from audit.models import AuditEvent
from core.errors import DomainError
from django.core.files.uploadedfile import SimpleUploadedFile
from population.models import Household
from rest_framework.test import APIClient
from shapely.geometry import box

from boundaries import services
from boundaries.consistency import subtree_report
from boundaries.io.importer import import_units
from boundaries.levels import Kind, Level
from boundaries.models import AdminUnit, BoundaryVersion, VersionOperation

from .factories import X0, Y0, D, Tree, _unit, make_tree, make_user, rect

pytestmark = pytest.mark.django_db

# The other town of the factory tree: X0+2D .. X0+4D, Y0 .. Y0+2D. Its communities are north-south
# strips; the file moves their shared edges (A's east edge from 2.6D to 2.8D, C's west edge from
# 3.3D to 3.1D), so A and C each take land from B's OLD outline.
XA, XB, XC, XE = X0 + 2.0 * D, X0 + 2.6 * D, X0 + 3.3 * D, X0 + 4.0 * D
NA, NC = X0 + 2.8 * D, X0 + 3.1 * D
TOP = Y0 + 2 * D
TOWN_CODE = "510112101"


@dataclass
class Level3:
    tree: Tree
    town: AdminUnit
    a: AdminUnit
    b: AdminUnit
    c: AdminUnit
    compound: AdminUnit  # inside B, across B's new west edge: it must follow B
    staff: User


def _community(town: AdminUnit, n: int, name: str, x0: float | None = None, x1: float = 0.0) -> AdminUnit:
    """A strip of the town, or (no x0) a unit never drawn."""
    return _unit(level=Level.COMMUNITY, kind=Kind.COMMUNITY, code=f"{TOWN_CODE}{n:03d}", name=name, parent=town,
                 geom=None if x0 is None else rect(x0, Y0, x1, TOP))


def level3() -> Level3:
    t = make_tree()
    town = t.other_town
    a = _community(town, 1, "甲社区", XA, XB)
    b = _community(town, 2, "乙社区", XB, XC)
    c = _community(town, 3, "丙社区", XC, XE)
    compound = _unit(level=Level.NEIGHBOURHOOD, kind=Kind.COMPOUND, code=f"{b.code}001", name="乙小区", parent=b,
                     geom=rect(X0 + 2.65 * D, Y0 + 0.2 * D, X0 + 2.95 * D, Y0 + 0.8 * D))
    return Level3(t, town, a, b, c, compound, make_user("o_staff", town, Role.STAFF))


def geojson(*features: tuple[str, str, Any]) -> bytes:
    """A FeatureCollection of (code, name, shapely polygon), lon/lat without a declared CRS."""
    return json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"code": code, "name": name}, "geometry": shapely.geometry.mapping(g)}
        for code, name, g in features]}).encode()


def retiled(s: Level3) -> bytes:
    return geojson((s.a.code, s.a.name, box(XA, Y0, NA, TOP)), (s.b.code, s.b.name, box(NA, Y0, NC, TOP)),
                   (s.c.code, s.c.name, box(NC, Y0, XE, TOP)))


def shape(unit: AdminUnit) -> Any:
    return services.to_shapely(AdminUnit.objects.get(pk=unit.pk).geom)


def state() -> tuple[int, int, list[tuple[int, int]]]:
    return (AdminUnit.objects.count(), BoundaryVersion.objects.count(),
            list(AdminUnit.objects.order_by("pk").values_list("pk", "boundary_version")))


def replace(s: Level3, data: bytes, **kw: Any) -> dict[str, Any]:
    return import_units(kw.pop("user", s.staff), kw.pop("parent", s.town.pk), data, "level.geojson",
                        mode="replace", **kw)


def issues_at(report: dict[str, Any], parent: AdminUnit) -> list[dict[str, Any]]:
    return [i for i in report["issues"] if i["parent"] == parent.pk]


# --- the whole level re-tiled ----------------------------------------------------------------------


def test_retiling_over_the_old_siblings_passes_and_children_follow() -> None:
    s = level3()
    before = state()
    dry = replace(s, retiled(s))
    assert dry["ok"] and dry["dry_run"] and dry["mode"] == "replace", dry
    assert dry["summary"] | {} == {"matched": 3, "created": 0, "rejected": 0, "removed": 0, "missing_in_use": 0,
                                   "overlaps": 0, "gaps": 0}
    assert [f["matched_by"] for f in dry["features"]] == ["code", "code", "code"]
    assert dry["coverage"]["must_tile"] and dry["coverage"]["checked"] and dry["coverage"]["coverage_valid"]
    assert state() == before  # the dry run wrote nothing

    real = replace(s, retiled(s), dry_run=False, versions=dry["versions"])
    assert real["ok"] and real["summary"] == dry["summary"]
    assert shape(s.a).bounds == pytest.approx((XA, Y0, NA, TOP), abs=1e-9)
    assert shape(s.b).bounds == pytest.approx((NA, Y0, NC, TOP), abs=1e-9)
    assert shape(s.c).bounds == pytest.approx((NC, Y0, XE, TOP), abs=1e-9)
    for unit in (s.a, s.b, s.c):
        v = BoundaryVersion.objects.filter(unit=unit).order_by("-version").first()
        assert v is not None and v.operation == VersionOperation.IMPORT and v.reason == "文件导入：level.geojson"
        assert AuditEvent.objects.filter(model="adminunits.AdminUnit", object_id=str(unit.pk), action="update").exists()
    # B's compound followed B's new west edge, as in any reshape of B.
    comp = shape(s.compound)
    assert comp.bounds == pytest.approx((NA, Y0 + 0.2 * D, X0 + 2.95 * D, Y0 + 0.8 * D), abs=1e-9)
    assert BoundaryVersion.objects.get(unit=s.compound, version=AdminUnit.objects.get(pk=s.compound.pk)
                                       .boundary_version).operation == VersionOperation.FOLLOW_PARENT
    assert real["features"][1]["children_followed"] == [s.compound.pk]
    # The level is clean: nothing outside the town, no overlap, no gap, shared edges identical.
    assert issues_at(subtree_report(s.town), s.town) == []
    assert subtree_report(s.town)["summary"] == {}


def test_merge_mode_cannot_do_it() -> None:
    """Why the replace mode exists: merged feature by feature, A loses to B's old outline."""
    s = level3()
    import_units(s.staff, s.town.pk, retiled(s), "level.geojson", dry_run=False)
    assert shape(s.a).bounds[2] == pytest.approx(XB, abs=1e-9)  # still the OLD edge
    assert shape(s.a).bounds[2] < NA


def test_a_sliver_within_the_tolerance_is_fitted_not_refused() -> None:
    s = level3()
    one_m = 1.0 / 111_320
    data = geojson((s.a.code, s.a.name, box(XA - one_m, Y0, NA + one_m, TOP)),  # 1 m over the town and over B
                   (s.b.code, s.b.name, box(NA, Y0, NC, TOP)), (s.c.code, s.c.name, box(NC, Y0, XE, TOP)))
    rep = replace(s, data, dry_run=False)
    assert rep["ok"], rep
    # A's west corners snapped onto the town's edge; B (later in the file) onto A's east edge.
    assert rep["features"][0]["report"]["vertices_moved"] == 2
    assert rep["features"][1]["report"]["vertices_moved"] == 2
    assert shape(s.a).bounds == pytest.approx((XA, Y0, NA + one_m, TOP), abs=1e-9)
    assert shape(s.b).bounds[0] == shape(s.a).bounds[2]
    assert subtree_report(s.town)["summary"] == {}


def test_new_children_are_created_and_named_ones_matched() -> None:
    s = level3()
    data = geojson(("", s.a.name, box(XA, Y0, NA, TOP)), (s.b.code, s.b.name, box(NA, Y0, NC, TOP)),
                   (s.c.code, s.c.name, box(NC, Y0, XE, Y0 + D)), ("", "丁社区", box(NC, Y0 + D, XE, TOP)))
    rep = replace(s, data, dry_run=False)
    assert [f["action"] for f in rep["features"]] == ["matched", "matched", "matched", "created"]
    assert rep["features"][0]["matched_by"] == "name"
    new = AdminUnit.objects.get(parent=s.town, name="丁社区")
    assert new.code.startswith(TOWN_CODE) and new.kind == Kind.COMMUNITY
    assert new.boundary_versions.get().operation == VersionOperation.IMPORT
    assert subtree_report(s.town)["summary"] == {}


# --- refused as a whole ----------------------------------------------------------------------------


def test_overlapping_features_are_refused_with_the_pair_and_nothing_is_written() -> None:
    s = level3()
    before = state()
    data = geojson((s.a.code, s.a.name, box(XA, Y0, X0 + 2.9 * D, TOP)), (s.b.code, s.b.name, box(NA, Y0, NC, TOP)),
                   (s.c.code, s.c.name, box(NC, Y0, XE, TOP)))
    dry = replace(s, data)
    assert not dry["ok"] and dry["summary"]["overlaps"] == 1
    ov = dry["overlaps"][0]
    assert ov["features"] == [0, 1] and ov["names"] == [s.a.name, s.b.name]
    assert ov["area_m2"] == pytest.approx(0.1 * D * 2 * D * 111_320 * 111_000 * 0.861, rel=0.05)  # ~0.1D × 2D
    assert XA < ov["location"][0] < X0 + 2.9 * D and ov["geometry"]["type"] in ("Polygon", "MultiPolygon")
    assert [f["error"]["code"] for f in dry["features"][:2]] == ["overlaps_feature", "overlaps_feature"]
    assert "重叠" in dry["features"][0]["error"]["detail"]
    with pytest.raises(DomainError) as e:
        replace(s, data, dry_run=False)
    assert e.value.code == "import_rejected" and "1处要素相互重叠" in e.value.message
    assert e.value.extra["overlaps"][0]["features"] == [0, 1]
    assert state() == before


def test_a_gap_where_the_level_must_tile_is_refused() -> None:
    s = level3()
    before = state()
    data = geojson((s.a.code, s.a.name, box(XA, Y0, X0 + 2.7 * D, TOP)), (s.b.code, s.b.name, box(NA, Y0, NC, TOP)),
                   (s.c.code, s.c.name, box(NC, Y0, XE, TOP)))
    dry = replace(s, data)
    assert not dry["ok"] and dry["summary"]["gaps"] == 1 and dry["summary"]["rejected"] == 0
    gap = dry["gaps"][0]
    assert gap["area_m2"] > 10_000 and X0 + 2.7 * D < gap["location"][0] < NA
    with pytest.raises(DomainError) as e:
        replace(s, data, dry_run=False)
    assert e.value.code == "import_rejected" and "缝隙" in e.value.message
    assert state() == before


def test_a_level_that_need_not_tile_leaves_room() -> None:
    """Compounds cover only part of a community (BOUNDARY_COVERAGE_LEVELS): no gap is a fault."""
    s = level3()
    clerk = make_user("b_staff", s.b, Role.STAFF)
    data = geojson((s.compound.code, s.compound.name, box(X0 + 2.7 * D, Y0 + 0.1 * D, X0 + 2.9 * D, Y0 + 0.5 * D)),
                   ("", "新小区", box(X0 + 3.0 * D, Y0 + D, X0 + 3.2 * D, Y0 + 1.5 * D)))
    rep = import_units(clerk, s.b.pk, data, "c.geojson", mode="replace", dry_run=False)
    assert rep["ok"] and rep["gaps"] == [] and not rep["coverage"]["must_tile"], rep
    assert AdminUnit.objects.filter(parent=s.b).count() == 2


def test_feature_faults_are_reported_per_feature() -> None:
    s = level3()
    far = box(X0 + 0.5, Y0, X0 + 0.5 + D, Y0 + D)
    out = box(NC, Y0, XE + 0.2 * D, TOP)  # 190 m beyond the town's east edge
    data = geojson((s.a.code, s.a.name, box(XA, Y0, NA, TOP)), (s.a.code, "重复", box(XA, Y0, NA, TOP)),
                   (s.b.code, s.b.name, box(NA, Y0, NC, TOP)), (s.c.code, s.c.name, out), ("", "远方", far),
                   ("", "", box(XA, Y0, XA + D / 10, Y0 + D / 10)))
    rep = replace(s, data)
    codes = [f.get("error", {}).get("code") for f in rep["features"]]
    assert codes == [None, "duplicate_feature", None, "extends_outside_parent", "far_outside_parent", "name_required"]
    outside = rep["features"][3]["error"]
    assert outside["area_m2"] > 30_000 and XE < outside["location"][0] and "超出" in outside["detail"]
    assert rep["features"][3]["geometry"]["type"] in ("Polygon", "MultiPolygon")  # drawn on the map, highlighted
    assert not rep["ok"] and rep["summary"]["rejected"] == 4


def test_a_missing_child_in_use_is_refused_and_an_empty_one_removed() -> None:
    s = level3()
    # D is left out of the file and has a household registered in it.
    d = _community(s.town, 4, "丁社区")  # never drawn: still a child the file must account for
    Household.objects.create(number="HH-REPLACE-1", unit=d)
    before = state()
    dry = replace(s, retiled(s))
    assert not dry["ok"] and dry["summary"]["missing_in_use"] == 1
    (miss,) = dry["missing"]
    assert miss["unit"] == d.pk and miss["action"] == "rejected"
    assert miss["error"]["code"] == "missing_child_in_use" and miss["error"]["attached"] == {"户": 1}
    assert "丁社区" in miss["error"]["detail"]
    with pytest.raises(DomainError) as e:
        replace(s, retiled(s), dry_run=False)
    assert e.value.code == "import_rejected" and "仍在使用" in e.value.message
    assert state() == before

    # Without the household D is removed (audited with its outline), the rest re-tiled.
    Household.objects.filter(unit=d).delete()
    rep = replace(s, retiled(s), dry_run=False)
    assert rep["ok"] and rep["summary"]["removed"] == 1 and rep["missing"][0]["action"] == "removed"
    assert not AdminUnit.objects.filter(pk=d.pk).exists()
    gone = AuditEvent.objects.get(model="adminunits.AdminUnit", object_id=str(d.pk), action="delete")
    assert gone.before["name"] == "丁社区" and gone.reason == "文件导入：level.geojson"


def test_a_missing_child_with_children_is_in_use() -> None:
    s = level3()
    data = geojson((s.a.code, s.a.name, box(XA, Y0, NA, TOP)), (s.c.code, s.c.name, box(NA, Y0, XE, TOP)))
    rep = replace(s, data)
    (miss,) = rep["missing"]
    assert miss["unit"] == s.b.pk and miss["error"]["attached"] == {"下级单位": 1}


# --- who, and when ---------------------------------------------------------------------------------


def _post(user: User, parent: AdminUnit, data: bytes, **fields: Any) -> Any:
    c = APIClient()
    c.force_authenticate(user)
    body = {"file": SimpleUploadedFile("level.geojson", data), "parent": parent.pk, "mode": "replace", **fields}
    return c.post("/api/boundaries/import/", body, format="multipart")


def test_api_permissions() -> None:
    s = level3()
    supervisor = make_user("o_super", s.town, Role.SUPERVISOR)
    r = _post(supervisor, s.town, retiled(s))
    assert r.status_code == 403 and r.json()["code"] == "forbidden_role"
    r = _post(s.tree.town_staff, s.town, retiled(s))  # staff of the neighbouring town
    assert r.status_code == 404 and r.json()["code"] == "not_found"
    r = _post(s.tree.district_admin, s.town, retiled(s))  # draws towns, not their communities
    assert r.status_code == 403 and r.json()["code"] == "forbidden_level"
    r = _post(s.staff, s.town, retiled(s), mode="everything")
    assert r.status_code == 400
    r = _post(s.staff, s.town, retiled(s), versions="not json", dry_run="false")
    assert r.status_code == 400 and r.json()["code"] == "invalid_parameter"


def test_api_dry_run_then_confirm_and_409_when_a_child_changed_in_between() -> None:
    s = level3()
    r = _post(s.staff, s.town, retiled(s))
    assert r.status_code == 200 and r.json()["ok"], r.content
    versions = r.json()["versions"]
    assert versions == {str(u.pk): 1 for u in (s.a, s.b, s.c)}
    # Another clerk reshapes C between the dry run and the confirmation.
    services.reshape_unit(s.staff, s.c.pk, box(XC, Y0, XE, TOP - D / 100))
    before = state()
    r = _post(s.staff, s.town, retiled(s), dry_run="false", versions=json.dumps(versions))
    assert r.status_code == 409 and r.json()["code"] == "version_conflict", r.content
    assert state() == before
    # A child added in between: 409 as well.
    _community(s.town, 9, "新社区")
    r = _post(s.staff, s.town, retiled(s), dry_run="false", versions=json.dumps(versions))
    assert r.status_code == 409 and r.json()["code"] == "children_changed"


def test_a_save_against_a_version_the_import_replaced_gets_409() -> None:
    s = level3()
    seen = s.a.boundary_version
    rep = replace(s, retiled(s), dry_run=False)
    assert rep["features"][0]["version"] == seen + 1 or rep["features"][0]["version"] == seen + 2
    with pytest.raises(DomainError) as e:
        services.reshape_unit(s.staff, s.a.pk, box(XA, Y0, XB, TOP), version=seen)
    assert e.value.status_code == 409 and e.value.code == "version_conflict"


@pytest.mark.django_db(transaction=True)
def test_a_concurrent_save_waits_for_the_import_and_sees_its_outlines() -> None:
    """The parent's and children's row locks serialise a save started during the import: it runs
    after the import commits, against the new outlines (so it cannot undo or overlap them)."""
    import threading
    import time

    from django.db import connection

    s = level3()
    started = threading.Event()
    out: dict[str, Any] = {}

    def concurrent() -> None:
        try:
            started.wait(5)
            out["report"] = services.reshape_unit(s.staff, s.c.pk, box(XB, Y0, XE, TOP)).report
        except Exception as exc:  # pragma: no cover - reported below
            out["error"] = exc
        finally:
            connection.close()

    th = threading.Thread(target=concurrent)
    from django.db import transaction

    with transaction.atomic():
        # Hold the parent's lock as the import does, start the other save, then import.
        AdminUnit.objects.select_for_update().get(pk=s.town.pk)
        th.start()
        started.set()
        time.sleep(0.5)  # the other save is now waiting for the parent's lock
        rep = replace(s, retiled(s), dry_run=False)
        assert rep["ok"]
    th.join(30)
    assert "error" not in out, out
    ops = list(BoundaryVersion.objects.filter(unit=s.c).order_by("-version").values_list("operation", flat=True))
    assert ops[:2] == [VersionOperation.RESHAPE, VersionOperation.IMPORT]  # the save came after the import
    # C asked for B's old land up to XB, but B's NEW outline (saved first) wins the overlap.
    assert shape(s.c).bounds[0] == pytest.approx(NC, abs=1e-9)
    assert out["report"]["overlap_removed_m2"] > 0
    assert subtree_report(s.town)["summary"] == {}


@pytest.mark.parametrize(("fields", "data", "status", "code"), [
    ({"versions": "[1, 2]"}, None, 400, "invalid_parameter"),
    ({"versions": '{"1": {"x": 1}}'}, None, 409, "children_changed"),
    ({"mode": "replace ", "dry_run": "maybe"}, None, 400, "invalid"),
    ({}, b'{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"name": "x"},'
         b' "geometry": {"type": "GeometryCollection", "geometries": []}}]}', 200, None),
    ({}, b'{"type": "Point", "coordinates": [104.03, 30.61]}', 200, None),
])
def test_api_bad_input_is_a_domain_error(fields: dict[str, str], data: bytes | None, status: int,
                                         code: str | None) -> None:
    s = level3()
    before = state()
    r = _post(s.staff, s.town, data if data is not None else retiled(s), **fields)
    assert r.status_code == status, r.content
    if code:
        assert r.json()["code"] == code
    else:
        assert not r.json()["ok"] and r.json()["features"][0]["action"] == "rejected"
    assert state() == before


def test_a_grandchild_left_outside_its_parent_refuses_that_row() -> None:
    """Children follow as in a reshape: B's compound would end up wholly in A's new outline."""
    s = level3()
    before = state()
    data = geojson((s.a.code, s.a.name, box(XA, Y0, X0 + 3.0 * D, TOP)),
                   (s.b.code, s.b.name, box(X0 + 3.0 * D, Y0, NC, TOP)), (s.c.code, s.c.name, box(NC, Y0, XE, TOP)))
    dry = replace(s, data)
    assert not dry["ok"] and [f["action"] for f in dry["features"]] == ["matched", "rejected", "matched"]
    err = dry["features"][1]["error"]
    assert err["code"] == "parent_change_empties_child" and err["child"] == s.compound.pk and "乙小区" in err["detail"]
    with pytest.raises(DomainError) as e:
        replace(s, data, dry_run=False)
    assert e.value.code == "import_rejected"
    assert state() == before
