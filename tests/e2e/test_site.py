"""The pages around the map in a browser set to English: Chinese by default, one language switch
for every page, sign-in with the user type, a styled failure, an icon on every page, and a
phone user who can leave the map and whose selected building stays in view above the sheet."""
from __future__ import annotations

import re
from typing import Any

import pytest

from boundaries import services
from boundaries.levels import Level
from boundaries.models import AdminUnit

from .conftest import PASSWORD, MapPage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
ENGLISH_WORD = re.compile(r"\b[A-Za-z]{3,}\b")
# Names of file formats and coordinate systems, written the same in Chinese software.
STANDARD_NAMES = {"EN", "GeoTIFF", "PNG", "GeoPackage", "gpkg", "GeoJSON", "Shapefile", "zip", "CSV", "WKT", "EPSG",
                  "WGS", "Excel", "xlsx", "KML", "GCJ"}


@pytest.fixture
def english_browser(browser: Any, live_server: Any) -> Any:
    context = browser.new_context(viewport={"width": 1100, "height": 700}, locale="en-US", timezone_id="Asia/Shanghai")
    page = context.new_page()
    page.set_default_timeout(30_000)
    mp = MapPage(page, live_server.url)
    yield mp
    context.close()
    assert not mp.outside_requests


def sign_in(mp: MapPage, username: str, login_type: str, password: str = PASSWORD) -> None:
    mp.page.check(f"#login-type input[value={login_type}]")
    mp.page.fill("input[name=username]", username)
    mp.page.fill("input[name=password]", password)
    mp.page.click("#login-form button[type=submit]")
    mp.page.wait_for_load_state()


def test_sign_in_language_and_icon(english_browser: MapPage, demo: Any) -> None:
    mp = english_browser
    page = mp.page
    # An English browser still gets the Chinese home page, without the developer's note.
    page.goto(f"{mp.base_url}/")
    assert page.get_attribute("html", "lang") == "zh-hans"
    assert page.inner_text("#login-form button[type=submit]") == "登录"
    assert "docs/demo.md" not in page.content() and "演示账号" not in page.content()
    types = page.inner_text("#login-type")
    assert "政府部门" in types and "村·社区" in types and "居民" in types
    icon = page.get_attribute("link[rel=icon]", "href")
    assert page.request.get(f"{mp.base_url}{icon}").status == 200
    assert page.request.get(f"{mp.base_url}/favicon.ico").status == 200
    # A wrong password: the same styled page, a Chinese message.
    sign_in(mp, demo.village_staff.username, "community", password="wrong-password")
    assert "/accounts/login/" in page.url
    assert "用户名或密码不正确" in page.inner_text("#login-error")
    assert page.is_visible("header h1") and page.is_visible(".card #login-form")
    # The right password with the wrong user type: refused, and the message names the right type.
    sign_in(mp, demo.village_staff.username, "government")
    assert "不是“政府部门”账号" in page.inner_text("#login-error") and "村·社区" in page.inner_text("#login-error")
    mp.screenshot("sign-in-error")
    sign_in(mp, demo.village_staff.username, "community")
    page.wait_for_selector("#unit-tree")
    # English chosen on the home page holds on the map too (one setting, Django's language cookie)…
    page.select_option("#language", "en")
    page.wait_for_selector("text=Open the map")
    page.click("text=Open the map")
    mp.wait_ready()
    assert page.inner_text("#tabs button.active") == "Units"
    assert page.get_attribute("html", "lang") == "en"
    # …and Chinese chosen on the map holds on the home page.
    page.click("#btn-lang")
    assert page.inner_text("#tabs button.active") == "层级"
    page.wait_for_timeout(500)
    page.goto(f"{mp.base_url}/")
    assert "打开地图" in page.inner_text("main")
    # No English in the Chinese map's panels, and no failed request on any of these pages.
    page.goto(f"{mp.base_url}/map/")
    mp.wait_ready()
    for tab in page.eval_on_selector_all("#tabs button", "els => els.map(e => e.dataset.tab)"):
        page.click(f"#tabs button[data-tab={tab}]")
        page.wait_for_timeout(600)
        words = [w for w in ENGLISH_WORD.findall(page.inner_text("#panel")) if w not in STANDARD_NAMES]
        assert not words, (tab, words)
    assert not [f for f in mp.failed if "/accounts/login/" not in f], mp.failed


def test_phone_keeps_the_tapped_building_in_view_and_can_sign_out(browser: Any, live_server: Any, demo: Any) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                                  device_scale_factor=2, locale="zh-CN", timezone_id="Asia/Shanghai")
    mp = MapPage(context.new_page(), live_server.url)
    mp.page.set_default_timeout(30_000)
    mp.open_map(demo.village_staff.username)
    mp.wait_idle()
    # A building in the lower half of the screen, where the sheet will come up.
    sheet_top = 844 - 844 * 0.55
    buildings = AdminUnit.objects.filter(level=Level.BUILDING, path__startswith=demo.community.path)
    target = None
    for b in buildings.order_by("code"):
        x, y = mp.project(*services.to_shapely(b.geom).representative_point().coords[0])
        if 40 < x < 350 and sheet_top + 60 < y < 800:
            target = (b, x, y)
            break
    assert target, "no building in the lower half"
    building, x, y = target
    mp.page.touchscreen.tap(x, y)
    mp.page.wait_for_selector(".building h3")
    mp.page.wait_for_function("(id) => window.__app.selection?.id === id", arg=building.pk)
    mp.page.wait_for_timeout(600)
    mp.wait_idle()
    sheet = mp.page.locator("#sidebar").bounding_box()
    bx, by = mp.project(*services.to_shapely(building.geom).representative_point().coords[0])
    assert 48 < by < sheet["y"] - 10, (by, sheet)  # above the sheet, below the top bar
    assert 0 < bx < 390
    mp.screenshot("phone-building")
    # Home and sign-out from the account menu.
    mp.page.click("#btn-account")
    mp.page.wait_for_selector("#account-menu:not([hidden])")
    mp.page.click("#go-home")
    mp.page.wait_for_selector("#unit-tree")
    mp.page.go_back()
    mp.wait_ready()
    mp.page.click("#btn-account")
    mp.page.click("#logout")
    mp.page.wait_for_selector("#login-form")
    mp.page.goto(f"{live_server.url}/api/me/")
    assert mp.page.evaluate("() => document.body.innerText").find("username") == -1  # signed out
    context.close()
    assert not mp.outside_requests
