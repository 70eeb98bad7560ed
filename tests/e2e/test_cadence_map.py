"""End-to-end: the town supervisor's 村务公开逾期 map layer (declared by the publication module through
the tiles registry): toggled on the map, an overdue village coloured, its popup naming the rule and
its citation."""
from __future__ import annotations

import io
from typing import Any

import pytest
from PIL import Image

from boundaries import services
from boundaries.levels import Level
from boundaries.models import AdminUnit

from .conftest import MapPage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _redness(mp: MapPage, x: float, y: float) -> float:
    """How much redder than green the screen is around a page point (the mean over a 9x9 patch)."""
    shot = Image.open(io.BytesIO(mp.page.screenshot(clip={"x": x - 4, "y": y - 4, "width": 9, "height": 9})))
    pixels = list(shot.convert("RGB").getdata())
    return sum(r - g for r, g, _ in pixels) / len(pixels)


def test_supervisor_toggles_the_overdue_layer_and_reads_the_rule(map_page: MapPage, demo: Any) -> None:
    from publication import demo as pub_demo
    from publication.models import CadenceStatus

    pub_demo.generate()  # the set-up: published items, some villages behind (not the step under test)
    overdue = (CadenceStatus.objects.filter(unit__parent=demo.town, overdue=True, unit__geom__isnull=False)
               .select_related("unit").order_by("unit__code").first())
    assert overdue is not None and overdue.rules
    unit: AdminUnit = overdue.unit

    mp = map_page
    assert demo.town_supervisor.username == "shuanglonghu_supervisor"
    mp.open_map(demo.town_supervisor.username)
    button = mp.page.wait_for_selector("#btn-affairs-cadence")
    assert button.inner_text() == "村务公开逾期" and button.get_attribute("aria-pressed") == "false"
    assert mp.page.is_hidden("#cadence-legend")
    mp.fly_to_unit(unit.pk, Level.COMMUNITY)
    x, y = mp.project(*services.to_shapely(unit.geom).representative_point().coords[0])
    before = _redness(mp, x, y)

    button.click()
    assert button.get_attribute("aria-pressed") == "true"
    legend = mp.page.wait_for_selector("#cadence-legend .citation")
    assert "中华人民共和国村民委员会组织法" in legend.inner_text() and "第三十条" in legend.inner_text()
    assert "一般事项至少每季度公布一次" in mp.page.inner_text("#cadence-legend")
    mp.wait_idle()
    rendered = {f["id"]: f["props"] for f in mp.query(["affairs-cadence-fill"])}
    assert rendered[unit.pk]["status"] == "overdue"
    after = _redness(mp, x, y)
    assert after - before > 15, (before, after)  # the overdue village is now tinted red on screen
    assert any("/tiles/affairs_cadence/" in u for u in mp.requests)

    mp.page.mouse.click(x, y)
    popup = mp.page.wait_for_selector("#cadence-popup")
    mp.page.wait_for_function("document.querySelector('#cadence-popup .citation').textContent.includes('第三十条')")
    text = popup.inner_text()
    assert unit.name in text
    assert f"逾期：{overdue.rules}" in text  # what the status table holds for this village
    assert "《中华人民共和国村民委员会组织法》（2018年修正）第三十条" in text
    assert "待核实" in text  # the article number in the 2026 text is not confirmed, and says so
    mp.screenshot("map-cadence-layer")

    button.click()  # and off again
    mp.wait_idle()
    assert mp.page.evaluate("window.__map.getLayoutProperty('affairs-cadence-fill', 'visibility')") == "none"
    assert mp.page.is_hidden("#cadence-legend")
    assert not [f for f in mp.failed if "/tiles/" in f], mp.failed
