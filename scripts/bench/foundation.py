#!/usr/bin/env python
"""Foundation benchmark: demo load time per scale and read-API latency, on a real PostGIS.

    createdb -h 127.0.0.1 -U smartcommunity bench_f
    export DATABASE_URL=postgis://smartcommunity:smartcommunity@127.0.0.1:5432/bench_f
    python platform/manage.py migrate
    python scripts/bench/foundation.py [--scales tiny,default] [--samples 30]

For each scale: ``load_demo --replace --no-population`` (wall time), then, through the real stack
(Django test client → DRF → scoping → PostGIS, token-authenticated), the median and p95 of the
requests the map and the home page make: towns/communities with and without geometry for the
district account, the district tree, the village's own subtree, buildings in a 1 km bbox.
Prints a table and writes var/bench/foundation.json. The database is replaced: never a real one.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT / "platform"), str(ROOT)]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("SECRET_KEY", "bench-only")
os.environ.setdefault("PII_ENCRYPTION_KEY", "bench-only")


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scales", default="tiny,default")
    ap.add_argument("--samples", type=int, default=30)
    args = ap.parse_args()

    import django

    django.setup()
    from accounts.models import User
    from django.core.management import call_command
    from django.test import Client
    from rest_framework.authtoken.models import Token

    from boundaries.models import AdminUnit

    results: dict[str, dict] = {}
    for scale in args.scales.split(","):
        t0 = time.perf_counter()
        call_command("load_demo", "--scale", scale, "--replace", "--no-population", stdout=open(os.devnull, "w"))
        load_s = time.perf_counter() - t0
        district = Token.objects.get_or_create(user=User.objects.get(username="yubei_admin"))[0].key
        village_user = User.objects.filter(username__endswith="_staff", unit__level=3).order_by("username").first()
        village = Token.objects.get_or_create(user=village_user)[0].key
        c = village_user.unit.geom.centroid
        bbox = f"{c.x - 0.005},{c.y - 0.005},{c.x + 0.005},{c.y + 0.005}"
        requests = {
            "district: 30 towns with geometry": (district, "/api/units/?level=2"),
            "district: 412 communities, no geometry": (district, "/api/units/?level=3&geometry=false&page_size=500"),
            "district: 412 communities with geometry": (district, "/api/units/?level=3&page_size=500"),
            "district: tree depth 2": (district, "/api/units/tree/?depth=2"),
            "village: own subtree": (village, "/api/units/?geometry=false&page_size=5000"),
            "village: buildings in 1 km bbox": (village, f"/api/units/?level=5&bbox={bbox}&page_size=5000"),
            "district: buildings in 1 km bbox": (district, f"/api/units/?level=5&bbox={bbox}&page_size=5000"),
            "/api/me/": (village, "/api/me/"),
        }
        rows = {}
        for label, (token, url) in requests.items():
            client = Client(HTTP_AUTHORIZATION=f"Token {token}", HTTP_HOST="localhost")
            r = client.get(url)
            assert r.status_code == 200, (url, r.status_code)
            size = len(r.content)
            times = []
            for _ in range(args.samples):
                t = time.perf_counter()
                client.get(url)
                times.append((time.perf_counter() - t) * 1000)
            rows[label] = {"median_ms": round(statistics.median(times), 1), "p95_ms": round(pct(times, 95), 1),
                           "bytes": size}
        results[scale] = {"load_s": round(load_s, 1), "units": AdminUnit.objects.count(), "requests": rows}
        print(f"\n{scale}: load_demo {load_s:.1f} s, {results[scale]['units']} units")
        print(f"  {'request':<42} {'median ms':>10} {'p95 ms':>8} {'bytes':>10}")
        for label, row in rows.items():
            print(f"  {label:<42} {row['median_ms']:>10} {row['p95_ms']:>8} {row['bytes']:>10}")
    out = ROOT / "var" / "bench" / "foundation.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, ensure_ascii=False, indent=2))
    print(f"\nwritten {out}")


if __name__ == "__main__":
    main()
