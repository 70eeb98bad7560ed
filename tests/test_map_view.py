"""The /map/ page: login required, serves the built client with its assets under STATIC_URL."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

DIST = Path(settings.REPO_DIR) / "frontend-map" / "dist"


@pytest.mark.django_db
def test_map_page_requires_login(client: Any) -> None:
    res = client.get("/map/")
    assert res.status_code == 302
    assert res["Location"] == "/accounts/login/?next=/map/"


@pytest.mark.django_db
@pytest.mark.skipif(not (DIST / "index.html").exists(), reason="frontend-map/dist not built")
def test_map_page_serves_the_built_client(client: Any, demo: Any) -> None:
    client.force_login(demo.village_staff)
    res = client.get("/map/")
    assert res.status_code == 200
    html = res.content.decode()
    # A module script and the MapLibre chunk, all from our own static files (no outside host).
    assert re.search(r'<script type="module"[^>]+src="/static/assets/index-[^"]+\.js"', html)
    assert re.search(r'href="/static/assets/maplibre-[^"]+\.js"', html)
    assert "http://" not in html and "https://" not in html
    assert "csrftoken" in res.cookies
    for asset in re.findall(r'(?:src|href)="/static/([^"]+)"', html):
        assert (DIST / asset).exists(), asset
    # The glyph ranges the style asks for are shipped.
    assert (DIST / "glyphs" / "Noto Sans Regular" / "0-255.pbf").stat().st_size > 10_000
