"""The 村务公开逾期 map layer, declared by this module through the tiles registry: who may read it,
what a tile holds, and that a status change refreshes the tile at once (this module's triggers)."""
from __future__ import annotations

import datetime as dt
import gzip
from typing import Any

import mapbox_vector_tile
import pytest
from core.testing import Actors
from django.utils import timezone

from boundaries.models import AdminUnit
from publication import cadence
from publication.models import CadenceStatus, Post
from tiles.layers import get_layer

pytestmark = pytest.mark.django_db


def _tile_path(unit: AdminUnit, z: int = 14) -> str:
    import math

    p = unit.geom.point_on_surface
    n = 1 << z
    x = int((p.x + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(p.y))) / math.pi) / 2 * n)
    return f"/tiles/affairs_cadence/{z}/{x}/{y}.mvt"


def _features(resp: Any) -> dict[str, dict]:
    """Features of the tile by village code (empty for 204)."""
    if resp.status_code == 204:
        return {}
    assert resp.status_code == 200, resp.content
    body = gzip.decompress(resp.content) if resp.get("Content-Encoding") == "gzip" else resp.content
    layer = mapbox_vector_tile.decode(body).get("affairs_cadence", {"features": []})
    return {f["properties"]["code"]: f["properties"] for f in layer["features"]}


def _make_statuses(demo: Any) -> None:
    """The demo community overdue (nothing published), its neighbour on time."""
    Post.objects.filter(unit__in=[demo.community, demo.neighbour_community]).delete()
    Post(unit=demo.neighbour_community, channel="affairs", category="party", title="党务", state="published",
         audience_unit=demo.neighbour_community, published_at=timezone.now() - dt.timedelta(days=3)).save()
    cadence.refresh(AdminUnit.objects.filter(pk__in=[demo.community.pk, demo.neighbour_community.pk]))


def test_the_layer_is_declared_by_publication() -> None:
    layer = get_layer("affairs_cadence")
    assert layer is not None and layer.title == "村务公开逾期" and not layer.public
    assert "publication" in str(getattr(layer, "sql", "")).split("/")


def test_town_supervisor_sees_the_overdue_village(actors: Actors, demo: Any) -> None:
    _make_statuses(demo)
    c = actors.client("town_supervisor")
    assert "affairs_cadence" in {e["name"] for e in c.get("/tiles/").json()["layers"]}
    seen = _features(c.get(_tile_path(demo.community), HTTP_ACCEPT_ENCODING="gzip"))
    assert seen[demo.community.code]["status"] == "overdue"
    assert seen[demo.community.code]["rules"] == "一般事项至少每季度公布一次"
    assert "last_published" not in seen[demo.community.code]  # never published: no date
    seen = _features(c.get(_tile_path(demo.neighbour_community), HTTP_ACCEPT_ENCODING="gzip"))
    assert seen[demo.neighbour_community.code]["status"] == "ok"


def test_who_may_read_it(actors: Actors, demo: Any) -> None:
    _make_statuses(demo)
    path = _tile_path(demo.community)
    for name in ("resident", "anonymous"):
        c = actors.client(name)
        assert "affairs_cadence" not in {e["name"] for e in c.get("/tiles/").json()["layers"]}
        r = c.get(path)
        assert r.status_code == 403 and r.json()["code"] == "layer_forbidden", name
    # Staff of the neighbouring village see their own village only, never the one next door.
    assert demo.community.code not in _features(actors.client("neighbour_staff").get(path))
    assert demo.community.code in _features(actors.client("village_staff").get(path))
    assert demo.community.code not in _features(actors.client("other_town_admin").get(path))


def test_a_status_change_refreshes_the_tile(actors: Actors, demo: Any) -> None:
    _make_statuses(demo)
    c = actors.client("town_supervisor")
    path = _tile_path(demo.community)
    first = c.get(path)
    assert _features(first)[demo.community.code]["status"] == "overdue"
    assert c.get(path, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    Post(unit=demo.community, channel="affairs", category="party", title="党务", state="published",
         audience_unit=demo.community, published_at=timezone.now()).save()
    cadence.refresh(AdminUnit.objects.filter(pk=demo.community.pk))
    assert CadenceStatus.objects.get(unit=demo.community).overdue is False
    again = c.get(path, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 200 and again["ETag"] != first["ETag"]
    assert _features(again)[demo.community.code]["status"] == "ok"
