#!/usr/bin/env python
"""Population benchmark (targets in docs/population.md), against a database holding the full demo.

    createdb -h 127.0.0.1 -U smartcommunity bench_p
    export DATABASE_URL=postgis://smartcommunity:smartcommunity@127.0.0.1:5432/bench_p
    export SECRET_KEY=bench-only PII_ENCRYPTION_KEY=bench-pii-key   # the script's defaults
    python platform/manage.py migrate
    python platform/manage.py load_demo --scale full          # tree + 2.2 M people
    python scripts/bench/population.py [--samples 200]

Measures through the real API stack (DRF views, serializers, masking) with a district user:
transfer-in search by ID number and by name (p95 < 50 ms), a building's houses and residents
(< 20 ms), a 100,000-row .xlsx import (< 60 s; the rows are deleted afterwards), and the
statistics of every town (< 1 s). Prints a table and writes var/bench/population.json.
"""
from __future__ import annotations

import argparse
import io
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT / "platform"), str(ROOT)]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# The key the bench database was generated with (load_demo under the same environment).
os.environ.setdefault("SECRET_KEY", "bench-only")
os.environ.setdefault("PII_ENCRYPTION_KEY", "bench-pii-key")


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def timed(fn, n: int) -> list[float]:
    out = []
    for i in range(n):
        t0 = time.perf_counter()
        fn(i)
        out.append((time.perf_counter() - t0) * 1000)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--samples", type=int, default=200)
    ap.add_argument("--import-rows", type=int, default=100_000)
    ap.add_argument("--skip-import", action="store_true")
    args = ap.parse_args()

    import django

    django.setup()
    from accounts.models import User
    from django.conf import settings
    from django.db import connection
    from openpyxl import Workbook
    from population import spreadsheets
    from population.ids import check_digit
    from population.models import Person
    from rest_framework.test import APIClient

    from boundaries.models import AdminUnit, House

    settings.ALLOWED_HOSTS = ["*"]
    rnd = random.Random(1)
    user = User.objects.get(username="yubei_admin")
    client = APIClient()
    client.force_authenticate(user)
    total = Person.objects.count()
    print(f"people in the database: {total:,}")
    # The machine is shared: record its load so figures from different runs can be compared.
    results: dict[str, object] = {"people": total, "load_average_at_start": os.getloadavg()[0]}

    with connection.cursor() as cur:
        cur.execute("SELECT id FROM population_person TABLESAMPLE SYSTEM (1) LIMIT %s", [args.samples * 3])
        ids_ = [r[0] for r in cur.fetchall()]
    sample = list(Person.objects.filter(pk__in=rnd.sample(ids_, min(len(ids_), args.samples))))
    numbers = [p.id_number for p in sample]
    names = [p.name for p in sample]

    def search_id(i: int) -> None:
        r = client.post("/api/population/city-record/search/", {"id_number": numbers[i]}, format="json")
        assert r.status_code == 200 and len(r.json()["results"]) == 1, r.content

    def search_name(i: int) -> None:
        r = client.post("/api/population/city-record/search/", {"name": names[i]}, format="json")
        assert r.status_code == 200 and r.json()["results"], r.content

    search_id(0)  # warm the connection
    n = len(sample)
    for label, fn in (("transfer-in search by ID number", search_id), ("transfer-in search by name", search_name)):
        xs = timed(fn, n)
        results[label] = {"p50_ms": round(statistics.median(xs), 1), "p95_ms": round(pct(xs, 95), 1), "n": n}

    with connection.cursor() as cur:
        cur.execute("SELECT building_id FROM population_buildingresidents WHERE residents > 0")
        buildings = [r[0] for r in cur.fetchall()]
    bsample = rnd.sample(buildings, min(len(buildings), args.samples))
    sizes: list[int] = []

    def building(i: int) -> None:
        r = client.get(f"/api/population/buildings/{bsample[i]}/houses/")
        assert r.status_code == 200
        sizes.append(r.json()["resident_count"])

    xs = timed(building, len(bsample))
    results["building houses + residents"] = {
        "p50_ms": round(statistics.median(xs), 1), "p95_ms": round(pct(xs, 95), 1), "n": len(bsample),
        "residents_per_building_mean": round(statistics.mean(sizes), 1), "max": max(sizes),
    }

    # Jurisdiction search (not a target): the people list as the district user, median of 5.
    listing = {}
    for label, params in (("all", {}), ("name 2 chars", {"q": names[0][:2]}), ("surname", {"q": names[0][:1]}),
                          ("tag veteran", {"tag": "veteran"}), ("address", {"address": "五星路"}),
                          ("fuzzy name", {"q": names[1], "fuzzy": "true"})):
        xs = timed(lambda _i, p=params: client.get("/api/population/people/", p), 5)
        listing[label] = round(statistics.median(xs), 1)
    results["people list as district user (median ms)"] = listing

    towns = list(AdminUnit.objects.filter(level=2).order_by("code"))
    town_times = []
    for t in towns:
        t0 = time.perf_counter()
        r = client.get(f"/api/population/stats/{t.pk}/")
        town_times.append(((time.perf_counter() - t0) * 1000, r.json()["population"], t.name))
    worst = max(town_times)
    results["town statistics"] = {
        "p50_ms": round(statistics.median(x[0] for x in town_times), 1), "max_ms": round(worst[0], 1),
        "largest_town_population": max(x[1] for x in town_times), "slowest": worst[2], "n": len(towns),
    }
    t0 = time.perf_counter()
    district = AdminUnit.objects.get(level=1)
    client.get(f"/api/population/stats/{district.pk}/")
    results["district statistics (not a target)"] = {"ms": round((time.perf_counter() - t0) * 1000, 1)}

    if not args.skip_import:
        # The pool with the most demo houses; half the rows are placed in its houses.
        with connection.cursor() as cur:
            cur.execute("SELECT split_part(b.path, '/', 4) c, count(*) FROM adminunits_house h JOIN adminunits_adminunit b"
                        " ON b.id = h.building_id GROUP BY 1 ORDER BY 2 DESC LIMIT 1")
            pool = AdminUnit.objects.get(code=cur.fetchone()[0])
        houses = list(House.objects.filter(building__path__startswith=pool.path).select_related("building")[:20000])
        wb = Workbook(write_only=True)
        ws = wb.create_sheet()
        ws.append(["姓名", "身份证号", "民族", "联系电话", "户号", "与户主关系", "标签", "楼栋编码", "单元", "室号", "与房屋关系"])
        import datetime as dt

        base = dt.date(1950, 1, 1).toordinal()
        for i in range(args.import_rows):
            # Region 500228 (a retired county code) keeps these clear of the demo's numbers.
            bd = dt.date.fromordinal(base + i % 20000)
            first17 = f"500228{bd:%Y%m%d}{(i // 20000) * 2 + 801:03d}"
            h = houses[i % len(houses)] if houses and i % 2 == 0 else None
            ws.append([f"导入{i % 997}", first17 + check_digit(first17), "汉族", f"139{i:08d}", f"BENCH{i // 3}",
                       "户主" if i % 3 == 0 else "子", "", h.building.code if h else "", h.entrance if h else "",
                       h.room if h else "", "家庭成员" if h else ""])
        buf = io.BytesIO()
        wb.save(buf)
        size_mb = len(buf.getvalue()) / 1e6
        buf.seek(0)
        t0 = time.perf_counter()
        report = spreadsheets.import_workbook(buf, user=user, pool=pool, dry_run=False, reason="benchmark")
        took = time.perf_counter() - t0
        assert report.ok and report.written, report.as_dict()["errors"][:5]
        results[f"xlsx import {args.import_rows:,} rows"] = {"s": round(took, 1), "file_mb": round(size_mb, 1),
                                                             "placed_rows": args.import_rows // 2}
        with connection.cursor() as cur:
            cur.execute("DELETE FROM population_personevent WHERE person_id IN "
                        "(SELECT id FROM population_person WHERE region_code = '500228')")
            cur.execute("DELETE FROM population_person WHERE region_code = '500228'")
            cur.execute("DELETE FROM population_household WHERE number LIKE 'BENCH%%'")

    results["load_average_at_end"] = os.getloadavg()[0]
    print(json.dumps(results, ensure_ascii=False, indent=2))
    out = ROOT / "var" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    (out / "population.json").write_text(json.dumps(results, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
