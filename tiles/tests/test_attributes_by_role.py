"""A tile never tells a reader more than the API does: for every standard actor whose jurisdiction
holds the building, the building layer carries the per-building resident count exactly when the
population API lets that actor read the building's residents."""
from __future__ import annotations

import pytest
from core.testing import ALL, Actors

from .conftest import client_for, fetch, lonlat_to_tile

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name", [a for a in ALL if a != "anonymous"])
def test_building_resident_count_follows_the_population_api(demo, name):
    actors = Actors(demo)
    building = demo.community.children.first().children.filter(floors__isnull=False).first()
    c = building.geom.point_on_surface
    x, y = lonlat_to_tile(c.x, c.y, 16)

    api = actors.client(name).get(f"/api/population/buildings/{building.id}/houses/")
    resp, tile = fetch(client_for(actors.user(name)), f"/tiles/building/16/{x}/{y}.mvt")
    assert resp.status_code in (200, 204), resp.content
    feature = next((f for f in tile.get("building", {}).get("features", []) if f["id"] == building.id), None)
    if feature is None:  # outside this actor's jurisdiction: neither the tile nor the API shows it
        assert api.status_code in (403, 404)
        return
    assert ("residents" in feature["properties"]) == (api.status_code == 200), (name, api.status_code)


def test_a_resident_and_a_clerk_of_one_village_get_different_tiles_from_the_cache(demo):
    """The tile cache is keyed by the attribute set too: the clerk's tile (with counts) is never
    served to the resident who asks next for the same tile."""
    actors = Actors(demo)
    building = demo.community.children.first().children.filter(floors__isnull=False).first()
    c = building.geom.point_on_surface
    x, y = lonlat_to_tile(c.x, c.y, 16)
    path = f"/tiles/building/16/{x}/{y}.mvt"
    _, staff_tile = fetch(client_for(actors.village_staff), path)
    _, resident_tile = fetch(client_for(actors.resident), path)
    staff = next(f for f in staff_tile["building"]["features"] if f["id"] == building.id)
    assert "residents" in staff["properties"]
    for f in resident_tile.get("building", {}).get("features", []):
        assert "residents" not in f["properties"]
