"""The per-process memo of versions and token users (tiles/watch.py) follows committed edits: a real
listener on the test database, real commits (transactional tests), real notifications."""
from __future__ import annotations

import threading

import psycopg
import pytest
from django.conf import settings
from django.db import connection
from rest_framework.authtoken.models import Token

from tiles import db, versions, watch

from .conftest import client_for, fetch, lonlat_to_tile, until

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def listener(monkeypatch):
    monkeypatch.setattr(watch, "KEEPALIVE", 0.2)
    stop = threading.Event()
    thread = threading.Thread(target=watch.listen_forever, args=(stop,), daemon=True)
    thread.start()
    assert until(lambda: watch.memo.live), "listener did not connect"
    yield thread
    stop.set()
    thread.join(5)
    watch.memo.invalidate(live=False)  # other tests run inside transactions: no memo for them


@pytest.fixture
def queries(monkeypatch):
    """Counts the tile path's database reads."""
    calls: list[str] = []
    real = db.fetchone

    def counting(sql, params, **kwargs):
        calls.append(sql)
        return real(sql, params, **kwargs)

    monkeypatch.setattr(db, "fetchone", counting)
    return calls


def _building(demo):
    return demo.community.children.first().children.filter(floors__isnull=False).first()


def test_memo_answers_until_an_edit_commits_then_reads_again(demo, listener, queries):
    b = _building(demo)
    c = b.geom.point_on_surface
    z, (x, y) = 16, lonlat_to_tile(c.x, c.y, 16)
    v1 = versions.tile_version(("unit:5",), z, x, y)
    assert len(queries) == 1
    assert versions.tile_version(("unit:5",), z, x, y) == v1 and len(queries) == 1  # from the memo

    b.floors = (b.floors or 1) + 3
    b.save(update_fields=["floors"])  # commits: the version trigger notifies
    assert until(lambda: watch.memo.get(("v", ("unit:5",), versions.cell_for(z, x, y))) is None)
    assert versions.tile_version(("unit:5",), z, x, y) > v1

    # End to end through the lane: the edited attribute is in the next tile.
    _, tile = fetch(client_for(demo.superuser), f"/tiles/building/{z}/{x}/{y}.mvt")
    assert next(f for f in tile["building"]["features"] if f["id"] == b.id)["properties"]["floors"] == b.floors


def test_a_deleted_token_is_refused_once_the_notification_arrives(demo, listener, queries):
    key = Token.objects.create(user=demo.village_staff).key
    c = _building(demo).geom.point_on_surface
    path = "/tiles/building/16/{}/{}.mvt".format(*lonlat_to_tile(c.x, c.y, 16))
    anon = client_for()
    assert anon.get(path, HTTP_AUTHORIZATION=f"Token {key}").status_code == 200
    n = len(queries)
    assert anon.get(path, HTTP_AUTHORIZATION=f"Token {key}").status_code == 200
    assert len(queries) == n  # user and version from the memo: no query at all
    Token.objects.filter(key=key).delete()
    assert until(lambda: anon.get(path, HTTP_AUTHORIZATION=f"Token {key}").status_code == 401)


def test_a_read_that_raced_a_notification_is_not_stored(demo, listener):
    epoch = watch.memo.epoch
    watch.memo.invalidate()  # a notification arrives while the read is under way
    watch.memo.put(("v", ("unit:5",), (12, 0, 0)), 1, epoch)
    assert watch.memo.get(("v", ("unit:5",), (12, 0, 0))) is None


def test_memo_is_unused_while_the_listener_is_down_and_back_after(demo, listener, queries):
    args = (("unit:3",), 14, 13300, 6800)
    versions.tile_version(*args)
    versions.tile_version(*args)
    assert len(queries) == 1
    dbs = settings.DATABASES["default"]
    with psycopg.connect(host=dbs["HOST"], port=dbs["PORT"] or 5432, user=dbs["USER"], password=dbs["PASSWORD"],
                         dbname=connection.settings_dict["NAME"], autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                      " WHERE application_name = %s AND datname = current_database()", [watch.APPLICATION_NAME])
    assert until(lambda: not watch.memo.live)
    versions.tile_version(*args)
    assert len(queries) == 2  # not trusted while down
    assert until(lambda: watch.memo.live)  # reconnected
    versions.tile_version(*args)
    versions.tile_version(*args)
    assert len(queries) == 3


def test_a_session_user_is_remembered_until_logout(demo, listener, django_assert_num_queries):
    c = client_for(demo.village_staff)
    b = _building(demo).geom.point_on_surface
    path = "/tiles/building/16/{}/{}.mvt".format(*lonlat_to_tile(b.x, b.y, 16))
    assert c.get(path).status_code == 200  # session, user, unit and expiry read once
    with django_assert_num_queries(0):
        assert c.get(path).status_code == 200
    c.logout()  # deletes the session row: the trigger notifies
    assert until(lambda: c.get(path).status_code == 403)


def test_generalisation_freshness_is_remembered_until_a_boundary_changes(demo, listener,
                                                                       django_assert_num_queries):
    from django.db.models import F

    from boundaries.models import AdminUnit
    from tiles import generalise

    generalise.ensure_fresh(3)
    with django_assert_num_queries(0):
        assert generalise.ensure_fresh(3) is False
    AdminUnit.objects.filter(pk=demo.community.pk).update(name=F("name"))  # committed: bumps the version
    assert until(lambda: watch.memo.get(("g", 3)) is None)
    assert generalise.ensure_fresh(3) is True  # rebuilt for the new version
