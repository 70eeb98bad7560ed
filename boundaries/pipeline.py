"""The boundary save pipeline as pure geometry (DESIGN §3, issue 3 §2). No database here.

make valid → snap to the parent's and siblings' vertices and edges within a tolerance → clip to
the parent → remove overlap with the existing siblings (they win) → node shared edges so both
sides carry the same vertices → check the parent's children as a coverage.

All geometry stays in EPSG:4490 so stored neighbours' vertices are reused exactly; metric values
come from ``geometry.Metric`` (the GK zone). Every step is a shapely (GEOS ≥ 3.12) operation.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import shapely
from config.errors import DomainError
from django.conf import settings
from shapely import STRtree
from shapely.geometry import MultiLineString, MultiPolygon, box

from .geometry import DUST_M2, Metric, check_polygonal, make_valid, polygonal, to_geojson

#: Snap tolerance in metres by level of the unit being drawn (a few metres; finer further down).
DEFAULT_SNAP_TOLERANCE_M: dict[int, float] = {1: 10.0, 2: 5.0, 3: 3.0, 4: 1.0, 5: 0.5}
#: Child levels whose units must tile their parent (gaps are reported). Compounds and buildings
#: cover only part of their parent, so an uncovered remainder there is normal, not a gap.
DEFAULT_COVERAGE_LEVELS = (1, 2, 3)
#: Gaps smaller than this (m²) are not reported.
DEFAULT_MIN_GAP_M2 = 1.0
#: Tolerance (metres) of the noding step that puts each side's vertices on the other's shared edge.
NODE_TOLERANCE_M = 1e-4


def snap_tolerance_m(level: int) -> float:
    table = {**DEFAULT_SNAP_TOLERANCE_M, **getattr(settings, "BOUNDARY_SNAP_TOLERANCE_M", {})}
    return float(table.get(int(level), 1.0))


def coverage_expected(level: int) -> bool:
    return int(level) in tuple(getattr(settings, "BOUNDARY_COVERAGE_LEVELS", DEFAULT_COVERAGE_LEVELS))


@dataclass
class Sibling:
    id: int
    geom: Any  # shapely (Multi)Polygon in EPSG:4490
    name: str = ""


@dataclass
class PipelineResult:
    geometry: MultiPolygon
    report: dict[str, Any]
    #: Siblings whose shared edge gained vertices of the new boundary (same shape, more vertices).
    noded_siblings: dict[int, MultiPolygon] = field(default_factory=dict)


def _linework(geoms: Sequence[Any]) -> list[Any]:
    lines: list[Any] = []
    for g in geoms:
        if g is not None and not g.is_empty:
            lines.extend(shapely.get_parts(shapely.boundary(g)))
    return lines


def _snap(geom: MultiPolygon, reference: list[Any], tol: float) -> tuple[MultiPolygon, int]:
    """Snap vertices to reference vertices, then to reference edges, within ``tol`` degrees.

    GEOS's snapper moves vertices onto reference vertices and inserts reference vertices into
    nearby segments; it does not move a vertex onto the middle of a reference edge, so the second
    pass projects the remaining near vertices onto their nearest reference line.
    """
    if not reference or tol <= 0:
        return geom, 0
    before = shapely.get_coordinates(geom)
    lines = shapely.get_parts(np.asarray(reference, dtype=object))
    lines = lines[~shapely.is_empty(lines)]
    if not len(lines):
        return geom, 0
    snapped = shapely.snap(geom, MultiLineString(list(lines)), tol)
    xy = shapely.get_coordinates(snapped)
    pts = shapely.points(xy)
    tree = STRtree(lines)
    idx, dist = tree.query_nearest(pts, max_distance=tol, return_distance=True, all_matches=False)
    move = dist > 0
    if move.any():
        pi, li = idx[0][move], idx[1][move]
        near_lines = tree.geometries[li]
        projected = shapely.line_interpolate_point(near_lines, shapely.line_locate_point(near_lines, pts[pi]))
        xy = xy.copy()
        xy[pi] = shapely.get_coordinates(projected)
        snapped = _with_coordinates(snapped, xy)
    old = {tuple(c) for c in before}
    moved = sum(1 for c in {tuple(c) for c in shapely.get_coordinates(snapped)} if c not in old)
    if not shapely.is_valid(snapped):
        snapped = shapely.make_valid(snapped, method="structure", keep_collapsed=False)
    return polygonal(snapped), moved


def _with_coordinates(geom: Any, xy: np.ndarray) -> Any:
    """A new geometry like ``geom`` with its coordinates replaced (inputs are never mutated)."""
    return shapely.transform(geom, lambda _old: xy)


def merge_near_vertices(geom: MultiPolygon, reference: Sequence[Any], eps: float) -> MultiPolygon:
    """Replace vertices lying within ``eps`` of a reference vertex by that vertex, exactly.

    GEOS's snapper leaves a vertex alone when the ring already holds the snap point itself, so a
    projected vertex a few nanometres from a neighbour's vertex would survive as a near-duplicate
    and make the shared edges differ; this pass merges such pairs onto the neighbour's vertex.
    """
    ref_xy = np.vstack([shapely.get_coordinates(r) for r in reference if r is not None and not r.is_empty] or
                       [np.empty((0, 2))])
    if not len(ref_xy):
        return geom
    xy = shapely.get_coordinates(geom)
    tree = STRtree(shapely.points(ref_xy))
    idx, dist = tree.query_nearest(shapely.points(xy), max_distance=eps, return_distance=True, all_matches=False)
    move = dist > 0
    if not move.any():
        return geom
    xy = xy.copy()
    xy[idx[0][move]] = ref_xy[idx[1][move]]
    merged = shapely.remove_repeated_points(_with_coordinates(geom, xy), 0.0)
    if not shapely.is_valid(merged):
        merged = shapely.make_valid(merged, method="structure", keep_collapsed=False)
    return polygonal(merged)


def node_pair(a: Any, b: Any, eps: float) -> tuple[Any, Any]:
    """Give two touching polygons the same vertices along their shared edge (shape unchanged)."""
    a2 = shapely.snap(a, b, eps)
    b2 = shapely.snap(b, a2, eps)
    return a2, b2


def run_pipeline(
    geometry: Any,
    parent: Any,
    siblings: Sequence[Sibling],
    *,
    level: int,
    tolerance_m: float | None = None,
    check_coverage: bool = True,
) -> PipelineResult:
    """Run the pipeline for one child boundary. Raises DomainError for refused input."""
    geom = check_polygonal(geometry)
    if parent is None or parent.is_empty:
        raise DomainError("parent_without_boundary", "上级单位还没有边界，请先绘制上级边界。")
    metric = Metric.for_geometry(parent)
    tol_m = snap_tolerance_m(level) if tolerance_m is None else tolerance_m
    tol = metric.degrees(tol_m)
    eps = metric.degrees(NODE_TOLERANCE_M)
    dust = metric.dust_deg2()

    geom = make_valid(geom)
    if geom.is_empty:
        raise DomainError("empty_geometry", "边界修复后为空（面积为零），请重新绘制。")
    area_before = metric.area(geom)

    # Only the parts of the parent and the siblings near the drawing matter: cut them to the
    # drawing's extent (plus the tolerance) so a 20,000-vertex parent costs what its nearby part costs.
    minx, miny, maxx, maxy = geom.bounds
    window = (minx - 2 * tol, miny - 2 * tol, maxx + 2 * tol, maxy + 2 * tol)
    window_box = box(*window)
    parent_local = polygonal(shapely.clip_by_rect(parent, *window))
    if parent_local.is_empty:
        _raise_outside(geom, parent, metric)
    near = [s for s in siblings if s.geom is not None and shapely.intersects(s.geom, window_box)]
    sib_local = [polygonal(shapely.clip_by_rect(s.geom, *window)) for s in near]

    # 1. snap
    reference = _linework([parent_local, *sib_local])
    geom, moved = _snap(geom, reference, tol)

    # 2. clip to the parent
    inside = polygonal(shapely.intersection(geom, parent_local), dust)
    clipped_m2 = max(metric.area(geom) - metric.area(inside), 0.0)
    if inside.is_empty:
        _raise_outside(geom, parent, metric)
    geom = inside

    # 3. existing siblings win
    overlapping = [s for s in sib_local if shapely.intersects(geom, s)]
    overlap_m2 = 0.0
    if overlapping:
        before = metric.area(geom)
        geom = polygonal(shapely.difference(geom, shapely.union_all(overlapping)), dust)
        overlap_m2 = max(before - metric.area(geom), 0.0)
        if geom.is_empty:
            raise DomainError(
                "covered_by_siblings", "所画范围已全部属于相邻的同级单位，去除重叠后没有剩余面积。",
                extra={"overlap_removed_m2": round(overlap_m2, 2)},
            )

    # 4. node: shared edges carry the same vertices on both sides. Overlay can leave an
    # intersection point nanometres from a projected vertex: collapse such near-duplicates, put
    # vertices that are practically a neighbour's vertex exactly on it, then let GEOS's coverage
    # cleaner node the new unit and its touching neighbours together (existing siblings first, so
    # any residual sliver of overlap stays theirs). Shapes move by at most the node tolerance.
    noded: dict[int, MultiPolygon] = {}
    touching = [(s, loc) for s, loc in zip(near, sib_local, strict=True) if shapely.dwithin(geom, loc, eps)]
    geom = polygonal(shapely.remove_repeated_points(geom, eps), dust)
    geom = merge_near_vertices(geom, [loc for _, loc in touching] + [parent_local], eps)
    # Parent vertices lying on the new edge too, so the edge can follow a later parent change.
    geom = polygonal(shapely.snap(geom, parent_local, eps))
    if touching:
        inputs = np.array([polygonal(s.geom) for s, _ in touching] + [geom], dtype=object)
        cleaned = shapely.coverage_clean(inputs, snapping_distance=eps, merge_strategy="min_index")
        geom = polygonal(cleaned[-1], dust)
        for (s, _), c in zip(touching, cleaned[:-1], strict=True):
            c = polygonal(c)
            if not shapely.equals_exact(shapely.normalize(c), shapely.normalize(polygonal(s.geom)), 0.0):
                noded[s.id] = c
    if geom.is_empty:
        raise DomainError("covered_by_siblings", "所画范围已全部属于相邻的同级单位，去除重叠后没有剩余面积。")
    if not shapely.is_valid(geom):
        geom = polygonal(shapely.make_valid(geom, method="structure", keep_collapsed=False), dust)

    shared_with = []
    for s, _ in touching:
        sg = noded.get(s.id, s.geom)
        if shapely.length(shapely.intersection(shapely.boundary(geom), shapely.boundary(sg))) > 0:
            shared_with.append(s.id)

    report: dict[str, Any] = {
        "area_before_m2": round(area_before, 2),
        "area_after_m2": round(metric.area(geom), 2),
        "vertices_moved": int(moved),
        "vertices": int(shapely.get_num_coordinates(geom)),
        "parts": len(geom.geoms),
        "clipped_m2": round(clipped_m2, 2),
        "overlap_removed_m2": round(overlap_m2, 2),
        "snap_tolerance_m": tol_m,
        "shared_with": shared_with,
        "noded_siblings": sorted(noded),
        "gaps": [],
        "coverage_valid": None,
        "invalid_edges": [],
    }
    if check_coverage:
        children = [noded.get(s.id, s.geom) for s in siblings if s.geom is not None] + [geom]
        report.update(coverage_report(parent, children, level=level, metric=metric, focus=geom))
    return PipelineResult(geometry=geom, report=report, noded_siblings=noded)


def coverage_report(
    parent: Any, children: Sequence[Any], *, level: int, metric: Metric, focus: Any = None
) -> dict[str, Any]:
    """Coverage of a parent's children: validity, invalid edges, and gaps (when they must tile).

    ``focus`` limits the invalid-edge listing to edges near that geometry (the one being saved).
    """
    arr = np.array(children, dtype=object)
    valid = bool(shapely.coverage_is_valid(arr)) if len(arr) else True
    invalid_edges: list[dict[str, Any]] = []
    if not valid:
        edges = shapely.coverage_invalid_edges(arr)
        for e in edges:
            if e is None or e.is_empty:
                continue
            if focus is not None and not shapely.dwithin(e, focus, metric.degrees(1.0)):
                continue
            invalid_edges.append({"geometry": to_geojson(e), "length_m": round(metric.length(e), 2)})
    gaps: list[dict[str, Any]] = []
    if coverage_expected(level) and len(arr):
        union = shapely.coverage_union_all(arr) if valid else shapely.union_all(arr)
        gaps = find_gaps(parent, union, metric)
    return {"coverage_valid": valid, "invalid_edges": invalid_edges, "gaps": gaps}


def find_gaps(parent: Any, covered: Any, metric: Metric) -> list[dict[str, Any]]:
    min_gap = float(getattr(settings, "BOUNDARY_MIN_GAP_M2", DEFAULT_MIN_GAP_M2))
    rest = polygonal(shapely.difference(parent, covered))
    gaps = []
    for part in rest.geoms:
        a = metric.area(part)
        if a >= max(min_gap, DUST_M2):
            gaps.append({"geometry": to_geojson(part), "area_m2": round(a, 2)})
    gaps.sort(key=lambda g: -g["area_m2"])
    return gaps


def _raise_outside(geom: Any, parent: Any, metric: Metric) -> None:
    dist_m = shapely.distance(geom, parent) * metric.m_per_deg
    raise DomainError(
        "outside_parent", f"所画边界完全在上级单位范围之外（相距约{dist_m:,.0f}米）。",
        extra={"distance_m": round(float(dist_m), 1)},
    )
