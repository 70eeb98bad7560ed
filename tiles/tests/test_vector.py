"""Every vector layer serves real, decodable MVT with feature ids and only its declared attributes."""
from __future__ import annotations

import gzip

import mapbox_vector_tile
import pytest
from django.db import connection
from places import demo as places_demo

from tiles.layers import vector_layers

from .conftest import client_for, codes, fetch, lonlat_to_tile

pytestmark = pytest.mark.django_db

# Personal data must never reach a tile.
FORBIDDEN = {"id_number", "phone", "id_cipher", "phone_cipher", "address", "birth_date", "person", "people"}


def _tile_over(unit, z):
    c = unit.geom.point_on_surface
    return lonlat_to_tile(c.x, c.y, z)


@pytest.fixture
def with_places(demo):
    places_demo.generate([demo.community, demo.neighbour_community], seed=7)


@pytest.mark.parametrize("layer,z", [
    ("district", 8), ("town", 10), ("community", 11), ("community", 14), ("neighbourhood", 15),
    ("building", 14), ("building", 16), ("facility", 15), ("organisation", 15), ("resident_unit", 15),
    ("event", 15),
])
def test_every_layer_decodes_with_ids_and_declared_attributes(demo, with_places, layer, z):
    unit = demo.community
    if layer in ("facility", "organisation", "resident_unit", "event"):
        from places.models import PLACE_MODELS

        p = PLACE_MODELS[layer].objects.filter(unit=unit).first().geom
        x, y = lonlat_to_tile(p.x, p.y, z)
    elif layer == "building":
        b = unit.children.first().children.first().geom.point_on_surface
        x, y = lonlat_to_tile(b.x, b.y, z)
    elif layer == "neighbourhood":
        x, y = _tile_over(unit.children.first(), z)
    else:
        x, y = _tile_over(unit, z)
    resp, tile = fetch(client_for(demo.superuser), f"/tiles/{layer}/{z}/{x}/{y}.mvt")
    assert resp.status_code == 200, resp.content
    assert resp["Content-Type"] == "application/vnd.mapbox-vector-tile"
    assert resp["Content-Encoding"] == "gzip"
    assert list(tile) == [layer]
    features = tile[layer]["features"]
    assert features
    allowed = set(vector_layers()[layer].declared_attributes_at(z))
    for f in features:
        assert isinstance(f["id"], int) and f["id"] > 0
        assert set(f["properties"]) <= allowed
        assert not (set(f["properties"]) & FORBIDDEN)
    assert tile[layer]["extent"] == 4096


def test_building_attributes_for_extrusion_and_resident_aggregate(demo):
    building = demo.community.children.first().children.filter(floors__isnull=False).first()
    c = building.geom.point_on_surface
    x, y = lonlat_to_tile(c.x, c.y, 16)
    _, tile = fetch(client_for(demo.superuser), f"/tiles/building/16/{x}/{y}.mvt")
    feat = next(f for f in tile["building"]["features"] if f["id"] == building.id)
    assert feat["properties"]["floors"] == building.floors
    assert feat["properties"]["height_m"] == pytest.approx(building.height_m)
    assert isinstance(feat["properties"]["residents"], int)
    # The count follows population_buildingresidents (an aggregate kept by a trigger on people).
    with connection.cursor() as cur:
        cur.execute("INSERT INTO population_buildingresidents (building_id, residents) VALUES (%s, 42)"
                    " ON CONFLICT (building_id) DO UPDATE SET residents = 42", [building.id])
    _, tile = fetch(client_for(demo.superuser), f"/tiles/building/16/{x}/{y}.mvt")
    feat = next(f for f in tile["building"]["features"] if f["id"] == building.id)
    assert feat["properties"]["residents"] == 42


def test_residents_left_out_in_the_internet_zone(demo, settings):
    settings.POPULATION_ENABLED = False
    c = demo.community.children.first().children.first().geom.point_on_surface
    x, y = lonlat_to_tile(c.x, c.y, 16)
    _, tile = fetch(client_for(demo.superuser), f"/tiles/building/16/{x}/{y}.mvt")
    assert tile["building"]["features"]
    assert all("residents" not in f["properties"] for f in tile["building"]["features"])


def test_base_combines_layers_in_one_tile(demo):
    c = demo.community.children.first().children.first().geom.point_on_surface
    x, y = lonlat_to_tile(c.x, c.y, 15)
    _, tile = fetch(client_for(demo.superuser), f"/tiles/base/15/{x}/{y}.mvt")
    assert {"district", "town", "community", "neighbourhood", "building"} <= set(tile)
    assert demo.community.code in codes(tile, "community")


def test_uncompressed_when_gzip_not_accepted(demo):
    x, y = _tile_over(demo.district, 9)
    resp = client_for().get(f"/tiles/district/9/{x}/{y}.mvt")
    assert resp.status_code == 200 and "Content-Encoding" not in resp
    assert mapbox_vector_tile.decode(resp.content)["district"]["features"]
    gz = client_for().get(f"/tiles/district/9/{x}/{y}.mvt", HTTP_ACCEPT_ENCODING="gzip, br")
    assert gzip.decompress(gz.content) == resp.content


def test_empty_tile_is_204_and_below_minzoom_too(demo):
    # Far out in the Pacific: nothing there.
    resp = client_for(demo.superuser).get("/tiles/building/14/1000/7000.mvt")
    assert resp.status_code == 204 and resp.content == b""
    assert resp["ETag"]
    x, y = _tile_over(demo.community, 5)
    assert client_for(demo.superuser).get(f"/tiles/building/5/{x}/{y}.mvt").status_code == 204


def test_low_zoom_uses_coverage_simplified_geometry_without_gaps(demo):
    import numpy as np
    import shapely

    x, y = _tile_over(demo.district, 9)
    # Towns: the demo's town level is an exact coverage (its community level is not edge-matched yet).
    resp, tile = fetch(client_for(), f"/tiles/town/9/{x}/{y}.mvt")
    assert resp.status_code == 200 and tile["town"]["features"]
    with connection.cursor() as cur:
        cur.execute("SELECT band, ST_AsBinary(geom_3857) FROM maptiles_generalisedunit WHERE level = 2 ORDER BY band, unit_id")
        rows = cur.fetchall()
        cur.execute("SELECT ST_AsBinary(geom_3857) FROM adminunits_adminunit WHERE level = 2 ORDER BY id")
        raw = shapely.from_wkb([bytes(r[0]) for r in cur.fetchall()])
    assert rows
    raw_vertices = shapely.get_num_coordinates(raw).sum()
    assert shapely.coverage_is_valid(raw)  # the demo's towns form a coverage (precondition)
    for band in sorted({r[0] for r in rows}):
        geoms = shapely.from_wkb([bytes(r[1]) for r in rows if r[0] == band])
        assert len(geoms) == len(raw)
        # Still a coverage (no overlaps, shared edges identical) and the union's holes did not grow.
        assert shapely.coverage_is_valid(geoms)
        holes_raw = shapely.get_num_interior_rings(shapely.get_parts(shapely.union_all(raw))).sum()
        holes_gen = shapely.get_num_interior_rings(shapely.get_parts(shapely.union_all(geoms))).sum()
        assert holes_gen <= holes_raw
        assert np.isclose(shapely.area(geoms).sum(), shapely.area(shapely.union_all(geoms)), rtol=1e-6)
        assert shapely.get_num_coordinates(geoms).sum() < raw_vertices
