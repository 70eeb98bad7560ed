"""The boundaries API: preview, create, reshape, history, compare, restore, as-of, consistency."""
from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from boundaries.models import AdminUnit, BoundaryVersion

from .factories import X0, Y0, D, gj, make_tree

pytestmark = pytest.mark.django_db
M = 1 / 111_000


def client_for(user) -> APIClient:
    c = APIClient()
    c.force_authenticate(user)
    return c


def test_preview_create_patch_history_restore_roundtrip() -> None:
    t = make_tree()
    c = client_for(t.town_staff)
    drawn = gj(X0 + D - 20 * M, Y0, X0 + 2 * D, Y0 + 2 * D + 30 * M)
    r = c.post("/api/boundaries/preview/", {"parent": t.town.pk, "geometry": drawn}, format="json")
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["geometry"]["type"] == "MultiPolygon"
    assert set(body["report"]) >= {"area_before_m2", "area_after_m2", "vertices_moved", "overlap_removed_m2",
                                   "clipped_m2", "gaps", "shared_with"}
    assert body["report"]["shared_with"] == [t.west.pk]

    r = c.post("/api/units/", {"parent": t.town.pk, "name": "东社区", "kind": "community", "geometry": drawn,
                               "reason": "新建社区"}, format="json")
    assert r.status_code == 201, r.content
    feat = r.json()
    assert feat["type"] == "Feature" and feat["properties"]["code"] == "510112001002"
    assert feat["report"]["area_after_m2"] == body["report"]["area_after_m2"]
    uid = feat["id"]

    r = c.patch(f"/api/units/{uid}/", {"geometry": gj(X0 + D, Y0, X0 + 2 * D, Y0 + D), "reason": "缩小"}, format="json")
    assert r.status_code == 200, r.content
    assert r.json()["properties"]["boundary_version"] == 2
    assert r.json()["report"]["gaps"][0]["area_m2"] > 0

    r = c.get(f"/api/units/{uid}/history/")
    versions = r.json()["versions"]
    assert [(v["version"], v["operation"], v["author"], v["reason"]) for v in versions] == [
        (2, "reshape", "t_staff", "缩小"), (1, "create", "t_staff", "新建社区")]

    r = c.get(f"/api/units/{uid}/history/compare/?a=1&b=2")
    cmp = r.json()
    assert cmp["area_diff_m2"] < 0 and cmp["removed"]["area_m2"] == pytest.approx(-cmp["area_diff_m2"], rel=1e-6)
    assert cmp["added"]["geometry"] is None
    assert cmp["symmetric_difference"]["geometry"]["type"] in ("Polygon", "MultiPolygon")

    r = c.post(f"/api/units/{uid}/restore/", {"version": 1, "reason": "恢复"}, format="json")
    assert r.status_code == 200, r.content
    assert r.json()["properties"]["boundary_version"] == 3
    assert r.json()["properties"]["area_m2"] == pytest.approx(feat["properties"]["area_m2"], rel=1e-6)


def test_as_of_shows_the_tree_at_a_date() -> None:
    t = make_tree()
    c = client_for(t.town_staff)
    c.patch(f"/api/units/{t.west.pk}/", {"geometry": gj(X0, Y0, X0 + 0.5 * D, Y0 + 2 * D)}, format="json")
    # Pretend the baseline was drawn long ago and the change happened yesterday.
    BoundaryVersion.objects.filter(unit=t.west, version=1).update(at=timezone.now() - dt.timedelta(days=30))
    BoundaryVersion.objects.filter(unit=t.west, version=2).update(at=timezone.now() - dt.timedelta(days=1))
    AdminUnit.objects.filter(pk__in=[t.town.pk, t.west.pk]).update(created_at=timezone.now() - dt.timedelta(days=40))
    old_day = (timezone.localdate() - dt.timedelta(days=10)).isoformat()
    r = c.get(f"/api/boundaries/as-of/?date={old_day}&root={t.town.pk}")
    assert r.status_code == 200, r.content
    feats = {f["properties"]["code"]: f for f in r.json()["features"]}
    assert feats["510112001001"]["properties"]["version"] == 1
    assert feats["510112001001"]["geometry"]["coordinates"][0][0][2][0] == pytest.approx(X0 + D)
    r = c.get(f"/api/boundaries/as-of/?date={timezone.localdate().isoformat()}&root={t.town.pk}")
    feats = {f["properties"]["code"]: f for f in r.json()["features"]}
    assert feats["510112001001"]["properties"]["version"] == 2
    r = c.get("/api/boundaries/as-of/?date=2026-13-01")
    assert r.status_code == 400 and r.json()["code"] == "date_format"
    # The same through the units list.
    r = c.get(f"/api/units/?as_of={old_day}&subtree={t.town.pk}&level=3")
    assert r.status_code == 200, r.content
    assert [f["properties"]["version"] for f in r.json()["features"]] == [1]


def test_preview_of_a_parent_lists_children_that_would_follow() -> None:
    t = make_tree(with_east=True)
    c = client_for(t.district_admin)
    r = c.post("/api/boundaries/preview/", {"unit": t.town.pk, "geometry": gj(X0, Y0, X0 + 1.8 * D, Y0 + 2 * D)},
               format="json")
    assert r.status_code == 200, r.content
    assert [ch["id"] for ch in r.json()["report"]["children_followed"]] == [t.east.pk]
    r = c.post("/api/boundaries/preview/", {"unit": t.town.pk, "geometry": gj(X0, Y0, X0 + D, Y0 + 2 * D)},
               format="json")
    assert r.status_code == 400 and r.json()["code"] == "parent_change_empties_child"
    assert AdminUnit.objects.get(pk=t.town.pk).boundary_version == 1


def test_consistency_endpoint_reports_overlap_and_gap() -> None:
    t = make_tree()
    # Written around the pipeline (as a bulk load might): overlaps the west community, leaves a gap.
    AdminUnit.objects.create(level=3, kind="community", code="510112001002", name="乱画社区", parent=t.town,
                             geom=gj_mp(X0 + 0.9 * D, Y0, X0 + 2 * D, Y0 + D))
    r = client_for(t.town_staff).get(f"/api/units/{t.town.pk}/consistency/")
    assert r.status_code == 200
    kinds = {i["type"] for i in r.json()["issues"]}
    assert {"overlap", "gap"} <= kinds
    overlap = next(i for i in r.json()["issues"] if i["type"] == "overlap")
    assert overlap["area_m2"] == pytest.approx(0.1 * 967 * 1109, rel=0.03)
    assert overlap["geometry"]["type"] in ("Polygon", "MultiPolygon")


def gj_mp(x0, y0, x1, y1):
    from .factories import rect

    return rect(x0, y0, x1, y1)


@pytest.mark.parametrize(
    ("geometry", "code"),
    [
        ({"type": "Polygon", "coordinates": [[[X0, Y0], [X0 + D, Y0 + D], [X0 + D, Y0], [X0, Y0 + D], [X0, Y0]]]},
         "self_intersection"),
        ({"type": "Polygon", "coordinates": [[[X0, Y0], [X0 + D, Y0]]]}, "ring_too_short"),
        ({"type": "Polygon", "coordinates": [[[X0, Y0], [X0 + D, Y0], [X0 + D, Y0], [X0, Y0]]]}, "ring_too_short"),
        (gj(500_000, 3_300_000, 501_000, 3_301_000), "coords_out_of_range"),
        ({"type": "Polygon", "coordinates": []}, "empty_geometry"),
        ({"type": "LineString", "coordinates": [[X0, Y0], [X0 + D, Y0]]}, "not_polygon"),
        ({"type": "Point", "coordinates": [X0, Y0]}, "not_polygon"),
        (gj(X0 + 10 * D, Y0, X0 + 11 * D, Y0 + D), "outside_parent"),
        ("not json", "geometry_format"),
        ({"type": "Polygon", "coordinates": [[["a", "b"], [1, 2], [3, 4], ["a", "b"]]]}, "geometry_format"),
    ],
)
def test_bad_geometry_is_a_clear_error_and_writes_nothing(geometry, code) -> None:
    t = make_tree()
    c = client_for(t.town_staff)
    before = AdminUnit.objects.count(), BoundaryVersion.objects.count()
    for url, body, method in (
        ("/api/boundaries/preview/", {"parent": t.town.pk, "geometry": geometry}, "post"),
        ("/api/units/", {"parent": t.town.pk, "name": "新", "kind": "community", "geometry": geometry}, "post"),
        (f"/api/units/{t.west.pk}/", {"geometry": geometry}, "patch"),
    ):
        r = getattr(c, method)(url, body, format="json")
        assert r.status_code == 400, (url, r.content)
        assert r.json()["code"] == code and r.json()["detail"]
    assert (AdminUnit.objects.count(), BoundaryVersion.objects.count()) == before


def test_millions_of_vertices_refused(settings) -> None:
    settings.BOUNDARY_MAX_VERTICES = 1000
    t = make_tree()
    import numpy as np

    ang = np.linspace(0, 2 * np.pi, 5000)
    ring = [[X0 + D / 2 + 0.4 * D * np.cos(a), Y0 + D + 0.4 * D * np.sin(a)] for a in ang[:-1]]
    ring.append(ring[0])
    r = client_for(t.town_staff).post("/api/boundaries/preview/", {"parent": t.town.pk, "geometry": {
        "type": "Polygon", "coordinates": [ring]}}, format="json")
    assert r.status_code == 400 and r.json()["code"] == "too_many_vertices"
    assert r.json()["extra"]["vertices"] == 5000


def test_oversized_body_refused_before_parsing(settings) -> None:
    settings.BOUNDARY_MAX_BODY_BYTES = 10_000
    t = make_tree()
    ring = [[X0 + i * 1e-6, Y0 + (i % 2) * 1e-6] for i in range(2000)] + [[X0, Y0]]
    r = client_for(t.town_staff).post("/api/boundaries/preview/", {"parent": t.town.pk, "geometry": {
        "type": "Polygon", "coordinates": [ring]}}, format="json")
    assert r.status_code == 413 and r.json()["code"] == "too_many_vertices"


def test_schema_lists_the_boundary_endpoints() -> None:
    from django.urls import include, path
    from drf_spectacular.generators import SchemaGenerator

    # Only our URLs: the schema of other apps' endpoints is their tests' business.
    gen = SchemaGenerator(patterns=[path("api/", include("boundaries.api.urls"))])
    schema = gen.get_schema(request=None, public=True)
    paths = schema["paths"]
    for p in ("/api/boundaries/preview/", "/api/boundaries/as-of/", "/api/boundaries/import/",
              "/api/units/{id}/history/", "/api/units/{id}/restore/", "/api/units/{id}/consistency/",
              "/api/units/{id}/export/", "/api/units/{id}/history/compare/"):
        assert p in paths, p
    assert "post" in paths["/api/units/"] and "patch" in paths["/api/units/{id}/"]
