"""Bad requests answer 400/401/403/404 with a JSON body, never a 500; TileJSON 3.0 documents."""
from __future__ import annotations

import pytest

from .conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path,status,code", [
    ("/tiles/nope/1/0/0.mvt", 404, "unknown_layer"),
    ("/tiles/building/23/0/0.mvt", 400, "zoom_out_of_range"),
    ("/tiles/building/-1/0/0.mvt", 400, "zoom_out_of_range"),
    ("/tiles/building/3/8/0.mvt", 400, "tile_out_of_range"),
    ("/tiles/building/3/0/-1.mvt", 400, "tile_out_of_range"),
    ("/tiles/building/a/b/c.mvt", 400, "invalid_tile"),
    ("/tiles/building/99999999999999999999999/0/0.mvt", 400, "zoom_out_of_range"),
    ("/tiles/building/14/1/1.png", 404, "unknown_format"),
    ("/tiles/terrain/3/9/0.png", 400, "tile_out_of_range"),
    ("/tiles/terrain/3/0/0.mvt", 404, "unknown_format"),
    ("/tiles/nope.json", 404, "unknown_layer"),
])
def test_bad_requests(demo, path, status, code):
    resp = client_for(demo.superuser).get(path)
    assert resp.status_code == status
    body = resp.json()
    assert body["code"] == code and body["detail"]


def test_forbidden_layer_for_anonymous(demo):
    for path in ("/tiles/building/14/0/0.mvt", "/tiles/building.json", "/tiles/event.json"):
        resp = client_for().get(path)
        assert resp.status_code == 403 and resp.json()["code"] == "layer_forbidden"


def test_user_without_unit_reads_public_layers_only(demo, django_user_model):
    loner = django_user_model.objects.create_user("t_loner", password="x" * 12)
    c = client_for(loner)
    assert c.get("/tiles/district/0/0/0.mvt").status_code in (200, 204)
    resp = c.get("/tiles/building/14/0/0.mvt")
    assert resp.status_code == 403 and resp.json()["code"] == "no_jurisdiction"
    # The combined layer gives them its public parts only.
    from .conftest import fetch, lonlat_to_tile

    b = demo.community.children.first().children.first().geom.point_on_surface
    x, y = lonlat_to_tile(b.x, b.y, 15)
    resp, tile = fetch(c, f"/tiles/base/15/{x}/{y}.mvt")
    assert resp.status_code == 200 and "community" in tile and "building" not in tile
    assert {v["id"] for v in c.get("/tiles/base.json").json()["vector_layers"]} == {
        "district", "town", "community", "facility"}


def test_post_not_allowed(demo):
    assert client_for(demo.superuser).post("/tiles/district/0/0/0.mvt").status_code == 405


def test_tilejson_vector(demo):
    doc = client_for(demo.village_staff).get("/tiles/building.json").json()
    assert doc["tilejson"] == "3.0.0"
    assert doc["tiles"] == ["http://localhost/tiles/building/{z}/{x}/{y}.mvt"]
    assert doc["minzoom"] == 13 and doc["maxzoom"] >= 16
    assert [v["id"] for v in doc["vector_layers"]] == ["building"]
    assert {"floors", "height_m", "building_use", "residents"} <= set(doc["vector_layers"][0]["fields"])
    # Bounds: the user's own unit (the village), in degrees.
    minx, miny, maxx, maxy = doc["bounds"]
    ext = demo.community.geom.extent
    assert minx == pytest.approx(ext[0], abs=1e-5) and maxy == pytest.approx(ext[3], abs=1e-5)
    assert len(doc["center"]) == 3


def test_tilejson_base_lists_visible_parts(demo):
    anon = client_for().get("/tiles/base.json").json()
    staff = client_for(demo.village_staff).get("/tiles/base.json").json()
    assert {v["id"] for v in anon["vector_layers"]} == {"district", "town", "community", "facility"}
    assert {"building", "neighbourhood"} <= {v["id"] for v in staff["vector_layers"]}


def test_tilejson_terrain_declares_terrarium(demo):
    doc = client_for().get("/tiles/terrain.json").json()
    assert doc["encoding"] == "terrarium" and doc["tiles"][0].endswith("{z}/{x}/{y}.png")
    listing = {e["name"]: e for e in client_for().get("/tiles/").json()["layers"]}
    assert listing["terrain"]["type"] == "raster-dem" and listing["terrain"]["encoding"] == "terrarium"
