"""The supervision layer (换届选举进度), declared by this module through the tiles registry: the town
sees each community's stage, a stage change gives a new tile at once, residents are refused."""
from __future__ import annotations

import gzip
import math
from types import SimpleNamespace
from typing import Any

import mapbox_vector_tile
import pytest

from boundaries.models import AdminUnit
from elections import services
from elections.models import Election
from tiles.layers import get_layer

from .conftest import published

pytestmark = pytest.mark.django_db


def tile_path(unit: AdminUnit, z: int = 13) -> str:
    p = unit.geom.point_on_surface
    n = 1 << z
    x = int((p.x + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(p.y))) / math.pi) / 2 * n)
    return f"/tiles/election_stage/{z}/{x}/{y}.mvt"


def features(resp: Any) -> dict[str, dict[str, Any]]:
    if resp.status_code == 204:
        return {}
    assert resp.status_code == 200, resp.content
    body = gzip.decompress(resp.content) if resp.get("Content-Encoding") == "gzip" else resp.content
    layer = mapbox_vector_tile.decode(body).get("election_stage", {"features": []})
    return {f["properties"]["code"]: f["properties"] for f in layer["features"]}


def test_declared_by_elections() -> None:
    layer = get_layer("election_stage")
    assert layer is not None and not layer.public and "elections" in str(layer.sql).split("/")


def test_the_town_watches_the_stage_change(world: SimpleNamespace, election: Election, actors: Any) -> None:
    town = actors.client("town_supervisor")
    assert "election_stage" in {e["name"] for e in town.get("/tiles/").json()["layers"]}
    path = tile_path(world.a)
    seen = features(town.get(path, HTTP_ACCEPT_ENCODING="gzip"))
    assert seen[world.a.code]["stage"] == "registration" and seen[world.a.code]["stopped"] is False
    e = published(election, actors)
    seen = features(town.get(path, HTTP_ACCEPT_ENCODING="gzip"))
    assert seen[world.a.code]["stage"] == "roll_published"
    assert seen[world.a.code]["voters"] == e.voters_count == 8
    services.report_stop(actors.village_staff, e, kind="meeting_invalid", reason="会议无效")
    assert features(town.get(path))[world.a.code]["stopped"] is True
    # Cut to the jurisdiction; residents and anonymous visitors are refused.
    assert world.a.code not in features(actors.client("neighbour_staff").get(path))
    assert world.a.code not in features(actors.client("other_town_admin").get(path))
    for name in ("resident", "anonymous"):
        assert actors.client(name).get(path).status_code == 403
