"""Consistency report of a subtree : at every level, for each parent and its children:
children outside the parent, overlaps between siblings, gaps (parent area no child covers, only
where children must tile the parent) and unmatched shared edges (GEOS coverage validation: edges of
neighbours that run together without identical vertices, or cross), each with geometry and size.

The whole subtree is read in one query as WKB and handled with vectorised shapely calls, so a
district with every level down to buildings takes seconds, not minutes.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

import numpy as np
import shapely
from django.db import connection

from .geometry import Metric, polygonal, to_geojson
from .models import AdminUnit
from .pipeline import coverage_expected, find_gaps

#: Neighbours' edges closer than this (metres) without matching are reported as unmatched.
EDGE_GAP_WIDTH_M = 0.5

SQL = """
SELECT id, parent_id, level, code, name, ST_AsBinary(geom)
FROM adminunits_adminunit
WHERE path LIKE %s AND geom IS NOT NULL
ORDER BY level, code
"""


def subtree_report(
    root: AdminUnit, *, include_geometry: bool = True, progress: Callable[[int, int], None] | None = None
) -> dict[str, Any]:
    with connection.cursor() as cur:
        cur.execute(SQL, [root.path.replace("%", r"\%").replace("_", r"\_") + "%"])
        rows = cur.fetchall()
    if not rows:
        return {"root": root.pk, "units_checked": 0, "summary": {}, "issues": []}
    ids = np.array([r[0] for r in rows])
    geoms = shapely.from_wkb([bytes(r[5]) for r in rows])
    by_id = {int(r[0]): i for i, r in enumerate(rows)}
    children: dict[int, list[int]] = defaultdict(list)
    for i, r in enumerate(rows):
        if r[1] is not None and r[1] in by_id:
            children[int(r[1])].append(i)
    issues: list[dict[str, Any]] = []
    parents = [p for p in children if rows[by_id[p]][2] >= root.level]
    for n, pid in enumerate(parents, 1):
        pi = by_id[pid]
        kids = np.array(children[pid])
        issues.extend(
            _check_family(int(pid), geoms[pi], ids[kids], geoms[kids], int(rows[pi][2]) + 1, include_geometry)
        )
        if progress and (n % 50 == 0 or n == len(parents)):
            progress(n, len(parents))
    summary: dict[str, dict[str, float]] = {}
    for it in issues:
        s = summary.setdefault(it["type"], {"count": 0, "area_m2": 0.0, "length_m": 0.0})
        s["count"] += 1
        s["area_m2"] = round(s["area_m2"] + it.get("area_m2", 0.0), 2)
        s["length_m"] = round(s["length_m"] + it.get("length_m", 0.0), 2)
    return {"root": root.pk, "units_checked": len(rows), "parents_checked": len(parents),
            "summary": summary, "issues": issues}


def _issue(kind: str, parent: int, units: list[int], geom: Any, metric: Metric, with_geom: bool) -> dict[str, Any]:
    it: dict[str, Any] = {"type": kind, "parent": parent, "units": units}
    if geom.geom_type in ("LineString", "MultiLineString"):
        it["length_m"] = round(metric.length(geom), 2)
    else:
        it["area_m2"] = round(metric.area(geom), 2)
    if with_geom:
        it["geometry"] = to_geojson(geom)
    return it


def _check_family(
    parent_id: int, parent: Any, ids: np.ndarray, kids: np.ndarray, level: int, with_geom: bool
) -> list[dict[str, Any]]:
    metric = Metric.for_geometry(parent)
    dust = metric.dust_deg2()
    out: list[dict[str, Any]] = []
    shapely.prepare(parent)
    # Children outside their parent.
    outside = ~shapely.covers(parent, kids)
    for i in np.nonzero(outside)[0]:
        rest = polygonal(shapely.difference(kids[i], parent), dust)
        if not rest.is_empty and metric.area(rest) >= 0.01:
            out.append(_issue("outside_parent", parent_id, [int(ids[i])], rest, metric, with_geom))
    # Overlapping siblings: intersecting pairs that do more than touch.
    tree = shapely.STRtree(kids)
    a, b = tree.query(kids, predicate="intersects")
    keep = a < b
    a, b = a[keep], b[keep]
    if len(a):
        inner = ~shapely.touches(kids[a], kids[b])
        for i, j in zip(a[inner], b[inner], strict=True):
            ov = polygonal(shapely.intersection(kids[i], kids[j]), dust)
            if not ov.is_empty and metric.area(ov) >= 0.01:
                out.append(_issue("overlap", parent_id, [int(ids[i]), int(ids[j])], ov, metric, with_geom))
    # Unmatched shared edges (only meaningful between neighbours: skip lone children).
    if len(kids) > 1 and len(a):
        edges = shapely.coverage_invalid_edges(kids, gap_width=metric.degrees(EDGE_GAP_WIDTH_M))
        for k in np.nonzero(~shapely.is_empty(edges) & ~shapely.is_missing(edges))[0]:
            out.append(_issue("unmatched_edge", parent_id, [int(ids[k])], edges[k], metric, with_geom))
    # Gaps where the children must tile the parent.
    if coverage_expected(level):
        for g in find_gaps(parent, shapely.union_all(kids), metric):
            gap = shapely.geometry.shape(g["geometry"])
            out.append(_issue("gap", parent_id, [], gap, metric, with_geom))
    return out
