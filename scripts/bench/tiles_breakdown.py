"""Where a tile's time goes, in one process (no HTTP server, no network client).

Runs the benchmark's fixed tile list (scripts/bench/tiles.py) through the production WSGI application
(config.wsgi: the tile lane) with token authentication, closing each response as a server does (that
stores fresh tiles), then the same tiles through the renderer alone, and the token+version lookup
alone (a database query: no listener runs yet, so no memo), then warm tiles again with this process's
version memo listening (tiles/watch.py), as in a server process. Compare with scripts/bench/tiles:
what the HTTP server and the client add is the difference between "lane cold" here and "ours cold"
there.

    BENCH_DB=bench_t .venv/bin/python scripts/bench/tiles_breakdown.py   # after scripts/bench/tiles loaded it
"""
from __future__ import annotations

import importlib.util
import io
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT / "platform"), str(ROOT)]
db = os.environ.get("BENCH_DB", "bench_t")
os.environ.update(
    DJANGO_SETTINGS_MODULE="config.settings", DEBUG="false", ALLOWED_HOSTS="*", REDIS_URL="",
    DATABASE_URL=os.environ.get("BENCH_PG", "postgis://smartcommunity:smartcommunity@127.0.0.1:5432") + f"/{db}",
)
os.environ.setdefault("SECRET_KEY", "bench-secret")
os.environ.setdefault("PII_ENCRYPTION_KEY", "bench-pii-key")

import django  # noqa: E402

django.setup()

from accounts.models import User  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402
from rest_framework.authtoken.models import Token  # noqa: E402

from tiles import cache as tile_cache  # noqa: E402
from tiles import mvt, versions, watch  # noqa: E402
from tiles.lane import TileLane  # noqa: E402
from tiles.layers import get_layer  # noqa: E402

_spec = importlib.util.spec_from_file_location("tiles_bench", ROOT / "scripts" / "bench" / "tiles.py")
tiles_bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(tiles_bench)  # type: ignore[union-attr]


def main() -> None:
    tiles = tiles_bench.tile_list(os.environ["DATABASE_URL"].replace("postgis://", "postgresql://"))
    user = User.objects.select_related("unit").get(username=tiles_bench.USER)
    token = Token.objects.get_or_create(user=user)[0].key
    lane = TileLane(get_wsgi_application())  # no listener: every request reads its version from the database

    def request(layer: str, z: int, x: int, y: int) -> None:
        environ = {"REQUEST_METHOD": "GET", "PATH_INFO": f"/tiles/{layer}/{z}/{x}/{y}.mvt", "HTTP_HOST": "127.0.0.1",
                   "HTTP_AUTHORIZATION": f"Token {token}", "HTTP_ACCEPT_ENCODING": "gzip",
                   "wsgi.input": io.BytesIO(), "wsgi.url_scheme": "http", "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "80"}
        lane(environ, lambda status, headers: None).close()

    n = len(tiles)
    for round_no in (1, 2, 3):
        cache.clear()
        tile_cache.clear_memory()
        t0 = time.perf_counter()
        for t in tiles:
            request(*t)
        t1 = time.perf_counter()
        for t in tiles:
            request(*t)
        t2 = time.perf_counter()
        for layer, z, x, y in tiles:
            decl = get_layer(layer)
            mvt.render(decl, [decl], z, x, y, user.unit.path, user)
        t3 = time.perf_counter()
        for layer, z, x, y in tiles:
            versions.token_user_and_version(token, get_layer(layer).sources, z, x, y)
        t4 = time.perf_counter()
        print(f"round {round_no}: ms per tile — lane cold {1000 * (t1 - t0) / n:.2f}, lane warm "
              f"{1000 * (t2 - t1) / n:.3f}, render only {1000 * (t3 - t2) / n:.2f}, "
              f"token+version query {1000 * (t4 - t3) / n:.3f} ({n} tiles)")
    watch.ensure_started()  # now with the version memo, as in a server process
    while not watch.memo.live:
        time.sleep(0.01)
    for t in tiles:
        request(*t)  # fills the memo
    for round_no in (1, 2, 3):
        t0 = time.perf_counter()
        for t in tiles:
            request(*t)
        print(f"with the memo, round {round_no}: lane warm {1000 * (time.perf_counter() - t0) / n:.3f} ms per tile")


if __name__ == "__main__":
    main()
