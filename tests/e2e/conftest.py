"""Browser tests: Playwright (pip) drives Debian's Chromium against a live Django server.

The server is pytest-django's ``live_server`` over the real PostGIS test database holding the tiny
demo (root conftest). The built map client (frontend-map/dist) must exist: scripts/test builds it.
"""
from __future__ import annotations

import os
from collections.abc import Generator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

# Playwright's sync API keeps an event loop in this thread; Django's ORM calls from the test body
# are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROOT = Path(__file__).resolve().parents[2]
DIST = ROOT / "frontend-map" / "dist" / "index.html"
# Debian's Chromium; where the distribution has no deb of it (Ubuntu: only a snap), scripts/test
# installs Playwright's own build and names it in CHROMIUM.
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--enable-unsafe-swiftshader", "--use-gl=angle", "--use-angle=swiftshader",
]
# Journeys' screenshots go to var/screenshots; SCREENSHOTS_DIR=docs/screenshots refreshes the ones the
# docs show (a test run should not rewrite committed files).
SCREENSHOTS = Path(os.environ.get("SCREENSHOTS_DIR") or ROOT / "var" / "screenshots")
PASSWORD = "Demo2026!yb"


@pytest.fixture(scope="session")
def browser() -> Generator[Any, None, None]:
    if not DIST.exists():
        pytest.fail("frontend-map/dist is missing: scripts/test (or scripts/run) builds it")
    if not Path(CHROMIUM).exists():
        pytest.fail(f"no Chromium at {CHROMIUM}: scripts/test installs it")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield CspBypassingBrowser(b)
        b.close()


class CspBypassingBrowser:
    """The browser, whose contexts bypass the Content-Security-Policy unless a test asks otherwise
    (``new_context(bypass_csp=False)``): Playwright's ``wait_for_function`` evaluates its predicate
    with ``eval`` inside the page, which the policy (script-src 'self') forbids. The policy itself
    and the pages under it are tested in test_csp.py, with the bypass off."""

    def __init__(self, browser: Any) -> None:
        self._browser = browser

    def new_context(self, **options: Any) -> Any:
        options.setdefault("bypass_csp", True)
        return self._browser.new_context(**options)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._browser, name)


class MapPage:
    """A signed-in page on /map/ with helpers that talk to the map through window.__map."""

    def __init__(self, page: Any, base_url: str) -> None:
        self.page = page
        self.base_url = base_url
        self.outside_requests: list[str] = []
        self.console_errors: list[str] = []
        self.failed: list[str] = []
        self.requests: list[str] = []
        page.on("request", self._on_request)
        page.on("response", lambda r: self.failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
        page.on("console", lambda m: self.console_errors.append(f"{m.text} {m.location.get('url', '')}") if m.type == "error" else None)
        page.on("pageerror", lambda e: self.console_errors.append(str(e)))

    def _on_request(self, request: Any) -> None:
        self.requests.append(request.url)
        host = urlparse(request.url).hostname
        if request.url.startswith(("data:", "blob:")):
            return
        if host not in ("localhost", "127.0.0.1", "::1"):
            self.outside_requests.append(request.url)

    def login(self, username: str, password: str = PASSWORD, next_url: str = "/map/") -> None:
        """Sign in on the sign-in page as a person does: the account's user type, name, password."""
        from accounts.models import User

        self.page.goto(f"{self.base_url}/accounts/login/?next={next_url}")
        login_type = User.objects.get(username=username).login_type
        self.page.check(f"#login-type input[value={login_type}]")
        self.page.fill("input[name=username]", username)
        self.page.fill("input[name=password]", password)
        self.page.click("#login-form button[type=submit]")
        self.page.wait_for_url(f"**{next_url}")

    def open_map(self, username: str) -> None:
        self.login(username)
        self.wait_ready()

    def wait_ready(self, timeout: float = 60_000) -> None:
        self.page.wait_for_function("window.__mapReady === true", timeout=timeout)

    def wait_idle(self, timeout: float = 60_000) -> None:
        """Until MapLibre has loaded every tile in view and stopped moving (polled: with terrain on,
        the 'idle' event can be long in coming while SwiftShader renders)."""
        self.page.wait_for_function(
            "() => { const m = window.__map; return m.loaded() && m.areTilesLoaded() && !m.isMoving(); }",
            timeout=timeout, polling=250,
        )
        self.page.wait_for_timeout(150)

    def query(self, layers: list[str]) -> list[dict[str, Any]]:
        return self.page.evaluate(
            """(layers) => window.__map.queryRenderedFeatures({layers: layers.filter(l => window.__map.getLayer(l))})
                 .map(f => ({id: f.id, layer: f.layer.id, props: f.properties}))""",
            layers,
        )

    def fly_to_unit(self, unit_id: int, level: int) -> None:
        self.page.evaluate("([id, level]) => window.__app.select(id, level, {fly: true})", [unit_id, level])
        self.page.wait_for_timeout(1000)
        self.wait_idle()

    def screenshot(self, name: str) -> None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))

    def project(self, lng: float, lat: float) -> tuple[float, float]:
        """Page coordinates of a point on the map."""
        x, y = self.page.evaluate(
            """([lng, lat]) => { const p = window.__map.project([lng, lat]);
                 const r = window.__map.getCanvas().getBoundingClientRect(); return [p.x + r.left, p.y + r.top]; }""",
            [lng, lat],
        )
        return x, y

    def lnglat(self, x: float, y: float) -> tuple[float, float]:
        """The map position under a page point."""
        lng, lat = self.page.evaluate(
            """([x, y]) => { const r = window.__map.getCanvas().getBoundingClientRect();
                 const p = window.__map.unproject([x - r.left, y - r.top]); return [p.lng, p.lat]; }""",
            [x, y],
        )
        return lng, lat


@pytest.fixture
def map_page(browser: Any, live_server: Any) -> Generator[MapPage, None, None]:
    # A clerk's browser in Chongqing: Chinese, on Beijing time.
    context = browser.new_context(viewport={"width": 1100, "height": 700}, locale="zh-CN", timezone_id="Asia/Shanghai")
    page = context.new_page()
    page.set_default_timeout(30_000)
    mp = MapPage(page, live_server.url)
    yield mp
    context.close()
    assert not mp.outside_requests, f"requests to outside hosts: {mp.outside_requests[:5]}"

