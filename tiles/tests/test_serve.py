"""The production server (scripts/serve: granian, 2 processes, the tile lane, one version listener per
process) over the test database: an edit committed in this process shows in tiles served by the
other processes, and a deleted token is refused, as soon as PostgreSQL's notification arrives."""
from __future__ import annotations

import gzip
import os
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import mapbox_vector_tile
import pytest
from django.conf import settings
from django.db import connection
from rest_framework.authtoken.models import Token

from tiles import watch

from .conftest import free_port, lonlat_to_tile, until

pytestmark = pytest.mark.django_db(transaction=True)
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def server():
    port = free_port()
    db = settings.DATABASES["default"]
    url = (f"postgis://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
           f"/{connection.settings_dict['NAME']}")
    env = {**os.environ, "DATABASE_URL": url, "PORT": str(port), "DEBUG": "false", "ALLOWED_HOSTS": "127.0.0.1",
           "ACCESS_LOG": "0", "SERVER_LOG_LEVEL": "warning", "REDIS_URL": "", "WEB_WORKERS": "2"}
    proc = subprocess.Popen([str(ROOT / "scripts" / "serve")], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    try:
        for _ in range(300):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if proc.poll() is not None:
                    pytest.fail(f"scripts/serve exited: {proc.stderr.read().decode()[-2000:]}")
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(20)


def _get(url: str, token: str) -> tuple[int, bytes]:
    req = urllib.request.Request(url, headers={"Authorization": f"Token {token}", "Accept-Encoding": "gzip"})
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:  # a new connection: any server process
            body = resp.read()
            return resp.status, gzip.decompress(body) if resp.headers.get("Content-Encoding") == "gzip" else body
    except urllib.error.HTTPError as err:
        return err.code, err.read()


def test_edits_and_revoked_tokens_reach_every_server_process(demo, server):
    building = demo.community.children.first().children.filter(floors__isnull=False).first()
    c = building.geom.point_on_surface
    url = server + "/tiles/building/16/{}/{}.mvt".format(*lonlat_to_tile(c.x, c.y, 16))
    token = Token.objects.create(user=demo.village_staff).key

    def floors() -> int | None:
        status, body = _get(url, token)
        assert status == 200, body[:300]
        features = mapbox_vector_tile.decode(body)["building"]["features"]
        return next(f["properties"]["floors"] for f in features if f["id"] == building.id)

    for _ in range(6):  # both processes serve it, then answer from their memo and memory
        assert floors() == building.floors
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM pg_stat_activity WHERE application_name = %s AND datname = %s",
                    [watch.APPLICATION_NAME, connection.settings_dict["NAME"]])
        assert cur.fetchone()[0] >= 1  # the listeners are up

    building.floors += 5
    building.save(update_fields=["floors"])  # committed: the version trigger notifies every listener
    assert until(timeout=10.0, condition=lambda: all(floors() == building.floors for _ in range(6)))

    Token.objects.filter(key=token).delete()
    assert until(timeout=10.0, condition=lambda: all(_get(url, token)[0] == 401 for _ in range(6)))
