#!/usr/bin/env python
"""Benchmark of the boundary save pipeline and the consistency report (docs/boundaries.md).

    DATABASE_URL=postgis://smartcommunity:smartcommunity@127.0.0.1:5432/bench_b \\
        .venv/bin/python scripts/bench/boundaries.py [--runs 20] [--skip-consistency]

1. Save / preview: a 2,000-vertex community redrawn under a 20,000-vertex town that already holds
   40 communities (Voronoi cells with wiggly shared edges, about 1,400 vertices each). The drawing is a slightly noisy copy of the free slot
   that pokes past the town edge and over both neighbours, so every step (snap, clip, overlap
   removal, noding, coverage check, gaps) does real work. Synthetic units live under their own root
   (code 529900) and are rebuilt on every run.
2. Consistency report of the whole demo district (code 500112, all levels), as loaded by
   ``manage.py load_demo --scale default`` into the same database.
"""
from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# This file is called boundaries.py: keep its folder off the path so "boundaries" is the app.
sys.path = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
sys.path[:0] = [str(ROOT / "platform"), str(ROOT)]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("SECRET_KEY", "bench-only")
os.environ.setdefault("PII_ENCRYPTION_KEY", "bench-only")

import django  # noqa: E402

django.setup()

import numpy as np  # noqa: E402
import shapely  # noqa: E402
from accounts.models import User  # noqa: E402
from django.db import transaction  # noqa: E402
from shapely.geometry import Polygon  # noqa: E402

from boundaries import services  # noqa: E402
from boundaries.consistency import subtree_report  # noqa: E402
from boundaries.models import AdminUnit, BoundaryVersion  # noqa: E402

CX, CY = 106.70, 29.75  # inside Yubei's GK zone; its own root keeps it apart from the demo
R = 0.03  # ≈ 3 km
N_PARENT, N_SIBLINGS, N_CHILD = 20_000, 40, 2_000
M = 1 / 111_000


def wobbly_circle(n: int) -> Polygon:
    a = np.linspace(0, 2 * math.pi, n, endpoint=False)
    r = R * (1 + 0.03 * np.sin(7 * a) + 0.01 * np.sin(53 * a))
    return Polygon(np.column_stack([CX + r * np.cos(a) / math.cos(math.radians(CY)), CY + r * np.sin(a)]))


def tiling(parent: Polygon, n: int, seed: int = 7) -> list[Polygon]:
    """``n`` neighbouring cells covering the parent (Voronoi cells of random points), each edge
    densified to ~1,400 vertices per cell and made wiggly by a smooth displacement of every vertex
    (the same point moves the same way in both cells, so shared edges stay identical)."""
    rng = np.random.default_rng(seed)
    minx, miny, maxx, maxy = parent.bounds
    pts = []
    while len(pts) < n:
        p = (rng.uniform(minx, maxx), rng.uniform(miny, maxy))
        if parent.contains(shapely.Point(p)):
            pts.append(p)
    cells = shapely.get_parts(shapely.voronoi_polygons(shapely.multipoints(pts), extend_to=parent.envelope))
    cells = shapely.intersection(cells, parent)
    cells = shapely.coverage_clean(cells)
    per_cell = np.median([c.length for c in cells]) / 900
    cells = shapely.coverage_clean(shapely.segmentize(cells, per_cell))

    def wiggle(xy: np.ndarray) -> np.ndarray:
        k = 2 * math.pi / (R / 3)
        return xy + np.column_stack([np.sin(xy[:, 1] * k), np.cos(xy[:, 0] * k)]) * 5 * M

    boundary_xy = {tuple(c) for c in shapely.get_coordinates(parent).tolist()}

    def wiggle_inner(xy: np.ndarray) -> np.ndarray:
        keep = np.fromiter((tuple(c) in boundary_xy for c in xy.tolist()), dtype=bool, count=len(xy))
        out = wiggle(xy)
        out[keep] = xy[keep]  # vertices on the parent's edge stay on it
        return out

    cells = [shapely.make_valid(shapely.transform(c, wiggle_inner)) for c in cells]
    cells = shapely.coverage_clean(np.array(cells, dtype=object))
    assert all(shapely.is_valid(c) for c in cells) and shapely.coverage_is_valid(cells), "bench tiling is not clean"
    return list(cells)


def build() -> tuple[AdminUnit, AdminUnit, Polygon, User]:
    user, _ = User.objects.get_or_create(username="bench_boundaries", defaults={"is_superuser": True})
    old = AdminUnit.objects.filter(path__startswith="529900/")
    BoundaryVersion.objects.filter(unit__in=old).delete()
    for level in range(5, -1, -1):
        old.filter(level=level).delete()
    parent_poly = wobbly_circle(N_PARENT)
    with transaction.atomic():
        city = AdminUnit.objects.create(level=0, kind="city", code="529900", name="基准市")
        box = shapely.box(*shapely.buffer(parent_poly, 0.01).bounds)
        district = AdminUnit.objects.create(level=1, kind="district", code="529901", name="基准区", parent=city,
                                            geom=services.to_geos(box))
        town = AdminUnit.objects.create(level=2, kind="subdistrict", code="529901001", name="基准街道",
                                        parent=district, geom=services.to_geos(parent_poly))
        cells = tiling(parent_poly, N_SIBLINGS + 1)
        # The unit under test: a cell on the town's edge (so clipping has work to do).
        edge = shapely.boundary(parent_poly)
        slot_i = max(range(len(cells)), key=lambda i: shapely.length(shapely.intersection(shapely.boundary(cells[i]), edge)))
        wedges = [c for i, c in enumerate(cells) if i != slot_i] + [cells[slot_i]]
        for i, w in enumerate(wedges[:-1]):
            AdminUnit.objects.create(level=3, kind="community", code=f"529901001{i + 1:03d}", name=f"社区{i + 1}",
                                     parent=town, geom=services.to_geos(w))
        slot = wedges[-1]
        child = AdminUnit.objects.create(level=3, kind="community", code="529901001199", name="被测社区",
                                         parent=town, geom=services.to_geos(slot))
    return town, child, slot, user


def drawing(slot: Polygon, seed: int) -> Polygon:
    """A 2,000-vertex hand drawing of the slot: 1 m too big, 0.4 m of noise (snap, clip, overlap all work)."""
    rng = np.random.default_rng(seed)
    grown = shapely.buffer(slot, 1 * M, join_style="mitre")
    grown = max(shapely.get_parts(grown), key=lambda g: g.area)
    ring = shapely.segmentize(grown.exterior, grown.exterior.length / N_CHILD)
    ring = shapely.simplify(ring, 0) if shapely.get_num_coordinates(ring) > 4 * N_CHILD else ring
    xy = shapely.get_coordinates(ring)
    idx = np.linspace(0, len(xy) - 2, N_CHILD - 1).astype(int)
    xy = xy[idx] + rng.normal(0, 0.4 * M, (len(idx), 2))
    poly = Polygon(xy)
    if not poly.is_valid:  # noise can cross the narrow tip of the wedge: keep the main piece
        poly = max(shapely.get_parts(shapely.make_valid(poly)), key=lambda g: g.area if g.geom_type == "Polygon" else 0)
    return poly


CPU: dict[int, list[float]] = {}


def timeit(fn, runs: int) -> list[float]:
    """Wall-clock ms per call; the Python process's own CPU ms are kept in CPU (the shared 2-core
    machine's load inflates wall time, CPU time much less; the database's time is only in wall)."""
    out, cpu = [], []
    for _ in range(runs):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
    CPU[id(out)] = cpu
    return out


def summary(label: str, ms: list[float]) -> str:
    cpu = CPU.get(id(ms), [])
    extra = f"   python CPU median {statistics.median(cpu):6.1f} ms" if cpu else ""
    return (f"{label:34s} median {statistics.median(ms):7.1f} ms   p90 {np.percentile(ms, 90):7.1f} ms   "
            f"min {min(ms):6.1f} ms{extra}   (n={len(ms)})")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--skip-consistency", action="store_true")
    args = ap.parse_args()

    town, child, slot, user = build()
    n_sib = AdminUnit.objects.filter(parent=town).exclude(pk=child.pk).count()
    sib_vertices = [g.num_coords for g in AdminUnit.objects.filter(parent=town).exclude(pk=child.pk)
                    .values_list("geom", flat=True)]
    drawings = [drawing(slot, s) for s in range(4)]
    print(f"parent vertices {town.geom.num_coords}, siblings {n_sib} "
          f"(vertices median {int(statistics.median(sib_vertices))}), child vertices "
          f"{shapely.get_num_coordinates(drawings[0])}")
    geo = [shapely.geometry.mapping(d) for d in drawings]

    i = iter(range(10**9))
    preview = timeit(lambda: services.preview(user, None, geo[next(i) % 4], unit_id=child.pk), 3)
    preview = timeit(lambda: services.preview(user, None, geo[next(i) % 4], unit_id=child.pk), args.runs)
    rep = services.preview(user, None, geo[0], unit_id=child.pk).report
    print(f"report: moved {rep['vertices_moved']}, clipped {rep['clipped_m2']:.0f} m², overlap removed "
          f"{rep['overlap_removed_m2']:.0f} m², shared with {len(rep['shared_with'])}, "
          f"coverage valid {rep['coverage_valid']}")
    timeit(lambda: services.reshape_unit(user, child.pk, geo[next(i) % 4], reason="bench"), 3)
    save = timeit(lambda: services.reshape_unit(user, child.pk, geo[next(i) % 4], reason="bench"), args.runs)
    print(summary("preview (pipeline, no write)", preview))
    print(summary("save (lock + pipeline + write)", save))
    print(f"load average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")

    if not args.skip_consistency:
        district = AdminUnit.objects.filter(code="500112").first()
        if district is None:
            print("consistency: no demo district 500112 in this database (run load_demo --scale default)")
            return
        n = AdminUnit.objects.filter(path__startswith=district.path).count()
        runs = timeit(lambda: subtree_report(district, include_geometry=True), 3)
        rep = subtree_report(district, include_geometry=False)
        kinds = ", ".join(f"{k} {v['count']}" for k, v in sorted(rep["summary"].items())) or "none"
        print(summary(f"consistency of 500112 ({n} units)", runs))
        print(f"  issues: {kinds}")


if __name__ == "__main__":
    main()
