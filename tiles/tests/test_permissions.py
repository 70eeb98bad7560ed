"""Every tile is cut to the requester's jurisdiction (accounts.scoping); anonymous: public layers only."""
from __future__ import annotations

import pytest
from django.db import connection
from places import demo as places_demo

from .conftest import client_for, codes, fetch, lonlat_to_tile

pytestmark = pytest.mark.django_db


def _shared_edge_tile(a, b, z):
    """A tile over a point of the boundary two units share: it holds features of both."""
    with connection.cursor() as cur:
        cur.execute(
            "SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_PointOnSurface(ST_Intersection("
            "ST_Boundary(a.geom), ST_Buffer(b.geom, 0.00001))) AS p"
            " FROM adminunits_adminunit a, adminunits_adminunit b WHERE a.id = %s AND b.id = %s) q",
            [a.id, b.id],
        )
        lon, lat = cur.fetchone()
    return lonlat_to_tile(lon, lat, z)


def _units_in(decoded, layer, prefix_code):
    """Ids of the tile's features that lie in the subtree of the unit with this code."""
    from boundaries.models import AdminUnit

    ids = {f["id"] for f in decoded.get(layer, {}).get("features", [])}
    root = AdminUnit.objects.get(code=prefix_code)
    return set(AdminUnit.objects.subtree(root).filter(id__in=ids).values_list("id", flat=True))


@pytest.mark.parametrize("layer,z", [("building", 14), ("neighbourhood", 14), ("community", 13), ("base", 14)])
def test_village_user_never_gets_the_neighbouring_village(demo, layer, z):
    mine, theirs = demo.community, demo.neighbour_community
    x, y = _shared_edge_tile(mine, theirs, z)
    path = f"/tiles/{layer}/{z}/{x}/{y}.mvt"
    sub = "building" if layer == "base" else layer

    # The tile really holds both villages for someone who may see both (so the test can fail).
    _, full = fetch(client_for(demo.town_admin), path)
    assert _units_in(full, sub, mine.code) and _units_in(full, sub, theirs.code)

    _, tile = fetch(client_for(demo.village_staff), path)
    assert _units_in(tile, sub, mine.code)
    assert not _units_in(tile, sub, theirs.code)
    assert not _units_in(tile, "community", theirs.code)

    _, tile = fetch(client_for(demo.neighbour_staff), path)
    assert _units_in(tile, sub, theirs.code) and not _units_in(tile, sub, mine.code)


def test_village_user_sees_own_ancestors_as_context_but_no_sibling_town(demo):
    c = demo.community.geom.point_on_surface
    x, y = lonlat_to_tile(c.x, c.y, 11)
    _, tile = fetch(client_for(demo.village_staff), f"/tiles/town/11/{x}/{y}.mvt")
    assert codes(tile, "town") == {demo.town.code}
    _, tile = fetch(client_for(demo.village_staff), f"/tiles/district/11/{x}/{y}.mvt")
    assert codes(tile, "district") == {demo.district.code}


def test_places_are_scoped_too(demo):
    from places.models import PLACE_MODELS

    places_demo.generate([demo.community, demo.neighbour_community], seed=3)
    x, y = _shared_edge_tile(demo.community, demo.neighbour_community, 12)
    for layer, model in PLACE_MODELS.items():
        mine = set(model.objects.filter(unit=demo.community).values_list("id", flat=True))
        theirs = set(model.objects.filter(unit=demo.neighbour_community).values_list("id", flat=True))
        path = f"/tiles/{layer}/12/{x}/{y}.mvt"
        _, full = fetch(client_for(demo.town_admin), path)
        ids = {f["id"] for f in full[layer]["features"]}
        assert ids & mine and ids & theirs, layer
        _, tile = fetch(client_for(demo.village_staff), path)
        ids = {f["id"] for f in tile[layer]["features"]}
        assert ids & mine and not ids & theirs, layer


def test_anonymous_gets_only_public_layers(demo):
    c = demo.community.children.first().children.first().geom.point_on_surface
    x, y = lonlat_to_tile(c.x, c.y, 15)
    anon = client_for()
    for layer in ("building", "neighbourhood", "organisation", "resident_unit", "event"):
        resp = anon.get(f"/tiles/{layer}/15/{x}/{y}.mvt")
        assert resp.status_code == 403, layer
        assert resp.json()["code"] == "layer_forbidden"
    resp, tile = fetch(anon, f"/tiles/community/15/{x}/{y}.mvt")
    assert resp.status_code == 200 and tile["community"]["features"]
    assert resp["Cache-Control"].startswith("public")
    # The combined layer carries only its public parts for anonymous visitors.
    _, base = fetch(anon, f"/tiles/base/15/{x}/{y}.mvt")
    assert "community" in base and "building" not in base and "neighbourhood" not in base
    names = {entry["name"] for entry in anon.get("/tiles/").json()["layers"]}
    assert {"district", "town", "community", "facility", "base", "terrain", "hillshade"} <= names
    assert not names & {"building", "neighbourhood", "organisation", "resident_unit", "event", "imagery"}


def test_signed_in_layer_list_and_private_cache_control(demo):
    names = {e["name"] for e in client_for(demo.village_staff).get("/tiles/").json()["layers"]}
    assert {"building", "neighbourhood", "event", "base"} <= names
    c = demo.community.geom.point_on_surface
    x, y = lonlat_to_tile(c.x, c.y, 14)
    resp = client_for(demo.village_staff).get(f"/tiles/community/14/{x}/{y}.mvt")
    assert resp["Cache-Control"].startswith("private")
    assert "Cookie" in resp["Vary"]


def test_token_authentication(demo):
    from rest_framework.authtoken.models import Token

    token, _ = Token.objects.get_or_create(user=demo.village_staff)
    c = demo.community.children.first().children.first().geom.point_on_surface
    x, y = lonlat_to_tile(c.x, c.y, 15)
    resp, tile = fetch(client_for(), f"/tiles/building/15/{x}/{y}.mvt", HTTP_AUTHORIZATION=f"Token {token.key}")
    assert resp.status_code == 200 and tile["building"]["features"]
    resp = client_for().get(f"/tiles/building/15/{x}/{y}.mvt", HTTP_AUTHORIZATION="Token nope")
    assert resp.status_code == 401 and resp.json()["code"] == "invalid_token"
