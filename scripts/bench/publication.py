#!/usr/bin/env python
"""Publication benchmark: a resident's home feed with 10,000 published items in the district.

    createdb -h 127.0.0.1 -U smartcommunity bench_pub
    export DATABASE_URL=postgis://smartcommunity:smartcommunity@127.0.0.1:5432/bench_pub
    python platform/manage.py migrate
    python platform/manage.py load_demo --scale tiny --no-population
    python scripts/bench/publication.py [--items 10000] [--samples 300]

Writes ``--items`` published posts spread over every village/community of the district (audiences:
70 % the village, 20 % its town, 10 % the district; 30 % 村务公开 across the categories), then asks
for the demo resident's home feed through the whole stack (Django middleware, token authentication,
DRF view, core.audiences query) — /api/publication/home/, the one request 民政易's home screen makes
(10 headlines, 5 notices, 5 村务公开), and each channel's list — and reports p50/p95/max in ms. Target: p95 < 50 ms. The bench posts are deleted
again unless --keep. Prints a table and writes var/bench/publication.json.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT / "platform"), str(ROOT)]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("SECRET_KEY", "bench-only")
os.environ.setdefault("PII_ENCRYPTION_KEY", "bench-pii-key")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
TAG = "[bench]"


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--items", type=int, default=10_000)
    ap.add_argument("--samples", type=int, default=300)
    ap.add_argument("--keep", action="store_true", help="leave the bench posts in the database")
    args = ap.parse_args()

    import django

    django.setup()
    from accounts.models import User
    from django.db import connection
    from django.utils import timezone
    from publication.models import Category, Post
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    from boundaries.levels import Level
    from boundaries.models import AdminUnit

    resident = User.objects.select_related("unit").filter(username__endswith="_resident").order_by("username").first()
    if resident is None:
        sys.exit("no demo resident: run `manage.py load_demo --scale tiny --no-population` first")
    district = AdminUnit.objects.get(code="500112")
    villages = list(AdminUnit.objects.filter(level=Level.COMMUNITY, path__startswith=district.path).select_related("parent"))
    rng = random.Random(2026)
    Post.objects.filter(title__startswith=TAG).delete()
    now = timezone.now()
    cats = list(Category.values)
    rows = []
    t0 = time.perf_counter()
    for i in range(args.items):
        v = rng.choice(villages)
        r = rng.random()
        audience = v if r < 0.7 else (v.parent if r < 0.9 else district)
        channel = "affairs" if rng.random() < 0.3 else rng.choice(["headline", "headline", "notice"])
        rows.append(Post(
            unit=v, state="published", review_unit=v, audience_unit=audience, audience_path=audience.path,
            channel=channel, column=rng.choice(["news", "updates"]) if channel == "headline" else "",
            category=rng.choice(cats) if channel == "affairs" else "", title=f"{TAG} {v.name}信息 {i}",
            summary="基准测试条目", body="<p>基准测试条目</p>",
            published_at=now - dt.timedelta(minutes=rng.uniform(1, 60 * 24 * 365)), pinned=rng.random() < 0.01,
        ))
    Post.objects.bulk_create(rows, batch_size=2000)
    with connection.cursor() as cur:
        cur.execute("ANALYZE publication_post")
    load_s = time.perf_counter() - t0
    in_district = Post.objects.filter(state="published", unit__path__startswith=district.path).count()
    covered = Post.objects.readable_by(resident).count()

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=resident)[0].key}")
    urls = ["/api/publication/home/", "/api/publication/feed/?channel=headline&limit=10",
            "/api/publication/feed/?channel=notice&limit=5", "/api/publication/feed/?channel=affairs&limit=20"]
    for u in urls:  # warm the connection and the caches
        assert client.get(u).status_code == 200
    results = {}
    for u in urls:
        times = []
        for _ in range(args.samples):
            t = time.perf_counter()
            resp = client.get(u)
            times.append((time.perf_counter() - t) * 1000)
            assert resp.status_code == 200
        results[u] = {"p50_ms": round(pct(times, 50), 2), "p95_ms": round(pct(times, 95), 2),
                      "max_ms": round(max(times), 2)}
    with open("/proc/loadavg") as f:
        load = f.read().split()[:3]
    plan = (Post.objects.readable_by(resident).filter(channel="headline").order_by("-pinned", "-published_at", "-id")[:11]
            .explain(analyze=True, buffers=True).splitlines())
    if not args.keep:
        Post.objects.filter(title__startswith=TAG).delete()

    out = {"items_written": args.items, "published_in_district": in_district, "readable_by_resident": covered,
           "resident": resident.username, "load_s": round(load_s, 1), "samples": args.samples, "loadavg": load, "results": results,
           "plan": plan}
    print(f"{args.items} items written in {load_s:.1f} s; {in_district} published in the district, "
          f"{covered} readable by {resident.username}")
    print(f"{'request':55} {'p50':>8} {'p95':>8} {'max':>8}  (ms)")
    for u, r in results.items():
        print(f"{u:55} {r['p50_ms']:8.2f} {r['p95_ms']:8.2f} {r['max_ms']:8.2f}")
    (ROOT / "var" / "bench").mkdir(parents=True, exist_ok=True)
    (ROOT / "var" / "bench" / "publication.json").write_text(json.dumps(out, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
