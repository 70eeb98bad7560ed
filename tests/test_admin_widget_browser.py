"""The admin's map widget really runs in Chromium with no network: OpenLayers from our static files,
the boundary drawn, nothing requested outside the server."""
from __future__ import annotations

import mimetypes
import os
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

from boundaries.levels import Level
from boundaries.models import AdminUnit

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")  # as in tests/e2e/conftest.py
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--enable-unsafe-swiftshader"]
BASE = "http://testserver"

pytestmark = [pytest.mark.django_db, pytest.mark.browser]


def test_admin_map_widget_renders_offline(demo: Any) -> None:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"no Chromium at {CHROMIUM}: scripts/test installs it")
    from playwright.sync_api import sync_playwright

    client = Client()
    client.force_login(demo.superuser)
    unit = AdminUnit.objects.filter(level=Level.COMMUNITY).first()
    page_path = f"/admin/adminunits/adminunit/{unit.pk}/change/"
    # Django answers first (the ORM must not run inside Playwright's event loop); the browser then
    # gets these pages, the static files from the finders, and nothing else.
    pages = {p: client.get(p) for p in (page_path, "/admin/jsi18n/")}
    outside: list[str] = []
    errors: list[str] = []

    def serve(route: Any) -> None:
        url = route.request.url
        if not url.startswith(BASE + "/"):
            outside.append(url)
            route.abort()
            return
        path = urlparse(url).path
        if path.startswith("/static/"):
            found = finders.find(path.removeprefix("/static/"))
            if found:
                route.fulfill(path=found, content_type=mimetypes.guess_type(found)[0] or "application/octet-stream")
            else:
                route.fulfill(status=404, body="")
            return
        r = pages.get(path)
        if r is None:
            errors.append(f"unexpected request {url}")
            route.fulfill(status=404, body="")
            return
        route.fulfill(status=r.status_code, body=r.content, content_type=r.get("Content-Type", "text/html"))

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page()
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.route("**/*", serve)
            page.goto(BASE + page_path)
            page.wait_for_selector("#id_geom_map .ol-viewport canvas, #id_geom_map .ol-viewport", timeout=30_000)
            # The unit's boundary is on the map as one feature, and the view fits it.
            features = page.evaluate("geodjango_geom.featureOverlay.getSource().getFeatures().length")
            assert features == 1
            extent = page.evaluate("geodjango_geom.map.getView().calculateExtent()")
        finally:
            browser.close()
    assert not outside, outside
    assert not errors, errors
    assert len(extent) == 4 and extent[0] < extent[2]
