"""Drawing in the hand: reshape by dragging a vertex (it snaps onto the parent's edge), split a
compound with a cut line, merge two neighbours — each with the mouse on the map and the panel's
buttons, then saved with a reason and checked in the database and in the history panel."""
from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import shapely
from shapely.geometry import LineString, Point, Polygon
from shapely.ops import split

from boundaries import services
from boundaries.models import AdminUnit, BoundaryVersion, VersionOperation

from .conftest import MapPage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def shape(unit: AdminUnit) -> Any:
    return services.to_shapely(AdminUnit.objects.get(pk=unit.pk).geom)


def compound(demo: Any, name: str) -> AdminUnit:
    return AdminUnit.objects.get(parent=demo.community, name=name)


def open_draw_panel(mp: MapPage, username: str) -> None:
    mp.open_map(username)
    mp.page.click("#tabs button[data-tab=draw]")
    mp.page.wait_for_selector("#draw-units li[data-unit-id] .reshape")


def boundary_move(demo: Any, unit: AdminUnit) -> tuple[tuple[float, float], tuple[float, float], tuple[float, float]]:
    """A vertex of ``unit`` on the community's outline, the next vertex along that outline, and the
    point the first can move to along the community's edge without leaving any building outside.
    """
    g = shape(unit).geoms[0]
    outline = shapely.boundary(shape(demo.community))
    ring = list(g.exterior.coords)[:-1]
    kids = [services.to_shapely(b.geom) for b in AdminUnit.objects.filter(parent=unit)]
    for i in range(len(ring)):
        for j in (i - 1, (i + 1) % len(ring)):
            a, b = ring[i], ring[j]
            mid = ((a[0] + b[0]) / 2, (a[1] + b[1]) / 2)
            if max(outline.distance(Point(a)), outline.distance(Point(b)), outline.distance(Point(mid))) > 1e-9:
                continue  # not an edge of the community's outline
            for t in (0.35, 0.3, 0.25, 0.2, 0.15):
                target = (a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t)
                moved = Polygon([target if k == i else p for k, p in enumerate(ring)])
                if moved.is_valid and all(moved.buffer(1e-9).covers(k) for k in kids):
                    return a, b, target
    raise AssertionError(f"{unit.name} has no vertex that can slide along the community's outline")


def test_reshape_cuihu_by_dragging_a_vertex_onto_the_community_boundary(map_page: MapPage, demo: Any) -> None:
    assert demo.village_staff.username == "500112002001_staff"
    unit = compound(demo, "翠湖小区")
    before = shape(unit)
    version = unit.boundary_version
    a, b, target = boundary_move(demo, unit)
    mp = map_page
    open_draw_panel(mp, demo.village_staff.username)
    mp.page.click(f"#draw-units li[data-unit-id='{unit.pk}'] .reshape")
    mp.page.wait_for_selector("#draw-status[data-mode=reshape]")
    assert not mp.page.is_visible("#toast.error"), mp.page.inner_text("#toast")
    mp.wait_idle()
    # Drag the vertex: release it 6 px beside the community's edge (outside it).
    start = mp.project(*a)
    on_edge = mp.project(*target)
    ex, ey = on_edge[0] - start[0], on_edge[1] - start[1]
    n = math.hypot(ex, ey)
    off = (on_edge[0] - ey / n * 6, on_edge[1] + ex / n * 6)
    drop = mp.lnglat(*off)
    if shape(demo.community).contains(Point(drop)):
        off = (on_edge[0] + ey / n * 6, on_edge[1] - ex / n * 6)
        drop = mp.lnglat(*off)
    assert shapely.boundary(shape(demo.community)).distance(Point(drop)) > 1e-6  # really beside the edge
    mp.page.mouse.move(*start, steps=3)
    mp.page.wait_for_timeout(150)
    mp.page.mouse.down()
    mp.page.mouse.move((start[0] + off[0]) / 2, (start[1] + off[1]) / 2, steps=6)
    mp.page.mouse.move(*off, steps=8)
    mp.page.wait_for_timeout(400)
    # While the hand holds it, the vertex sits on the edge and the snap target is shown there.
    snapped = mp.page.evaluate("window.__drawer.snapper.last")
    assert snapped and snapped["kind"] == "edge"
    assert shapely.boundary(shape(demo.community)).distance(Point(snapped["coordinate"])) < 2e-9
    assert mp.page.evaluate("window.__map.queryRenderedFeatures({layers: ['snap-target']}).length") == 1
    mp.screenshot("draw-snap")
    with mp.page.expect_response("**/api/boundaries/preview/") as resp:
        mp.page.mouse.up()
    assert resp.value.status == 200, resp.value.text()
    figures = resp.value.json()["report"]
    assert figures["area_current_m2"] == pytest.approx(unit.area_m2, abs=0.01)
    assert figures["area_after_m2"] < figures["area_current_m2"]
    assert figures["clipped_m2"] == 0 and figures["overlap_removed_m2"] == 0
    # The report shows the same figures (areas in hectares).
    mp.page.wait_for_selector("#draw-report")
    assert mp.page.inner_text("#draw-report [data-fact=areaCurrent]") == f"{unit.area_m2 / 1e4:.2f} ha"
    assert mp.page.inner_text("#draw-report [data-fact=areaAfter]") == f"{figures['area_after_m2'] / 1e4:.2f} ha"
    mp.wait_idle()
    mp.screenshot("draw-reshape")
    mp.page.click("#draw-save")
    mp.page.fill("#dialog textarea[name=reason]", "按实地勘界调整翠湖小区北侧边界")
    with mp.page.expect_response(lambda r: r.url.endswith(f"/api/units/{unit.pk}/") and r.request.method == "PATCH") as saved:
        mp.page.click("#dialog-ok")
    assert saved.value.status == 200, saved.value.text()
    # Stored: one version more; the dragged vertex lies exactly on the community's edge.
    unit.refresh_from_db()
    assert unit.boundary_version == version + 1
    after = shape(unit)
    xy = [tuple(p) for p in shapely.get_coordinates(after)]
    assert a not in xy
    outline = shapely.boundary(shape(demo.community))
    new_vertex = min(xy, key=lambda p: Point(p).distance(Point(target)))
    assert outline.distance(Point(new_vertex)) < 1e-12
    assert Point(new_vertex).distance(Point(drop)) > 1e-6  # not where the pointer was released
    assert after.area < before.area and shapely.covers(before.buffer(1e-9), after)
    v = BoundaryVersion.objects.get(unit=unit, version=unit.boundary_version)
    assert v.operation == VersionOperation.RESHAPE and v.reason == "按实地勘界调整翠湖小区北侧边界"

    # History: the new version, in Shanghai's local time, by the clerk's name.
    mp.page.wait_for_function("(id) => window.__app.selection?.id === id", arg=unit.pk)
    mp.page.click("#tabs button[data-tab=history]")
    row = mp.page.wait_for_selector(f".version[data-version='{unit.boundary_version}']")
    text = row.inner_text()
    local = v.at.astimezone(ZoneInfo("Asia/Shanghai"))
    assert local.strftime("%Y-%m-%d %H:%M") in text, text
    assert demo.village_staff.display_name in text and demo.village_staff.username not in text
    assert "按实地勘界" in text
    # Compare the two versions: the red "lost" area is the sliver given up, nothing over the rest.
    mp.page.check(f".version[data-version='{version}'] input")
    mp.page.check(f".version[data-version='{unit.boundary_version}'] input")
    with mp.page.expect_response(lambda r: "/history/compare/" in r.url) as cmp:
        mp.page.click("#history-compare")
    body = cmp.value.json()
    lost = shapely.geometry.shape(body["removed"]["geometry"])
    assert lost.area == pytest.approx(before.area - after.area, rel=1e-3)
    mp.page.wait_for_function("() => window.__map.queryRenderedFeatures({layers: ['history-a-fill']}).length > 0")
    mp.wait_idle()
    inside = mp.project(*after.representative_point().coords[0])
    assert mp.page.evaluate(
        "([x, y]) => window.__map.queryRenderedFeatures([x, y], {layers: ['history-a-fill']}).length", list(inside)
    ) == 0
    mp.screenshot("history")
    # The boundaries as of a day picked in the calendar (Chinese, year-month-day, not mm/dd/yyyy).
    assert mp.page.get_attribute("#history-date", "placeholder").startswith("年-月-日")
    mp.page.click("#history-date-open")
    calendar = mp.page.wait_for_selector("#history-date-calendar:not([hidden])")
    today = dt.datetime.now(ZoneInfo("Asia/Shanghai")).date()
    assert f"{today.year}年{today.month}月" in calendar.inner_text() and "日一二三四五六" in calendar.inner_text().replace("\n", "")
    with mp.page.expect_response(lambda r: "/api/boundaries/as-of/" in r.url) as asof:
        mp.page.click(f"#history-date-calendar .day[data-date='{today.isoformat()}']")
    assert asof.value.status == 200
    assert mp.page.input_value("#history-date") == today.isoformat()
    mine = [f for f in asof.value.json()["features"] if f["id"] == unit.pk]
    assert mine and mine[0]["properties"]["version"] == unit.boundary_version
    assert mp.page.evaluate("window.__map.getSource('history-asof') !== undefined")
    # Restore the first version from its row: a third version, the old outline again.
    mp.page.click(f".version[data-version='{version}'] .restore")
    mp.page.fill("#dialog textarea[name=reason]", "恢复原边界")
    with mp.page.expect_response(lambda r: r.url.endswith(f"/api/units/{unit.pk}/restore/")) as restored:
        mp.page.click("#dialog-ok")
    assert restored.value.status == 200, restored.value.text()
    unit.refresh_from_db()
    assert unit.boundary_version == version + 2
    assert shapely.area(shapely.symmetric_difference(shape(unit), before)) < 1e-12
    mp.page.wait_for_selector(f".version[data-version='{version + 2}']")
    assert not [e for e in mp.console_errors if "GPU stall" not in e], mp.console_errors


def free_cut(unit: AdminUnit) -> tuple[tuple[float, float], tuple[float, float]]:
    """Ends of a north-south line across ``unit`` that crosses none of its buildings."""
    g = shape(unit)
    minx, miny, maxx, maxy = g.bounds
    pad = (maxy - miny) * 0.12
    buildings = [services.to_shapely(b.geom) for b in AdminUnit.objects.filter(parent=unit)]
    for k in (20, 19, 21, 18, 22, 17, 23, 16, 24, 15, 25, 14, 26):
        x = minx + (maxx - minx) * k / 40
        line = LineString([(x, miny - pad), (x, maxy + pad)])
        if any(shapely.intersects(line.buffer(2e-5), bl) for bl in buildings):
            continue
        if len(shapely.get_parts(split(g, line))) == 2:
            return (x, maxy + pad), (x, miny - pad)
    raise AssertionError(f"no free cut through {unit.name}")


def test_split_a_compound_with_a_cut_line(map_page: MapPage, demo: Any) -> None:
    unit = max(AdminUnit.objects.filter(parent=demo.community), key=lambda u: u.children.count())
    before = shape(unit)
    n_buildings = unit.children.count()
    top, bottom = free_cut(unit)
    mp = map_page
    open_draw_panel(mp, demo.village_staff.username)
    mp.page.click(f"#draw-units li[data-unit-id='{unit.pk}'] .split")
    mp.page.wait_for_selector("#draw-status[data-mode=split]")
    mp.wait_idle()
    for p in (top, bottom):
        x, y = mp.project(*p)
        mp.page.mouse.move(x, y, steps=4)
        mp.page.wait_for_timeout(120)
        mp.page.mouse.click(x, y)
        mp.page.wait_for_timeout(350)
    with mp.page.expect_response("**/api/boundaries/split-preview/") as resp:
        mp.page.keyboard.press("Enter")
    assert resp.value.status == 200, resp.value.text()
    mp.page.wait_for_selector("#draw-report [data-fact=splitNew]")
    mp.wait_idle()
    assert mp.query(["preview-b-fill"]), "the new piece is drawn on the map"
    mp.screenshot("draw-split")
    mp.page.click("#draw-save")
    mp.page.fill("#dialog input[name=name]", f"{unit.name}东区")
    mp.page.fill("#dialog textarea[name=reason]", "小区分期交付，分开管理")
    with mp.page.expect_response(lambda r: r.url.endswith(f"/api/units/{unit.pk}/split/")) as saved:
        mp.page.click("#dialog-ok")
    assert saved.value.status == 200, saved.value.text()
    new = AdminUnit.objects.get(parent=demo.community, name=f"{unit.name}东区")
    kept = shape(unit)
    assert shapely.area(shapely.symmetric_difference(shapely.union(kept, shape(new)), before)) < 1e-12
    assert new.children.count() > 0 and new.children.count() + unit.children.count() == n_buildings
    assert BoundaryVersion.objects.get(unit=new).operation == VersionOperation.SPLIT
    # The new compound comes back in the tiles and in the panel's list.
    mp.page.wait_for_selector(f"#draw-units li[data-unit-id='{new.pk}']")
    mp.page.wait_for_function(
        "(id) => window.__map.queryRenderedFeatures({layers: ['neighbourhood-fill']}).some(f => f.id === id)",
        arg=new.pk, timeout=30_000,
    )


def test_merge_two_neighbouring_compounds(map_page: MapPage, demo: Any) -> None:
    units = list(AdminUnit.objects.filter(parent=demo.community).order_by("code"))
    pair = next(
        (a, b) for i, a in enumerate(units) for b in units[i + 1:]
        if shapely.intersection(shapely.boundary(shape(a)), shapely.boundary(shape(b))).length > 1e-4
    )
    keep, other = pair
    union = shapely.union(shape(keep), shape(other))
    mp = map_page
    open_draw_panel(mp, demo.village_staff.username)
    mp.page.click(f"#draw-units li[data-unit-id='{keep.pk}'] .merge")
    partner = mp.page.wait_for_selector(f"#merge-partners li[data-unit-id='{other.pk}'] button")
    with mp.page.expect_response("**/api/boundaries/merge-preview/") as resp:
        partner.click()
    assert resp.value.status == 200, resp.value.text()
    mp.page.wait_for_selector("#draw-report [data-fact=mergeResult]")
    mp.wait_idle()
    mp.screenshot("draw-merge")
    mp.page.click("#draw-save")
    assert mp.page.input_value("#dialog input[name=name]") == keep.name
    mp.page.fill("#dialog textarea[name=reason]", "两个小区合并为一个物业管理区域")
    with mp.page.expect_response(lambda r: r.url.endswith(f"/api/units/{keep.pk}/merge/")) as saved:
        mp.page.click("#dialog-ok")
    assert saved.value.status == 200, saved.value.text()
    assert not AdminUnit.objects.filter(pk=other.pk).exists()
    assert shapely.area(shapely.symmetric_difference(shape(keep), union)) < 1e-12
    v = BoundaryVersion.objects.get(unit=keep, version=AdminUnit.objects.get(pk=keep.pk).boundary_version)
    assert v.operation == VersionOperation.MERGE and other.name in v.reason
    mp.page.wait_for_function(
        "(id) => !document.querySelector(`#draw-units li[data-unit-id='${id}']`)", arg=other.pk
    )
    mp.page.click("#tabs button[data-tab=history]")
    row = mp.page.wait_for_selector(f".version[data-version='{v.version}']")
    assert re.search("合并", row.inner_text())
    # The toast said it in Chinese, and nothing English leaked into the panel.
    assert not re.search(r"[A-Za-z]{4,}", mp.page.inner_text("#panel").replace("ha", ""))
