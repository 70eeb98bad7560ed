"""A strict Content-Security-Policy on every page, and every page still works under it in Chromium:
the map, the Django admin with its map widget, the API documentation and 民政易 (/app/).

Chromium reports each blocked script, style, image or worker as a console error ("Refused to ...
because it violates the following Content Security Policy directive") and as a
``securitypolicyviolation`` event; both are collected and must stay empty.
"""
from __future__ import annotations

import time
from typing import Any

import pytest

from boundaries.levels import Level
from boundaries.models import AdminUnit

from .conftest import MapPage

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

WATCH = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => window.__csp.push(e.violatedDirective + " " + e.blockedURI));
"""


def violations(mp: MapPage) -> list[str]:
    found = list(mp.page.evaluate("window.__csp || []"))
    found += [e for e in mp.console_errors if "Content Security Policy" in e]
    return found


def check_header(mp: MapPage, path: str) -> None:
    r = mp.page.request.get(mp.base_url + path)
    csp = r.headers.get("content-security-policy", "")
    assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0], (path, csp)
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp


def wait_until(mp: MapPage, expression: str, timeout_s: float = 90) -> None:
    """Poll from Python: ``page.wait_for_function`` evaluates with ``eval``, which the policy blocks."""
    deadline = time.monotonic() + timeout_s
    while not mp.page.evaluate(expression):
        assert time.monotonic() < deadline, f"timed out waiting for {expression}"
        mp.page.wait_for_timeout(250)


@pytest.fixture
def strict_page(browser: Any, live_server: Any) -> Any:
    context = browser.new_context(viewport={"width": 1100, "height": 700}, locale="zh-CN", timezone_id="Asia/Shanghai",
                                  bypass_csp=False)
    page = context.new_page()
    page.set_default_timeout(30_000)
    mp = MapPage(page, live_server.url)
    yield mp
    context.close()
    assert not mp.outside_requests, f"requests to outside hosts: {mp.outside_requests[:5]}"


def test_pages_work_under_the_policy(strict_page: MapPage, demo: Any) -> None:
    mp = strict_page
    mp.page.add_init_script(WATCH)
    mp.page.goto(mp.base_url + "/app/")
    mp.page.wait_for_selector("#app, main, body", timeout=30_000)
    mp.page.wait_for_timeout(800)
    check_header(mp, "/app/")
    assert not violations(mp), violations(mp)

    mp.login("superadmin")  # the platform's superuser: the map and the Django admin
    wait_until(mp, "window.__mapReady === true")
    wait_until(mp, "(() => { const m = window.__map; return m.loaded() && m.areTilesLoaded() && !m.isMoving(); })()")
    check_header(mp, "/map/")
    assert not violations(mp), violations(mp)
    mp.screenshot("csp-map")

    unit = AdminUnit.objects.filter(level=Level.COMMUNITY).order_by("code").first()
    assert unit is not None
    mp.page.goto(f"{mp.base_url}/admin/adminunits/adminunit/{unit.pk}/change/")
    # The offline map widget starts from its static script and draws the boundary on a canvas.
    mp.page.wait_for_selector(".dj_map .ol-viewport canvas", timeout=30_000)
    assert mp.page.evaluate("typeof window.geodjango_geom") == "object"
    check_header(mp, f"/admin/adminunits/adminunit/{unit.pk}/change/")
    assert not violations(mp), violations(mp)

    mp.page.goto(mp.base_url + "/api/docs/")
    mp.page.wait_for_selector(".swagger-ui .opblock", timeout=60_000)
    check_header(mp, "/api/docs/")
    assert not violations(mp), violations(mp)
    mp.screenshot("csp-api-docs")
    check_header(mp, "/accounts/login/")
