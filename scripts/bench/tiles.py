"""Side-by-side tile benchmark (docs/tiles.md): (a) bare ST_AsMVT loop with psycopg, (b) TiPG under uvicorn,
(c) our /tiles/ endpoint under scripts/serve (granian, the production server) with production settings. Same PostGIS, same data
(the full-scale demo), the same fixed list of tiles z10-17 over the densest part of the district.

Fairness: all three use the same database settings (jit=off, max_parallel_workers_per_gather=0 set on
the database), MVT extent 4096, buffer 64, no feature cap, the same layer names and the same
attributes per zoom. The floor runs OUR composed SQL (the same scope prefix), so it is the database
cost of exactly the tiles we serve. z10-12 tiles read the community layer (our coverage-simplified
copy; TiPG reads raw geometry — it has no such table), z13-17 the building layer.
"""
from __future__ import annotations

import argparse
import json
import os
import queue
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
# Run as a script, this folder is sys.path[0], and its population.py, boundaries.py, ... would shadow
# the apps of the same names (their tiles/ layer declarations would then never be found).
if sys.path and Path(sys.path[0] or ".").resolve() == Path(__file__).resolve().parent:
    sys.path.pop(0)
sys.path[:0] = [str(ROOT / "platform"), str(ROOT)]  # as the wrapper's PYTHONPATH: runnable on its own
OUT = ROOT / "var" / "bench"
ZOOM_COUNTS = {10: 4, 11: 9, 12: 16, 13: 36, 14: 49, 15: 64, 16: 64, 17: 49}  # 291 tiles
WORLD_HALF = 20037508.342789244
WARM_PASSES = 5
USER = "yubei_admin"  # district admin: a real jurisdiction cut (prefix 500000/500112/)


def log(msg: str) -> None:
    print(f"[bench] {msg}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port: int, timeout: float = 60) -> None:
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"nothing listening on {port}")


def manage(*args: str, env: dict) -> None:
    subprocess.run([sys.executable, str(ROOT / "platform" / "manage.py"), *args], env=env, check=True)


# ---------------------------------------------------------------------------------------------- data
def prepare_database(env: dict, db: str) -> None:
    import psycopg

    admin = env["DATABASE_URL"].replace("postgis://", "postgresql://").rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as c:
        if not c.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db]).fetchone():
            c.execute(f'CREATE DATABASE "{db}"')
    manage("migrate", "--no-input", "-v", "0", env=env)
    with psycopg.connect(env["DATABASE_URL"].replace("postgis://", "postgresql://")) as c:
        n = c.execute("SELECT count(*) FROM adminunits_adminunit WHERE level = 5").fetchone()[0]
    if n < 100_000:
        log(f"{n} buildings: loading the full-scale demo (several minutes)")
        manage("load_demo", "--scale", "full", "--replace", env=env)
    manage("load_demo_places", "--if-empty", env=env)
    with psycopg.connect(env["DATABASE_URL"].replace("postgis://", "postgresql://"), autocommit=True) as c:
        c.execute(f'ALTER DATABASE "{db}" SET jit = off')
        c.execute(f'ALTER DATABASE "{db}" SET max_parallel_workers_per_gather = 0')
        # TiPG's views: the same rows and attributes as our layers (population/tiles/building.sql,
        # boundaries/tiles/boundary.sql).
        c.execute("CREATE SCHEMA IF NOT EXISTS bench_tipg")
        c.execute("""
          CREATE OR REPLACE VIEW bench_tipg.building AS
          SELECT u.id, u.geom_3857 AS geom, u.code, u.name, u.floors, u.height_m,
                 COALESCE(NULLIF(u.building_use, ''), 'other') AS building_use,
                 COALESCE(br.residents, 0) AS residents
          FROM adminunits_adminunit u LEFT JOIN population_buildingresidents br ON br.building_id = u.id
          WHERE u.level = 5 AND starts_with(u.path, '500000/500112/')""")
        c.execute("""
          CREATE OR REPLACE VIEW bench_tipg.community AS
          SELECT u.id, u.geom_3857 AS geom, u.code, u.name, u.level, u.kind, round(u.area_m2) AS area_m2
          FROM adminunits_adminunit u WHERE u.level = 3 AND u.level < 5
            AND (starts_with(u.path, '500000/500112/') OR starts_with('500000/500112/', u.path))""")
        c.execute("ANALYZE adminunits_adminunit")
    # A token for our endpoint (DRF token auth: one indexed lookup per request).
    import django

    django.setup()
    from accounts.models import User
    from rest_framework.authtoken.models import Token

    user = User.objects.get(username=USER)
    env["BENCH_TOKEN"] = Token.objects.get_or_create(user=user)[0].key
    env["BENCH_PREFIX"] = user.unit.path


def tile_list(dsn: str) -> list[tuple[str, int, int, int]]:
    """Fixed list: square blocks of tiles per zoom around the z14 tile holding the most buildings."""
    import psycopg

    size14 = 2 * WORLD_HALF / (1 << 14)
    with psycopg.connect(dsn) as c:
        x14, y14 = c.execute(
            "SELECT floor((ST_X(ST_Centroid(geom_3857)) + %(h)s) / %(s)s)::int AS x,"
            " floor((%(h)s - ST_Y(ST_Centroid(geom_3857))) / %(s)s)::int AS y"
            " FROM adminunits_adminunit WHERE level = 5 GROUP BY 1, 2 ORDER BY count(*) DESC, 1, 2 LIMIT 1",
            {"h": WORLD_HALF, "s": size14},
        ).fetchone()
    cx, cy = (x14 + 0.5) * size14 - WORLD_HALF, WORLD_HALF - (y14 + 0.5) * size14
    tiles = []
    for z, count in ZOOM_COUNTS.items():
        k = int(round(count ** 0.5))
        size = 2 * WORLD_HALF / (1 << z)
        tx, ty = int((cx + WORLD_HALF) / size), int((WORLD_HALF - cy) / size)
        layer = "community" if z < 13 else "building"
        for dx in range(-(k // 2), k - k // 2):
            for dy in range(-(k // 2), k - k // 2):
                tiles.append((layer, z, tx + dx, ty + dy))
    return tiles


# ------------------------------------------------------------------------------------------- runners
class Clients:
    """A producer's clients, kept across passes (persistent database connections, keep-alive sockets)
    as a real server and browser keep them: no pass pays for connecting."""

    def __init__(self, make):
        self.make, self.free = make, queue.SimpleQueue()

    def acquire(self):
        try:
            return self.free.get_nowait()
        except queue.Empty:
            return self.make()

    def release(self, fetch) -> None:
        self.free.put(fetch)


def run_clients(tiles, clients: Clients, concurrency: int):
    """Every tile once, spread over `concurrency` workers. Returns (seconds, latencies, bytes, statuses)."""
    q: queue.Queue = queue.Queue()
    for i, t in enumerate(tiles):
        q.put((i, t))
    lat = [0.0] * len(tiles)
    size = [0] * len(tiles)
    status: dict[int, int] = {}
    errors: list[str] = []

    def worker():
        fetch = clients.acquire()
        while True:
            try:
                i, t = q.get_nowait()
            except queue.Empty:
                clients.release(fetch)
                break
            t0 = time.perf_counter()
            try:
                code, n = fetch(t)
            except Exception as exc:  # noqa: BLE001 - report, don't hide
                errors.append(repr(exc))
                code, n = 599, 0
            lat[i] = time.perf_counter() - t0
            size[i] = n
            status[code] = status.get(code, 0) + 1

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    t0 = time.perf_counter()
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    elapsed = time.perf_counter() - t0
    if errors:
        log(f"{len(errors)} errors, first: {errors[0]}")
    return elapsed, lat, size, status, tiles


def floor_factory(dsn: str, prefix: str, prepared: bool = False):
    import django

    django.setup()
    import psycopg

    from tiles import generalise, mvt
    from tiles.layers import vector_layers

    for level in (1, 2, 3):
        generalise.ensure_fresh(level)
    statements = {}

    def factory():
        conn = psycopg.connect(dsn, autocommit=True)
        # Django binds parameters client-side (no prepared statements); psycopg's default prepares a
        # statement after 5 runs, and generic plans can differ: measure both.
        conn.prepare_threshold = 5 if prepared else None

        def fetch(t):
            layer, z, x, y = t
            key = (layer, z)
            if key not in statements:
                statements[key] = mvt.layer_statement(vector_layers()[layer], z, vector_layers()[layer].declared_attributes_at(z))
            row = conn.execute(statements[key], {
                "z": z, "x": x, "y": y, "prefix": prefix, "band": generalise.band_for_zoom(z)},
                binary=True).fetchone()
            data = bytes(row[0] or b"")
            return 200 if data else 204, len(data)

        return fetch

    return Clients(factory)


class KeepAlive:
    """A lean HTTP/1.1 keep-alive client: pre-built request bytes, minimal response parsing.

    http.client parses every header block with the email package, which at several thousand small
    responses a second costs more CPU than a warm tile does on the server, on the same two cores. This
    client costs a few microseconds a request, and TiPG and our endpoint are measured with it alike.
    """

    def __init__(self, port: int):
        self.port, self.sock, self.buf = port, None, b""

    def _connect(self) -> None:
        self.sock = socket.create_connection(("127.0.0.1", self.port), timeout=120)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""

    def _fill(self) -> None:
        chunk = self.sock.recv(262144)
        if not chunk:
            raise ConnectionError("server closed the connection")
        self.buf += chunk

    def get(self, request: bytes) -> tuple[int, bytes]:
        for attempt in (0, 1):
            try:
                if self.sock is None:
                    self._connect()
                self.sock.sendall(request)
                return self._response()
            except OSError:  # a keep-alive connection the server closed: reconnect once (GET is idempotent)
                if self.sock is not None:
                    self.sock.close()
                self.sock = None
                if attempt:
                    raise
        raise AssertionError("unreachable")

    def _response(self) -> tuple[int, bytes]:
        while (end := self.buf.find(b"\r\n\r\n")) < 0:
            self._fill()
        head, self.buf = self.buf[:end].decode("latin-1"), self.buf[end + 4:]
        lines = head.split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        fields = {k.strip().lower(): v.strip() for k, _, v in (ln.partition(":") for ln in lines[1:])}
        if "content-length" in fields:
            n = int(fields["content-length"])
            while len(self.buf) < n:
                self._fill()
            body, self.buf = self.buf[:n], self.buf[n:]
        elif fields.get("transfer-encoding", "").lower() == "chunked":
            body = self._chunked()
        else:  # 204/304 carry no body
            body = b""
        if fields.get("connection", "").lower() == "close":
            self.sock.close()
            self.sock = None
        return status, body

    def _chunked(self) -> bytes:
        out = []
        while True:
            while (eol := self.buf.find(b"\r\n")) < 0:
                self._fill()
            size = int(self.buf[:eol].split(b";")[0], 16)
            self.buf = self.buf[eol + 2:]
            while len(self.buf) < size + 2:
                self._fill()
            out.append(self.buf[:size])
            self.buf = self.buf[size + 2:]
            if size == 0:
                return b"".join(out)


def http_factory(port: int, url_for, headers: dict):
    extra = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    requests: dict = {}

    def request_for(t) -> bytes:
        if t not in requests:
            requests[t] = f"GET {url_for(t)} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n{extra}\r\n".encode()
        return requests[t]

    def factory():
        client = KeepAlive(port)

        def fetch(t):
            status, body = client.get(request_for(t))
            if status >= 400:
                raise RuntimeError(f"{status} {url_for(t)} {body[:200]!r}")
            return status, len(body)

        return fetch

    return Clients(factory)


def tipg_url(t):
    from tiles.layers import vector_layers

    layer, z, x, y = t
    props = ",".join(vector_layers()[layer].declared_attributes_at(z))
    return f"/collections/bench_tipg.{layer}/tiles/WebMercatorQuad/{z}/{x}/{y}?properties={props}"


PRODUCERS = ("floor (ST_AsMVT loop)", "floor, prepared statements", "TiPG", "ours cold", "ours warm")


def summarise_rounds(name: str, tiles, runs) -> dict:
    rates = sorted(len(r[1]) / r[0] for r in runs)
    lat_ms = np.concatenate([np.array(r[1]) * 1000 for r in runs])
    z15 = np.array([r[1][i] * 1000 for r in runs for i, t in enumerate(r[4]) if t[1] == 15])
    status: dict[int, int] = {}
    for r in runs:
        for k, v in r[3].items():
            status[k] = status.get(k, 0) + v
    return {
        "producer": name, "tiles": len(tiles), "rounds": len(runs),
        "tiles_per_s": round(float(np.median(rates)), 1), "tiles_per_s_all": [round(x, 1) for x in rates],
        "p50_ms": round(float(np.percentile(lat_ms, 50)), 1), "p95_ms": round(float(np.percentile(lat_ms, 95)), 1),
        "p99_ms": round(float(np.percentile(lat_ms, 99)), 1),
        "z15_p95_ms": round(float(np.percentile(z15, 95)), 1) if z15.size else None,
        "bytes": int(sum(runs[0][2][:len(tiles)])), "status": status,
    }


# ---------------------------------------------------------------------------------------------- main
def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", default=os.environ.get("BENCH_DB", "bench_t"))
    ap.add_argument("--concurrency", default="1,8")
    ap.add_argument("--workers", type=int, default=2, help="worker processes of our server and TiPG's uvicorn")
    ap.add_argument("--rounds", type=int, default=3, help="interleaved rounds; figures are medians")
    args = ap.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)

    base_url = os.environ.get("BENCH_PG", "postgis://smartcommunity:smartcommunity@127.0.0.1:5432")
    env = dict(os.environ)
    env.update({
        "DATABASE_URL": f"{base_url}/{args.db}", "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "false", "SECRET_KEY": env.get("SECRET_KEY", "bench-secret"),
        "PII_ENCRYPTION_KEY": env.get("PII_ENCRYPTION_KEY", "bench-pii-key"), "CONN_MAX_AGE": "600",
        "ALLOWED_HOSTS": "127.0.0.1,localhost", "LOG_LEVEL": "WARNING",
        "PYTHONPATH": f"{ROOT / 'platform'}:{ROOT}",
    })
    procs: list[subprocess.Popen] = []
    try:
        # A private Redis for the server cache (flushed before every cold run).
        redis_port = free_port()
        if shutil.which("redis-server") and not os.environ.get("BENCH_NO_REDIS"):  # set it to weigh Redis's share
            procs.append(subprocess.Popen(["redis-server", "--port", str(redis_port), "--save", "", "--appendonly",
                                           "no", "--bind", "127.0.0.1"], stdout=subprocess.DEVNULL))
            wait_port(redis_port)
            env["REDIS_URL"] = f"redis://127.0.0.1:{redis_port}/0"
        else:
            log("no Redis: each server process keeps its own cache (warm runs partly cold)")
        os.environ.update(env)
        prepare_database(env, args.db)
        dsn = env["DATABASE_URL"].replace("postgis://", "postgresql://")
        tiles = tile_list(dsn)
        log(f"{len(tiles)} tiles z10-17 around the densest z14 tile")
        load0 = tuple(round(v, 1) for v in os.getloadavg())

        ours_port, tipg_port = free_port(), free_port()
        procs.append(subprocess.Popen([str(ROOT / "scripts" / "serve")], env=dict(
            env, PORT=str(ours_port), WEB_WORKERS=str(args.workers), ACCESS_LOG="0", SERVER_LOG_LEVEL="warning")))
        tipg_env = dict(env, DATABASE_URL=dsn, TIPG_DB_SCHEMAS='["bench_tipg"]', TIPG_TILE_BUFFER="64",
                        TIPG_TILE_RESOLUTION="4096", TIPG_MAX_FEATURES_PER_TILE="1000000",
                        TIPG_SET_MVT_LAYERNAME="true", TIPG_DB_MAX_CONN_SIZE="8", TIPG_DB_SPATIAL_EXTENT="false",
                        TIPG_DB_DATETIME_EXTENT="false")
        procs.append(subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "tipg.main:app", "--host", "127.0.0.1", "--port", str(tipg_port),
             "--workers", str(args.workers), "--log-level", "warning"], env=tipg_env))
        wait_port(ours_port)
        wait_port(tipg_port)

        token = env["BENCH_TOKEN"]
        ours_headers = {"Authorization": f"Token {token}", "Accept-Encoding": "gzip"}
        ours = http_factory(ours_port, lambda t: f"/tiles/{t[0]}/{t[1]}/{t[2]}/{t[3]}.mvt", ours_headers)
        tipg = http_factory(tipg_port, tipg_url, {"Accept-Encoding": "gzip"})
        floor = floor_factory(dsn, env["BENCH_PREFIX"])
        floor_prepared = floor_factory(dsn, env["BENCH_PREFIX"], prepared=True)

        def flush():
            """Make every tile cold, in Redis and in each server process's memory: move every source's
            epoch version (what a bulk edit does), so every tile z >= 8 gets a new cache key; the
            version rows the low-zoom generalisation follows (zc = 0) stay, so nothing is rebuilt."""
            import psycopg

            with psycopg.connect(dsn, autocommit=True) as c:
                c.execute("INSERT INTO maptiles_tileversion (source, zc, cx, cy, version)"
                          " SELECT source, -1, 0, 0, nextval('maptiles_version_seq')"
                          " FROM (SELECT DISTINCT source FROM maptiles_tileversion) s"
                          " ON CONFLICT (source, zc, cx, cy) DO UPDATE SET version = EXCLUDED.version")
            if "REDIS_URL" in env:
                import redis

                redis.Redis.from_url(env["REDIS_URL"]).flushdb()  # free the old entries
            time.sleep(0.5)  # the servers' version listeners get the notification within milliseconds

        # Warm-up, not measured: every client and server connection open and used (catalogues, plans),
        # generalised tables built, as in a server that has been running for a while.
        concs = [int(c) for c in args.concurrency.split(",")]
        for fac in (floor, floor_prepared, tipg, ours):
            for _ in range(2):
                run_clients(tiles, fac, max(concs))
        flush()

        # Rounds interleave the producers, so load from other users of the machine hits all of them
        # alike; each figure is the median round (tiles/s) / pooled latencies.
        raw: dict[tuple[str, int], list] = {}
        for rnd in range(1, args.rounds + 1):
            for conc in concs:
                log(f"round {rnd}/{args.rounds}, concurrency {conc}")
                for name, fac in (("floor (ST_AsMVT loop)", floor), ("floor, prepared statements", floor_prepared),
                                  ("TiPG", tipg)):
                    raw.setdefault((name, conc), []).append(run_clients(tiles, fac, conc))
                flush()
                raw.setdefault(("ours cold", conc), []).append(run_clients(tiles, ours, conc))
                # A warm pass takes ~0.05 s: five make a measurement, and the first of them also fills each
                # server process's memory level from Redis (the cold pass filled the process that made it).
                raw.setdefault(("ours warm", conc), []).append(run_clients(tiles * WARM_PASSES, ours, conc))
                flush()
        results = [dict(summarise_rounds(name, tiles, runs), conc=conc) for (name, conc), runs in raw.items()]
        results.sort(key=lambda r: (r["conc"], list(PRODUCERS).index(r["producer"])))
        print_report(results, tiles)
        print(f"load average (1/5/15 min) at the start: {load0}, at the end: {tuple(round(v, 1) for v in os.getloadavg())}"
              f" on {os.cpu_count()} cores")
        (OUT / "tiles-results.json").write_text(json.dumps({"tiles": len(tiles), "results": results}, indent=1))
        return 0
    finally:
        for p in reversed(procs):
            p.send_signal(signal.SIGTERM)
        for p in procs:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()


def print_report(results, tiles) -> None:
    print(f"\n{len(tiles)} tiles per pass ({WARM_PASSES} passes per 'ours warm' measurement), median of {results[0]['rounds']} interleaved rounds; zooms 10-17 ({', '.join(f'z{z}: {n}' for z, n in ZOOM_COUNTS.items())})\n")
    print("bytes: raw MVT for the floors, gzip-compressed on the wire for TiPG and ours\n")
    print("| producer | conc | tiles/s (median) | rounds | p50 ms | p95 ms | p99 ms | z15 p95 ms | bytes |")
    print("|---|---:|---:|---|---:|---:|---:|---:|---:|")
    for r in results:
        print(f"| {r['producer']} | {r['conc']} | {r['tiles_per_s']} | {' / '.join(map(str, r['tiles_per_s_all']))} |"
              f" {r['p50_ms']} | {r['p95_ms']} | {r['p99_ms']} | {r['z15_p95_ms']} | {r['bytes']:,} |")
    print()
    for conc in sorted({r["conc"] for r in results}):
        by = {r["producer"]: r["tiles_per_s"] for r in results if r["conc"] == conc}
        # Against the faster of the two floors: the conservative ratio.
        f = max(by["floor (ST_AsMVT loop)"], by["floor, prepared statements"])
        t, c, w = by["TiPG"], by["ours cold"], by["ours warm"]
        print(f"concurrency {conc}: cold/floor = {c / f:.2f} (goal ≥ 0.8), cold/TiPG = {c / t:.2f} (goal ≥ 1), "
              f"warm/TiPG = {w / t:.1f} (goal ≥ 20)")


if __name__ == "__main__":
    sys.exit(main())
