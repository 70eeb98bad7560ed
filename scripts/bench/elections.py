#!/usr/bin/env python
"""Elections benchmarks (docs/elections.md has the figures).

    python scripts/bench/elections.py import [--people 20000] [--database bench_elections]
    python scripts/bench/elections.py duplicates [--people 2200000] [--database bench_elections]
    python scripts/bench/elections.py tiles [--samples 300] [--database bench_elections]

Each uses its own database (created if missing: migrate + the tiny demo tree and accounts, no
population), rows generated with SQL ``generate_series``.

``import``: a community pool of N people (ages 0-95, 80 % 户籍 here, a few deprived of political
rights), then the pool import exactly as the job runs it (``roll.import_pool``: every person evaluated
by ``eligibility.evaluate``, the other rolls probed by ID hash, the eligible inserted) — and the
preview the clerk sees first (``roll.preview``). Target: import < 5 s for 20,000 people.

``duplicates``: a 2026 election in every village and community of the district and N voters spread over
them (the full-scale population: 2.2 M), 500 of them on two rolls; then the district-wide check
(``roll.duplicates``: one grouped scan of the ID-hash index) and the per-community probe the imports
make. Target: < 30 s over 2.2 M.

``tiles``: the supervision layer (``election_stage``) through the tile endpoint as the district's
administrator sees it: every tile at z8-z14 covering the district's communities, cold (after a change
of every election, so every tile is rendered) and warm (the cache). Target: p95 < 50 ms.

Results go to var/bench/elections-<what>.json.
"""
from __future__ import annotations

import argparse
import math
import statistics
import time
from typing import Any

from benchlib import log
from benchlib import prepare as prepare_db
from benchlib import save as save_as


def save(name: str, data: dict[str, Any]) -> None:
    save_as(f"elections-{name}", data)


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return round(xs[min(len(xs) - 1, int(round(p * (len(xs) - 1))))], 2)


def prepare(db: str) -> None:
    prepare_db(db, population=False)  # each benchmark writes the people it needs


def setup() -> Any:
    import django

    django.setup()
    from accounts.models import User

    return User


def clean(cur: Any) -> None:
    cur.execute("TRUNCATE elections_vetting, elections_candidate, elections_objection, elections_conflict, "
                "elections_voter, elections_event, elections_stop, elections_post, elections_election CASCADE")


def bench_import(args: argparse.Namespace) -> None:
    prepare(args.database)
    User = setup()
    import datetime as dt

    from django.db import connection
    from django.utils import timezone
    from elections import roll, services

    staff = User.objects.filter(username__endswith="_staff", unit__level=3).order_by("unit__code").first()
    unit = staff.unit
    n = args.people
    with connection.cursor() as cur:
        clean(cur)
        cur.execute("DELETE FROM population_person WHERE pool_id = %s", [unit.pk])
        log(f"generating {n} people in {unit.name}'s pool")
        cur.execute("""
            INSERT INTO population_person (name, id_hash, id_cipher, id_masked, region_code, birth_date, sex, ethnicity,
                phone_masked, hukou_code, hukou_address, pool_id, status, tags, added_by_community, political_status,
                relation_to_head, house_relation, created_at, updated_at)
            SELECT '居民' || i, sha256(('bench-import-' || i)::bytea), '\\x00'::bytea,
                   '500112********' || lpad((i %% 10000)::text, 4, '0'), '500112',
                   date '2026-12-20' - ((i * 7919) %% 34700) * interval '1 day', (1 + i %% 2)::text, '01', '',
                   CASE WHEN i %% 5 = 0 THEN '510100000000' ELSE %s END, '', %s, 'active',
                   CASE WHEN i %% 2000 = 7 THEN ARRAY['deprived_political_rights']::varchar[] ELSE '{}'::varchar[] END,
                   false, '13', '', '', now(), now()
            FROM generate_series(1, %s) AS i""", [unit.code, unit.pk, n])
        cur.execute("ANALYZE population_person")
    day = timezone.localdate() + dt.timedelta(days=40)
    e = services.create_election(staff, unit, round="2026", election_day=day)
    t0 = time.perf_counter()
    p = roll.preview(staff, e, limit=500)
    preview_s = time.perf_counter() - t0
    runs = []
    for _ in range(args.runs):
        with connection.cursor() as cur:
            cur.execute("DELETE FROM elections_voter WHERE election_id = %s", [e.pk])
        t0 = time.perf_counter()
        result = roll.import_pool(staff, e)
        runs.append(time.perf_counter() - t0)
        log(f"import: {result} in {runs[-1]:.2f} s")
    save("import", {"people": n, "eligible": p["eligible"], "excluded": p["excluded"], "registered": result["added"],
                    "preview_s": round(preview_s, 2), "import_s_best": round(min(runs), 2),
                    "import_s_median": round(statistics.median(runs), 2), "runs": len(runs), "target_s": 5})


def bench_duplicates(args: argparse.Namespace) -> None:
    prepare(args.database)
    setup()
    import datetime as dt

    from django.db import connection
    from elections import roll

    from boundaries.models import AdminUnit

    district = AdminUnit.objects.get(code="500112")
    n = args.people
    with connection.cursor() as cur:
        clean(cur)
        cur.execute("""
            INSERT INTO elections_election (unit_id, round, body, mode, election_day, stage, rule_province, rule_set,
                rule_version, calendar, committee, stopped, voters_count, created_at, updated_at)
            SELECT u.id, '2026', CASE WHEN u.kind = 'village' THEN 'village' ELSE 'residents' END, 'direct', %s,
                   'registration', '500000', '', '', '{}', '[]', false, 0, now(), now()
            FROM adminunits_adminunit u WHERE u.level = 3 AND u.path LIKE %s""", [dt.date(2026, 12, 20), district.path + "%"])
        cur.execute("SELECT array_agg(id ORDER BY id) FROM elections_election")
        ids = cur.fetchone()[0]
        log(f"generating {n} voters over {len(ids)} elections (500 on two rolls)")
        t0 = time.perf_counter()
        cur.execute("""
            INSERT INTO elections_voter (election_id, name, gender, birth_date, id_hash, id_masked, category, status,
                                         source, reason, acceptance, added_at)
            SELECT (%s::int[])[1 + (i %% %s)], '选民' || i, (1 + i %% 2)::text, date '1980-01-01',
                   sha256(('bench-voter-' || i)::bytea), '', 'hukou_resident', 'on_roll', 'pool', '', '', now()
            FROM generate_series(1, %s) AS i""", [ids, len(ids), n])
        cur.execute("""
            INSERT INTO elections_voter (election_id, name, gender, birth_date, id_hash, id_masked, category, status,
                                         source, reason, acceptance, added_at)
            SELECT (%s::int[])[1 + ((i + 7) %% %s)], '选民' || i, '1', date '1980-01-01',
                   sha256(('bench-voter-' || i)::bytea), '', 'hukou_resident', 'on_roll', 'pool', '', '', now()
            FROM generate_series(1, %s, %s) AS i""", [ids, len(ids), n, max(1, n // 500)])
        cur.execute("VACUUM ANALYZE elections_voter") if connection.get_autocommit() else cur.execute("ANALYZE elections_voter")
        log(f"rows written in {time.perf_counter() - t0:.1f} s")
    runs = []
    found: list[Any] = []
    for _ in range(args.runs):
        t0 = time.perf_counter()
        found = roll.duplicates("2026", district.path, limit=100_000)
        runs.append(time.perf_counter() - t0)
        log(f"district-wide check: {len(found)} people on two rolls in {runs[-1]:.2f} s")
    from elections.models import Election, Voter

    e = Election.objects.order_by("id").first()
    hashes = [bytes(h) for h in Voter.objects.filter(election=e).values_list("id_hash", flat=True)[:5000]]
    t0 = time.perf_counter()
    others = roll.on_other_rolls(e, hashes)
    probe = time.perf_counter() - t0
    save("duplicates", {"voters": n + len(found), "elections": len(ids), "people_on_two_rolls": len(found),
                        "check_s_best": round(min(runs), 2), "check_s_median": round(statistics.median(runs), 2),
                        "probe_5000_hashes_ms": round(probe * 1000, 1), "probe_found": len(others), "target_s": 30})


def tile_xy(lon: float, lat: float, z: int) -> tuple[int, int]:
    n = 1 << z
    return int((lon + 180) / 360 * n), int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)


def bench_tiles(args: argparse.Namespace) -> None:
    prepare(args.database)
    User = setup()
    from core.testing import token_client
    from django.db import connection
    from elections import demo
    from elections.models import Election

    from boundaries.models import AdminUnit

    if not Election.objects.exists() or args.reload:
        with connection.cursor() as cur:
            clean(cur)
        log(f"demo round: {demo.generate(seed=2026)}")
    admin = User.objects.get(username="yubei_admin")
    client = token_client(admin)  # the tile path authenticates by token or session, as browsers do
    tiles: set[tuple[int, int, int]] = set()
    points = [u.geom.point_on_surface for u in AdminUnit.objects.filter(level=3, code__startswith="500112").only("geom")]
    for z in range(8, 15):
        for p in points:
            tiles.add((z, *tile_xy(p.x, p.y, z)))
    tile_list = sorted(tiles)[: args.samples] if args.samples < len(tiles) else sorted(tiles)
    log(f"{len(tile_list)} tiles at z8-z14")
    cold: list[float] = []
    warm: list[float] = []
    sizes: list[int] = []
    for _ in range(args.passes):
        Election.objects.update(stopped=False)  # every election changed: every tile stale, rendered anew
        for z, x, y in tile_list:
            t0 = time.perf_counter()
            r = client.get(f"/tiles/election_stage/{z}/{x}/{y}.mvt", HTTP_ACCEPT_ENCODING="gzip")
            cold.append((time.perf_counter() - t0) * 1000)
            assert r.status_code in (200, 204), r.content
            sizes.append(len(r.content))
        for z, x, y in tile_list:
            t0 = time.perf_counter()
            client.get(f"/tiles/election_stage/{z}/{x}/{y}.mvt", HTTP_ACCEPT_ENCODING="gzip")
            warm.append((time.perf_counter() - t0) * 1000)
    save("tiles", {"tiles": len(tile_list), "passes": args.passes, "elections": Election.objects.count(),
                   "cold_p50_ms": pct(cold, 0.5), "cold_p95_ms": pct(cold, 0.95), "cold_max_ms": pct(cold, 1.0),
                   "warm_p50_ms": pct(warm, 0.5), "warm_p95_ms": pct(warm, 0.95),
                   "bytes_p50": int(statistics.median(sizes)), "target_p95_ms": 50,
                   "path": "Django test client (the whole middleware chain, not the WSGI fast lane)"})


def main() -> None:
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="what", required=True)
    a = sub.add_parser("import")
    a.add_argument("--people", type=int, default=20_000)
    a.add_argument("--runs", type=int, default=3)
    b = sub.add_parser("duplicates")
    b.add_argument("--people", type=int, default=2_200_000)
    b.add_argument("--runs", type=int, default=3)
    c = sub.add_parser("tiles")
    c.add_argument("--samples", type=int, default=300)
    c.add_argument("--passes", type=int, default=2)
    c.add_argument("--reload", action="store_true")
    for p in (a, b, c):
        p.add_argument("--database", default="bench_elections")
    args = ap.parse_args()
    {"import": bench_import, "duplicates": bench_duplicates, "tiles": bench_tiles}[args.what](args)


if __name__ == "__main__":
    main()
