"""End-to-end: the map page in Debian's Chromium against the live Django server and the tiny demo."""
from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.gis.geos import Polygon

from boundaries.levels import Level
from boundaries.models import AdminUnit, House

from .conftest import MapPage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def canvas_is_blank(mp: MapPage) -> bool:
    """True when every sampled pixel of the WebGL canvas has the same colour."""
    return mp.page.evaluate(
        """() => {
            const src = window.__map.getCanvas();
            const c = document.createElement('canvas'); c.width = 200; c.height = 120;
            const ctx = c.getContext('2d'); ctx.drawImage(src, 0, 0, 200, 120);
            const d = ctx.getImageData(0, 0, 200, 120).data; const colours = new Set();
            for (let i = 0; i < d.length; i += 4 * 7) colours.add(d[i] << 16 | d[i+1] << 8 | d[i+2]);
            return colours.size < 3;
        }"""
    )


def test_village_staff_signs_in_and_sees_their_village(map_page: MapPage, demo: Any) -> None:
    mp = map_page
    mp.open_map(demo.village_staff.username)
    mp.wait_idle()
    assert not canvas_is_blank(mp)
    # The map starts on the user's community: it and its neighbourhoods are rendered and queryable.
    communities = {f["id"] for f in mp.query(["community-fill"])}
    assert demo.community.pk in communities
    hoods = {f["id"] for f in mp.query(["neighbourhood-fill", "neighbourhood-line"])}
    expected = set(AdminUnit.objects.filter(parent=demo.community).values_list("pk", flat=True))
    assert expected and expected <= hoods
    # Chinese UI by default, the user's unit in the header, the hierarchy panel on the community.
    assert "地图" in mp.page.title()
    assert demo.community.name in mp.page.inner_text("#user-name")
    mp.page.wait_for_selector(f".breadcrumb .current[data-unit-id='{demo.community.pk}']")
    assert mp.page.locator(".children li").count() == len(expected)
    # Labels need glyph PBFs: they come from our own static files.
    mp.screenshot("map-2d")
    # Clicking a child in the panel selects it on the map (feature-state) and flies there.
    child = AdminUnit.objects.filter(parent=demo.community).order_by("code").first()
    mp.page.click(f".children li[data-unit-id='{child.pk}'] button")
    mp.page.wait_for_selector(f".breadcrumb .current[data-unit-id='{child.pk}']")
    mp.wait_idle()
    state = mp.page.evaluate(
        "(id) => window.__map.getFeatureState({source: 'neighbourhood', sourceLayer: 'neighbourhood', id})", child.pk
    )
    assert state.get("selected") is True
    # English switch.
    mp.page.click("#btn-lang")
    assert mp.page.inner_text("#tabs button.active") == "Units"
    assert not mp.failed, mp.failed
    assert not [e for e in mp.console_errors if "GPU stall" not in e], mp.console_errors


def _hole_and_overshoot(demo: Any) -> tuple[AdminUnit, Polygon, float]:
    """Remove one neighbourhood at the community's edge (a hole to draw into) and return the parent,
    a rectangle around the hole that overshoots the parent, and the hole's area."""
    parent = demo.community
    best = None
    for n in AdminUnit.objects.filter(parent=parent):
        x0, y0, x1, y1 = n.geom.extent
        dx, dy = (x1 - x0) * 0.35, (y1 - y0) * 0.35
        rect = Polygon.from_bbox((x0 - dx, y0 - dy, x1 + dx, y1 + dy))
        rect.srid = parent.geom.srid
        outside = rect.difference(parent.geom).area
        if best is None or outside > best[2]:
            best = (n, rect, outside)
    n, rect, outside = best
    assert outside > 0
    area = n.area_m2
    AdminUnit.objects.filter(parent=n).delete()  # its buildings (and their houses)
    n.delete()
    return parent, rect, area


def _push_a_building_out(community: AdminUnit) -> None:
    from django.db import connection

    building = AdminUnit.objects.filter(level=Level.BUILDING, path__startswith=community.path).order_by("code").first()
    x0, _, x1, _ = building.parent.geom.extent
    with connection.cursor() as cur:  # raw SQL: the save pipeline would refuse it, which is the point
        cur.execute("UPDATE adminunits_adminunit SET geom = ST_Translate(geom, %s, 0) WHERE id = %s", [(x1 - x0) * 0.7, building.pk])


def _draw_polygon(mp: MapPage, rect: Polygon, padding: int = 120) -> None:
    x0, y0, x1, y1 = rect.extent
    mp.page.evaluate("([b, p]) => window.__map.fitBounds(b, {padding: p, duration: 0})", [[[x0, y0], [x1, y1]], padding])
    mp.wait_idle()
    corners = [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]
    points = [mp.project(*c) for c in corners]
    # Move in small steps before each click: Terra Draw places the vertex where the pointer last moved,
    # and a loaded machine may coalesce a single jump.
    for x, y in [*points, points[0]]:  # the closing click on the first vertex finishes the polygon
        mp.page.mouse.move(x, y, steps=4)
        mp.page.wait_for_timeout(100)
        mp.page.mouse.click(x, y)
        mp.page.wait_for_timeout(350)


def test_draw_overshooting_boundary_is_snapped_clipped_and_saved(map_page: MapPage, demo: Any) -> None:
    parent, rect, hole_area = _hole_and_overshoot(demo)
    _push_a_building_out(parent)
    mp = map_page
    mp.open_map(demo.village_staff.username)
    # The consistency check: a building pushed half out of its neighbourhood (a data error made
    # behind the pipeline's back) is listed and drawn; a click flies there.
    mp.page.click("#tabs button[data-tab=check]")
    item = mp.page.wait_for_selector(".check-item.outside_parent")
    assert "超出上级" in item.inner_text()
    item.query_selector("button").click()
    mp.page.wait_for_timeout(900)
    mp.wait_idle()
    assert mp.query(["check-fill"]), "the gap is drawn on the map"
    mp.screenshot("consistency")
    mp.page.click("#tabs button[data-tab=draw]")
    mp.page.click("#draw-new")
    with mp.page.expect_response("**/api/boundaries/preview/") as resp_info:
        _draw_polygon(mp, rect)
    resp = resp_info.value
    assert resp.status == 200, resp.text()
    report = resp.json()["report"]
    # The part outside the community was clipped, the overlap with the neighbours removed: what is
    # left is (about) the hole.
    assert report["clipped_m2"] > 0
    assert report["overlap_removed_m2"] > 0
    assert report["area_after_m2"] == pytest.approx(hole_area, rel=0.05)
    # The corners cut off outside the community are counted as such, not hidden behind "0 snapped".
    assert report["vertices_removed"] > 0 and report["vertices_added"] > 0
    mp.page.wait_for_selector("#draw-report")
    cut = mp.page.inner_text("#draw-report [data-fact=verticesCut]")
    assert cut == f"删去 {report['vertices_removed']} 个，新增 {report['vertices_added']} 个"
    mp.wait_idle()
    assert mp.query(["preview-fill"]), "the snapped result is drawn on the map"
    mp.screenshot("draw-preview")
    # Save: the reason is asked for.
    mp.page.click("#draw-save")
    mp.page.fill("#dialog input[name=name]", "新绘小区")
    mp.page.fill("#dialog textarea[name=reason]", "端到端测试：补画缺失的小区")
    with mp.page.expect_response(lambda r: r.url.endswith("/api/units/") and r.request.method == "POST") as saved:
        mp.page.click("#dialog-ok")
    assert saved.value.status in (200, 201), saved.value.text()
    unit = AdminUnit.objects.get(name="新绘小区")
    assert unit.parent_id == parent.pk and unit.level == Level.NEIGHBOURHOOD
    assert unit.area_m2 == pytest.approx(hole_area, rel=0.05)
    assert parent.geom.buffer(1e-6).contains(unit.geom)
    # The saved unit comes back in the tiles.
    mp.page.wait_for_function(
        "(id) => window.__map.queryRenderedFeatures({layers: ['neighbourhood-fill']}).some(f => f.id === id)",
        arg=unit.pk, timeout=30_000,
    )
    mp.screenshot("draw-saved")

    # A server error, shown in words a clerk understands: a new boundary drawn wholly inside an
    # existing neighbourhood has nothing left once the overlap is removed.
    other = AdminUnit.objects.filter(parent=parent).exclude(pk=unit.pk).order_by("-area_m2").first()
    cx, cy = other.geom.point_on_surface.coords
    x0, y0, x1, y1 = other.geom.extent
    d = min(x1 - x0, y1 - y0) * 0.08
    inner = Polygon.from_bbox((cx - d, cy - d, cx + d, cy + d))
    mp.page.click("#draw-new")
    with mp.page.expect_response("**/api/boundaries/preview/") as resp_info:
        _draw_polygon(mp, inner, padding=250)
    assert resp_info.value.status == 400, resp_info.value.text()
    detail = resp_info.value.json()["detail"]
    err = mp.page.wait_for_selector("#draw-error")
    assert err.inner_text() == detail
    assert any("\u4e00" <= ch <= "\u9fff" for ch in detail)  # Chinese words, not a stack trace
    assert mp.page.is_visible("#toast.error")
    mp.screenshot("server-error")
    mp.page.click("#draw-cancel")



def test_town_supervisor_cannot_draw_and_sees_choropleth(map_page: MapPage, demo: Any) -> None:
    assert demo.town_supervisor.username == "shuanglonghu_supervisor"
    from population import demo as population_demo

    population_demo.generate("tiny")  # residents in the detailed communities (the set-up, not the step)
    mp = map_page
    mp.open_map(demo.town_supervisor.username)
    mp.page.click("#tabs button[data-tab=draw]")
    refusal = mp.page.wait_for_selector("#draw-refusal")
    assert "只读" in refusal.inner_text()
    assert mp.page.locator("#draw-new").count() == 0
    # Selecting a village does not open drawing either.
    mp.fly_to_unit(demo.community.pk, Level.COMMUNITY)
    mp.page.click("#tabs button[data-tab=draw]")
    assert mp.page.locator("#draw-new").count() == 0
    assert mp.page.evaluate("window.__draw === undefined")
    # Statistics of the town's communities: titled for that level, a loading state first.
    mp.page.evaluate("window.__map.jumpTo({center: window.__map.getCenter(), zoom: 12})")
    mp.page.click("#tabs button[data-tab=stats]")
    assert mp.page.inner_text("#stat-title") == "各村社区统计"
    assert mp.page.inner_text("#stat-status") != "" and mp.page.is_disabled("#stat-choice")
    mp.page.wait_for_selector("#stat-chart canvas")
    # Every figure the API gives: age bands and tags included.
    options = mp.page.eval_on_selector_all("#stat-choice option", "els => els.map(e => e.textContent)")
    for wanted in ("居住人口", "户数", "60岁及以上", "0-14岁", "80+岁", "独居老人", "低保", "残疾人", "面积"):
        assert wanted in options, (wanted, options)
    stats = {}
    from population.stats import unit_stats

    for c in AdminUnit.objects.filter(parent=demo.town):
        stats[c.pk] = unit_stats(c)
    top = max(s["population"] for s in stats.values())
    assert top > 1000
    # The legend's maximum is the largest community's figure, written with digit grouping.
    assert mp.page.inner_text("#stat-max") == f"{top:,} 人"
    mp.page.wait_for_function(
        "([id, v]) => window.__map.getFeatureState({source: 'community', sourceLayer: 'community', id}).stat === v",
        arg=[demo.community.pk, stats[demo.community.pk]["population"]],
    )
    # Axis ticks are short ("2万"), so neighbouring ones cannot run into each other.
    assert mp.page.evaluate("window.__statChart.getOption().xAxis[0].axisLabel.formatter(20000)") == "2万"
    # Switching to a tag recolours at once from the statistics already loaded.
    alone = next(t["count"] for t in stats[demo.community.pk]["tags"] if t["tag"] == "elderly_alone")
    assert alone > 0
    mp.page.select_option("#stat-choice", label="独居老人")
    mp.page.wait_for_function(
        "([id, v]) => window.__map.getFeatureState({source: 'community', sourceLayer: 'community', id}).stat === v",
        arg=[demo.community.pk, alone],
    )
    # Hovering the community on the map shows its name and its figure.
    mp.wait_idle()
    from boundaries import services

    x, y = mp.project(*services.to_shapely(demo.community.geom).representative_point().coords[0])
    mp.page.mouse.move(x, y, steps=4)
    hover = mp.page.wait_for_selector("#stat-hover")
    assert demo.community.name in hover.inner_text() and f"独居老人：{alone} 人" in hover.inner_text()
    mp.screenshot("supervisor-choropleth")


def test_district_statistics_are_by_town(map_page: MapPage, demo: Any) -> None:
    mp = map_page
    mp.open_map(demo.district_staff.username)
    mp.page.click("#tabs button[data-tab=stats]")
    assert mp.page.inner_text("#stat-title") == "各镇街统计"
    mp.page.wait_for_selector("#stat-chart canvas")
    n = mp.page.evaluate("window.__statChart.getOption().yAxis[0].data.length")
    assert n == AdminUnit.objects.filter(parent=demo.district).count()


def test_base_map_and_imagery_note(map_page: MapPage, demo: Any) -> None:
    """A base map drawn from the platform's own data (unit tints, the DEM's hillshade, the units'
    names), and, with no imagery configured, the imagery switch says how to add it."""
    mp = map_page
    mp.open_map(demo.town_staff.username)
    mp.wait_idle()
    tints = mp.query(["base-town", "base-community"])
    assert {f["id"] for f in tints} >= set(AdminUnit.objects.filter(parent=demo.town).values_list("pk", flat=True))
    assert mp.page.evaluate("window.__map.getLayoutProperty('hillshade', 'visibility') !== 'none'")
    assert any(r for r in mp.requests if "/tiles/hillshade/" in r)
    assert not [r for r in mp.requests if "/tiles/terrain/" in r]  # 2D never downloads elevation
    mp.page.click("#tabs button[data-tab=layers]")
    assert mp.page.is_disabled("input[data-layer=imagery]")
    note = mp.page.inner_text("#imagery-note")
    assert "IMAGERY_PATH" in note and "GeoTIFF" in note
    # The base map can be switched off like any layer.
    mp.page.uncheck("input[data-layer=base-town]")
    assert mp.page.evaluate("window.__map.getLayoutProperty('base-community', 'visibility')") == "none"
    mp.page.check("input[data-layer=base-town]")
    mp.wait_idle()
    assert not canvas_is_blank(mp)
    mp.screenshot("base-map")


def test_3d_and_back_keeps_the_selection(map_page: MapPage, demo: Any) -> None:
    mp = map_page
    building = AdminUnit.objects.filter(level=Level.BUILDING, path__startswith=demo.community.path).order_by("-height_m").first()
    # Terrain + extrusions are rendered in software (SwiftShader): a smaller window keeps this quick.
    mp.page.set_viewport_size({"width": 800, "height": 520})
    mp.open_map(demo.village_staff.username)
    mp.fly_to_unit(building.pk, Level.BUILDING)
    mp.page.click("#btn-3d")
    mp.page.wait_for_timeout(900)
    mp.wait_idle()
    view = mp.page.evaluate(
        """() => ({pitch: window.__map.getPitch(), terrain: !!window.__map.getTerrain(),
                  extrusion: window.__map.getLayoutProperty('building-extrusion', 'visibility')})"""
    )
    # WebGL is drawn by the CPU here (SwiftShader), as on an office PC without a graphics card:
    # 3D comes without terrain, which the layer panel offers with a word on the cost.
    assert view["pitch"] > 30 and not view["terrain"] and view["extrusion"] == "visible"
    hits = mp.query(["building-extrusion"])
    assert any(f["id"] == building.pk for f in hits)
    state = mp.page.evaluate("(id) => window.__map.getFeatureState({source: 'building', sourceLayer: 'building', id})", building.pk)
    assert state.get("selected") is True
    mp.page.click("#tabs button[data-tab=building]")
    mp.page.click("#btn-floors")
    mp.wait_idle()
    assert len(mp.query(["floors-3d"])) > 0
    mp.screenshot("map-3d-floors")
    mp.page.click("#tabs button[data-tab=layers]")
    assert "显卡" in mp.page.inner_text("#terrain-note")
    mp.page.check("#terrain-switch")
    mp.page.wait_for_function("() => !!window.__map.getTerrain()")
    mp.page.click("#btn-3d")
    mp.page.wait_for_timeout(900)
    mp.wait_idle(timeout=180_000)
    assert mp.page.evaluate("window.__map.getPitch()") == 0
    assert mp.page.evaluate("window.__map.getTerrain()") is None
    state = mp.page.evaluate("(id) => window.__map.getFeatureState({source: 'building', sourceLayer: 'building', id})", building.pk)
    assert state.get("selected") is True


def _person(pool: AdminUnit, name: str) -> Any:
    from population.ids import check_digit
    from population.models import Person

    first = f"500112{dt.date(1985, 3, 9):%Y%m%d}123"
    p = Person(pool=pool, name=name, birth_date=dt.date(1985, 3, 9), sex="1")
    p.set_id_number(first + check_digit(first))
    p.save()
    return p


def test_place_a_resident_and_find_them_from_the_building(map_page: MapPage, demo: Any) -> None:
    person = _person(demo.community, "测试居民甲")
    building = AdminUnit.objects.filter(level=Level.BUILDING, path__startswith=demo.community.path, houses__isnull=False).order_by("code").first()
    house = House.objects.filter(building=building).order_by("floor", "room").last()
    mp = map_page
    mp.open_map(demo.village_staff.username)
    mp.fly_to_unit(building.pk, Level.BUILDING)
    mp.page.click("#tabs button[data-tab=building]")
    mp.page.fill("#place-search", "测试居民")
    mp.page.wait_for_selector(f"#place-person option[value='{person.pk}']", state="attached")
    mp.page.select_option("#place-person", str(person.pk))
    mp.page.select_option("#place-house", str(house.pk))
    with mp.page.expect_response(f"**/api/population/people/{person.pk}/place/") as placed:
        mp.page.click("#place-submit")
    assert placed.value.status == 200, placed.value.text()
    # The building's panel now lists them in that house, with a masked ID number.
    cell = mp.page.wait_for_selector(f"[data-house-id='{house.pk}'] [data-person-id='{person.pk}']")
    text = cell.inner_text()
    assert "测试居民甲" in text and "*" in text
    person.refresh_from_db()
    assert person.house_id == house.pk
    mp.screenshot("building-residents")
    # Showing the full ID number asks for a reason and is audited.
    from audit.models import AuditEvent

    mp.page.click(f"[data-person-id='{person.pk}'] .reveal")
    mp.page.fill("#dialog textarea[name=reason]", "核实住户身份")
    mp.page.click("#dialog-ok")
    mp.page.wait_for_function(
        "(id) => !document.querySelector(`[data-person-id='${id}'] small`).textContent.includes('*')", arg=person.pk
    )
    assert AuditEvent.objects.filter(action="reveal").count() == 1
    # From the person (search box) back to their building.
    mp.fly_to_unit(demo.community.pk, Level.COMMUNITY)
    mp.page.fill("#search", "测试居民甲")
    mp.page.click(f"#search-results [data-person-id='{person.pk}'] button")
    mp.page.wait_for_function("(id) => window.__app.selection && window.__app.selection.id === id", arg=building.pk)


def test_resident_on_a_phone_sees_the_map_but_no_person_data(browser: Any, live_server: Any, demo: Any) -> None:
    """Phone layout, and a role that may not see people: no population request is ever made."""
    _person(demo.community, "测试居民乙")
    building = AdminUnit.objects.filter(level=Level.BUILDING, path__startswith=demo.community.path).order_by("code").first()
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, device_scale_factor=2)
    mp = MapPage(context.new_page(), live_server.url)
    mp.open_map(demo.resident.username)
    mp.wait_idle()
    box = mp.page.locator("#map").bounding_box()
    assert box["width"] == pytest.approx(390, abs=2)  # the map takes the whole width on a phone
    assert not canvas_is_blank(mp)
    mp.page.click("#menu-toggle")
    mp.page.wait_for_timeout(400)
    mp.screenshot("phone")
    mp.fly_to_unit(building.pk, Level.BUILDING)
    mp.page.evaluate("window.__showPanel('building')")
    mp.page.wait_for_selector(".building .notice")
    mp.page.fill("#search", "测试居民")
    mp.page.wait_for_selector("#search-results:not([hidden])")
    assert mp.page.locator("#search-results .person").count() == 0
    assert "测试居民乙" not in mp.page.content()
    assert not [u for u in mp.requests if "/api/population/" in u]
    context.close()
    assert not mp.outside_requests
