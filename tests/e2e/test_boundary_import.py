"""Importing boundaries in the hand: a town clerk re-tiles the town's communities from one GeoJSON
file with the import panel ("整级替换"), reads the dry run's report and the features on the map,
confirms, and the stored outlines change; a file whose features overlap is refused with the pair
shown in red; an unreadable file shows the server's Chinese message."""
from __future__ import annotations

import itertools
import json
from typing import Any

import pytest
import shapely
from shapely.geometry import mapping

from boundaries import services
from boundaries.consistency import subtree_report
from boundaries.geometry import Metric, polygonal
from boundaries.models import AdminUnit, BoundaryVersion, VersionOperation

from .conftest import MapPage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

STRIP_M = 40.0  # how far the shared edge moves


def communities(town: AdminUnit) -> list[AdminUnit]:
    return list(AdminUnit.objects.filter(parent=town).exclude(geom=None).order_by("code"))


def movable_pair(town: AdminUnit) -> tuple[AdminUnit, AdminUnit, Any]:
    """Two neighbouring communities with nothing below them and a long shared edge, and a strip of
    the second one along that edge (what the re-survey gives to the first)."""
    empty = [c for c in communities(town) if not AdminUnit.objects.filter(parent=c).exists()]
    best = None
    for a, b in itertools.combinations(empty, 2):
        ga, gb = services.to_shapely(a.geom), services.to_shapely(b.geom)
        edge = shapely.intersection(shapely.boundary(ga), shapely.boundary(gb))
        if best is None or edge.length > best[3].length:
            best = (a, b, gb, edge)
    assert best is not None and best[3].length > 0, "the demo town has no two empty neighbours"
    a, b, gb, edge = best
    metric = Metric.for_geometry(gb)
    strip = polygonal(shapely.intersection(gb, shapely.buffer(shapely.line_merge(edge), metric.degrees(STRIP_M),
                                                              cap_style="flat")), metric.dust_deg2())
    return a, b, strip


def level_file(town: AdminUnit, changes: dict[int, Any]) -> bytes:
    """Every community of the town as stored, except the changed ones; lon/lat, no declared CRS."""
    feats = []
    for c in communities(town):
        g = changes.get(c.pk, services.to_shapely(c.geom))
        feats.append({"type": "Feature", "properties": {"code": c.code, "name": c.name}, "geometry": mapping(g)})
    return json.dumps({"type": "FeatureCollection", "features": feats}, ensure_ascii=False).encode()


def open_import(mp: MapPage, username: str) -> None:
    mp.open_map(username)
    mp.page.click("#tabs button[data-tab=import]")
    mp.page.wait_for_selector("#import-file")


def upload(mp: MapPage, data: bytes, name: str = "双龙湖街道村社区.geojson") -> None:
    mp.page.set_input_files("#import-file", files=[{"name": name, "mimeType": "application/geo+json", "buffer": data}])


def test_town_clerk_replaces_the_level_from_a_file(map_page: MapPage, demo: Any) -> None:
    town = demo.town
    a, b, strip = movable_pair(town)
    ga, gb = services.to_shapely(a.geom), services.to_shapely(b.geom)
    new_a = polygonal(shapely.union(ga, strip))
    new_b = polygonal(shapely.difference(gb, strip))
    versions = dict(AdminUnit.objects.filter(parent=town).values_list("pk", "boundary_version"))
    mp = map_page
    open_import(mp, demo.town_staff.username)
    assert town.name in mp.page.inner_text("#import-into")

    # First a file in which A takes the strip but B keeps it: refused, the pair named and drawn red.
    upload(mp, level_file(town, {a.pk: new_a}))
    mp.page.check("#import-mode input[value=replace]")
    assert mp.page.is_visible("#import-mode [data-help=replace]")
    with mp.page.expect_response("**/api/boundaries/import/") as resp:
        mp.page.click("#import-dry")
    assert resp.value.status == 200, resp.value.text()
    mp.page.wait_for_selector("#import-report [data-ok=false]")
    overlaps = mp.page.inner_text("#import-overlaps")
    assert a.name in overlaps and b.name in overlaps and "重叠" in overlaps
    assert "校验未通过" in mp.page.inner_text("#import-status")
    assert mp.page.is_disabled("#import-go")
    assert mp.page.locator("#import-features li[data-action=rejected]").count() == 2
    mp.page.wait_for_timeout(1200)
    mp.wait_idle()
    assert mp.page.evaluate("window.__map.querySourceFeatures('gaps').length") >= 3  # two features + the overlap
    assert mp.page.evaluate("window.__map.querySourceFeatures('preview').length") >= len(versions) - 2
    mp.page.locator("#import-overlaps").scroll_into_view_if_needed()
    mp.screenshot("import-overlap")

    # The real re-survey: the shared edge moved, both outlines in the file.
    upload(mp, level_file(town, {a.pk: new_a, b.pk: new_b}))
    mp.page.fill("#import-reason", "2026年勘界成果")
    with mp.page.expect_response("**/api/boundaries/import/") as resp:
        mp.page.click("#import-dry")
    report = resp.value.json()
    assert report["ok"] and report["dry_run"], report
    assert report["summary"]["matched"] == len(versions) and report["summary"]["rejected"] == 0
    mp.page.wait_for_selector("#import-report [data-ok=true]")
    assert "校验通过" in mp.page.inner_text("#import-status")
    assert f"匹配 {len(versions)} 个" in mp.page.inner_text("#import-summary")
    assert mp.page.locator("#import-features li[data-action=matched]").count() == len(versions)
    assert dict(AdminUnit.objects.filter(parent=town).values_list("pk", "boundary_version")) == versions  # dry run
    mp.page.wait_for_timeout(1200)
    mp.wait_idle()
    assert mp.page.evaluate("window.__map.querySourceFeatures('preview').length") >= len(versions)
    mp.page.locator("#import-summary").scroll_into_view_if_needed()
    mp.screenshot("import-dry-run")

    with mp.page.expect_response(lambda r: "/api/boundaries/import/" in r.url) as saved:
        mp.page.click("#import-go")
    assert saved.value.status == 200, saved.value.text()
    assert saved.value.json()["dry_run"] is False
    mp.page.wait_for_selector("#import-report [data-dry-run=false]")
    assert "已导入" in mp.page.inner_text("#toast")
    mp.screenshot("import-done")

    # Stored: A and B have the surveyed outlines (one import version each), nothing else changed.
    a.refresh_from_db()
    b.refresh_from_db()
    metric = Metric.for_geometry(ga)
    for unit, want in ((a, new_a), (b, new_b)):
        got = services.to_shapely(unit.geom)
        assert metric.area(shapely.symmetric_difference(got, want)) < 1.0, unit.name
        v = BoundaryVersion.objects.get(unit=unit, version=unit.boundary_version)
        assert v.operation == VersionOperation.IMPORT and v.reason == "2026年勘界成果"
        assert v.author_id == demo.town_staff.pk
    assert a.area_m2 == pytest.approx(metric.area(ga) + metric.area(strip), rel=1e-3)
    after = dict(AdminUnit.objects.filter(parent=town).values_list("pk", "boundary_version"))
    assert {k for k in after if after[k] != versions[k]} == {a.pk, b.pk}
    level = [i for i in subtree_report(town)["issues"] if i["parent"] == town.pk]
    assert not [i for i in level if i["type"] in ("overlap", "outside_parent", "gap")], level
    assert not mp.console_errors, mp.console_errors


def test_an_unreadable_file_shows_the_chinese_error(map_page: MapPage, demo: Any) -> None:
    mp = map_page
    open_import(mp, demo.town_staff.username)
    before = AdminUnit.objects.count(), BoundaryVersion.objects.count()
    upload(mp, b"this is not a boundary file", "坏文件.geojson")
    with mp.page.expect_response("**/api/boundaries/import/") as resp:
        mp.page.click("#import-dry")
    assert resp.value.status == 400 and resp.value.json()["code"] == "file_unreadable"
    mp.page.wait_for_selector("#import-error:not([hidden])")
    assert mp.page.inner_text("#import-error") == "无法读取文件：坏文件.geojson（格式或内容有误）。"
    assert mp.page.inner_text("#toast.error") == "无法读取文件：坏文件.geojson（格式或内容有误）。"
    assert mp.page.is_disabled("#import-go")
    mp.screenshot("import-bad-file")
    # No file at all: said in the panel, nothing sent.
    mp.page.set_input_files("#import-file", files=[])
    mp.page.click("#import-dry")
    assert mp.page.inner_text("#import-error") == "请先选择文件。"
    assert (AdminUnit.objects.count(), BoundaryVersion.objects.count()) == before
