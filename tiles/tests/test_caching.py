"""Caching follows edits: an edited area's tiles change at once, every other tile stays cached."""
from __future__ import annotations

import pytest
from django.db import connection
from places.models import Facility

from tiles import mvt

from .conftest import client_for, fetch, free_port, lonlat_to_tile

pytestmark = pytest.mark.django_db


@pytest.fixture
def renders(monkeypatch):
    """Counts real renders (cache misses)."""
    calls: list[tuple] = []
    real = mvt.render

    def counting(decl, parts, z, x, y, prefix, user):
        calls.append((decl.name, z, x, y))
        return real(decl, parts, z, x, y, prefix, user)

    monkeypatch.setattr(mvt, "render", counting)
    return calls


def _building_and_tile(demo, z=16):
    b = demo.community.children.first().children.filter(floors__isnull=False).first()
    c = b.geom.point_on_surface
    return b, (z, *lonlat_to_tile(c.x, c.y, z))


def _far_tile(demo, z=16):
    # A building tile two z12 cells (~16 km) east of the edited building: another version cell.
    _, (z, x, y) = _building_and_tile(demo, z)
    return z, x + 2 * (1 << (z - 12)), y


def _props(tile, fid):
    return next(f["properties"] for f in tile["building"]["features"] if f["id"] == fid)


def test_tile_changes_right_after_an_edit_and_others_stay_cached(demo, renders):
    user = client_for(demo.superuser)
    b, (z, x, y) = _building_and_tile(demo)
    fz, fx, fy = _far_tile(demo)
    near, far = f"/tiles/building/{z}/{x}/{y}.mvt", f"/tiles/building/{fz}/{fx}/{fy}.mvt"

    r1, t1 = fetch(user, near)
    f1 = user.get(far, HTTP_ACCEPT_ENCODING="gzip")
    assert len(renders) == 2
    r2, _ = fetch(user, near)
    user.get(far, HTTP_ACCEPT_ENCODING="gzip")
    assert len(renders) == 2  # both served from the cache
    assert r2["ETag"] == r1["ETag"]
    assert user.get(near, HTTP_IF_NONE_MATCH=r1["ETag"]).status_code == 304

    b.floors = (b.floors or 1) + 7
    b.height_m = b.floors * 3.0
    b.save()

    r3, t3 = fetch(user, near)
    assert r3["ETag"] != r1["ETag"]
    assert _props(t3, b.id)["floors"] == b.floors != _props(t1, b.id)["floors"]
    assert user.get(near, HTTP_IF_NONE_MATCH=r1["ETag"]).status_code == 200  # old ETag no longer matches
    f2 = user.get(far, HTTP_ACCEPT_ENCODING="gzip")
    assert f2["ETag"] == f1["ETag"]
    assert [c[1:] for c in renders].count((z, x, y)) == 2 and [c[1:] for c in renders].count((fz, fx, fy)) == 1


def test_raw_sql_writers_invalidate_too(demo):
    """The boundary pipeline and bulk imports write with SQL: the DB trigger still moves the version."""
    user = client_for(demo.superuser)
    b, (z, x, y) = _building_and_tile(demo)
    r1, _ = fetch(user, f"/tiles/building/{z}/{x}/{y}.mvt")
    with connection.cursor() as cur:
        cur.execute("UPDATE adminunits_adminunit SET floors = 77 WHERE id = %s", [b.id])
    r2, t2 = fetch(user, f"/tiles/building/{z}/{x}/{y}.mvt")
    assert r2["ETag"] != r1["ETag"] and _props(t2, b.id)["floors"] == 77


def test_boundary_edit_refreshes_low_zoom_simplified_tiles(demo):
    town = demo.other_town
    c = town.geom.point_on_surface
    z = 10
    x, y = lonlat_to_tile(c.x, c.y, z)
    path = f"/tiles/town/{z}/{x}/{y}.mvt"
    anon = client_for()
    r1, t1 = fetch(anon, path)
    before = next(f for f in t1["town"]["features"] if f["id"] == town.id)
    with connection.cursor() as cur:  # move the town's outline a little (as a reshape would)
        cur.execute("UPDATE adminunits_adminunit SET geom = ST_Multi(ST_Translate(geom, 0.01, 0)) WHERE id = %s",
                    [town.id])
    r2, t2 = fetch(anon, path)
    after = next(f for f in t2["town"]["features"] if f["id"] == town.id)
    assert r2["ETag"] != r1["ETag"]
    assert after["geometry"] != before["geometry"]


def test_new_place_shows_at_once(demo):
    c = demo.community.geom.point_on_surface
    x, y = lonlat_to_tile(c.x, c.y, 15)
    path = f"/tiles/facility/15/{x}/{y}.mvt"
    anon = client_for()
    assert anon.get(path).status_code == 204
    f = Facility.objects.create(unit=demo.community, name="测试服务站", category="elderly", geom=f"SRID=4490;POINT({c.x} {c.y})")
    resp, tile = fetch(anon, path)
    assert resp.status_code == 200 and [ft["id"] for ft in tile["facility"]["features"]] == [f.id]
    f.delete()
    assert anon.get(path).status_code == 204


def test_scopes_are_cached_separately(demo):
    b, (z, x, y) = _building_and_tile(demo, 15)
    path = f"/tiles/building/{z}/{x}/{y}.mvt"
    _, town_tile = fetch(client_for(demo.town_admin), path)
    _, neighbour_tile = fetch(client_for(demo.neighbour_staff), path)
    _, mine = fetch(client_for(demo.village_staff), path)
    assert b.id in {f["id"] for f in town_tile["building"]["features"]}
    assert b.id in {f["id"] for f in mine["building"]["features"]}
    assert b.id not in {f["id"] for f in neighbour_tile.get("building", {}).get("features", [])}


def test_seed_tiles_command_fills_the_cache(demo, renders, capsys):
    from django.core.management import call_command

    call_command("seed_tiles", "--unit", demo.community.code, "--zooms", "14-15", "--layers", "building,community")
    out = capsys.readouterr().out
    assert "seeded" in out and "100%" in out
    seeded = len(renders)
    assert seeded > 0
    b, (z, x, y) = _building_and_tile(demo, 15)
    resp, _ = fetch(client_for(demo.village_staff), f"/tiles/building/{z}/{x}/{y}.mvt")
    assert resp.status_code == 200 and len(renders) == seeded  # served from the seeded cache


def test_bulk_statements_invalidate_through_the_epoch_row(demo):
    """A statement touching > 5,000 rows bumps one epoch row per source instead of every cell."""
    c = demo.community.geom.point_on_surface
    x, y = lonlat_to_tile(c.x, c.y, 15)
    path = f"/tiles/facility/15/{x}/{y}.mvt"
    anon = client_for()
    assert anon.get(path).status_code == 204
    with connection.cursor() as cur:
        cur.execute(
            "INSERT INTO places_facility (unit_id, name, address, category, opening_hours, geom, created_at, updated_at)"
            " SELECT %s, 'bulk ' || i, '', 'other', '', ST_SetSRID(ST_MakePoint(%s, %s), 4490), now(), now()"
            " FROM generate_series(1, 5001) AS i",
            [demo.community.id, c.x, c.y],
        )
        cur.execute("SELECT count(*) FROM maptiles_tileversion WHERE source = 'place:facility' AND zc = -1")
        assert cur.fetchone()[0] == 1
    resp, tile = fetch(anon, path)
    assert resp.status_code == 200 and len(tile["facility"]["features"]) == 5001


def test_truncate_invalidates(demo):
    c = demo.community.geom.point_on_surface
    Facility.objects.create(unit=demo.community, name="将被清空", category="elderly", geom=f"SRID=4490;POINT({c.x} {c.y})")
    x, y = lonlat_to_tile(c.x, c.y, 15)
    path = f"/tiles/facility/15/{x}/{y}.mvt"
    assert client_for().get(path).status_code == 200
    with connection.cursor() as cur:
        cur.execute("SET CONSTRAINTS ALL IMMEDIATE")  # Django's deferred FK checks would block TRUNCATE
        cur.execute("TRUNCATE places_facility")
    assert client_for().get(path).status_code == 204


@pytest.mark.django_db(transaction=True)
def test_dead_persistent_connection_is_replaced(demo):
    """The tile view skips Django's per-request health check and retries once on a dead connection."""
    c = demo.community.geom.point_on_surface
    x, y = lonlat_to_tile(c.x, c.y, 14)
    anon = client_for()
    assert anon.get(f"/tiles/community/14/{x}/{y}.mvt").status_code == 200
    connection.ensure_connection()
    with connection.cursor() as cur:  # kill our own backend, as a server restart would
        cur.execute("SELECT pg_backend_pid()")
        pid = cur.fetchone()[0]
    import psycopg
    from django.conf import settings

    db = settings.DATABASES["default"]
    with psycopg.connect(host=db["HOST"], port=db["PORT"] or 5432, user=db["USER"], password=db["PASSWORD"],
                         dbname=connection.settings_dict["NAME"], autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])
    resp = anon.get(f"/tiles/community/14/{x}/{y + 1}.mvt")
    assert resp.status_code in (200, 204)


@pytest.fixture
def redis_cache(settings):
    """A private redis-server (installed by scripts/lib/setup.sh) as the default cache."""
    import shutil
    import subprocess
    import time

    if not shutil.which("redis-server"):
        pytest.skip("redis-server is not installed")
    port = free_port()
    proc = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                             "--appendonly", "no"], stdout=subprocess.DEVNULL)
    try:
        import redis

        client = redis.Redis(port=port)
        for _ in range(100):
            try:
                client.ping()
                break
            except redis.ConnectionError:
                time.sleep(0.05)
        from tiles import cache as tile_cache

        tile_cache._local.__dict__.clear()  # no connection or "down" mark from an earlier test
        settings.REDIS_URL = f"redis://127.0.0.1:{port}/0"
        settings.CACHES = {"default": {"BACKEND": "django_redis.cache.RedisCache",
                                       "LOCATION": f"redis://127.0.0.1:{port}/0", "TIMEOUT": None}}
        yield client
    finally:
        proc.terminate()
        proc.wait(10)


def test_tiles_are_cached_in_redis_as_plain_gzip(demo, renders, redis_cache):
    import gzip

    import mapbox_vector_tile

    user = client_for(demo.superuser)
    _, (z, x, y) = _building_and_tile(demo)
    path = f"/tiles/building/{z}/{x}/{y}.mvt"
    first, tile = fetch(user, path)
    second, _ = fetch(user, path)
    assert len(renders) == 1 and first.content == second.content
    keys = [k.decode() for k in redis_cache.keys("tile:mvt:building:*")]
    assert len(keys) == 1 and keys[0].endswith(f":{z}/{x}/{y}")
    stored = redis_cache.get(keys[0])
    assert stored == first.content  # the bytes as served: gzip, no pickling
    assert mapbox_vector_tile.decode(gzip.decompress(stored)) == tile
    assert 0 < redis_cache.ttl(keys[0]) <= 7 * 24 * 3600


def test_tiles_are_served_while_redis_is_down(demo, renders, redis_cache):
    user = client_for(demo.superuser)
    _, (z, x, y) = _building_and_tile(demo)
    path = f"/tiles/building/{z}/{x}/{y}.mvt"
    redis_cache.shutdown(nosave=True)
    first, tile = fetch(user, path)
    again, _ = fetch(user, path)
    assert first.status_code == again.status_code == 200 and "building" in tile
    assert len(renders) == 1  # the process's own memory level still serves it; nothing failed


def test_memory_level_keeps_the_most_recent_tiles_within_its_budget():
    from tiles.cache import MemoryLRU

    lru = MemoryLRU(budget=8000)
    for i in range(10):
        lru.put(f"k{i}", bytes(1000))
    assert lru.size <= 8000 and lru.get("k0") is None and lru.get("k9") is not None
    lru.get("k3")  # recently used: survives the next evictions
    lru.put("k10", bytes(1000))
    lru.put("k11", bytes(1000))
    assert lru.get("k3") is not None and lru.get("k4") is None
    lru.put("huge", bytes(5000))  # over an eighth of the budget: not kept
    assert lru.get("huge") is None and lru.get("k11") is not None
