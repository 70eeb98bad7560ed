"""The boundary save pipeline as pure geometry (docs/boundaries.md). No database here.

make valid → snap to the parent's and siblings' vertices and edges within a tolerance → clip to
the parent → remove overlap with the existing siblings (they win) → node shared edges so both
sides carry the same vertices → check the parent's children as a coverage.

All geometry stays in EPSG:4490 so stored neighbours' vertices are reused exactly; metric values
come from ``geometry.Metric`` (the GK zone). Every step is a shapely (GEOS ≥ 3.12) operation.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import shapely
from core.errors import DomainError
from django.conf import settings
from shapely import STRtree
from shapely.geometry import MultiPolygon, Polygon, box

from .geometry import DUST_M2, Metric, check_polygonal, make_valid, polygonal, to_geojson

# Settings (config/settings.py): BOUNDARY_SNAP_TOLERANCE_M, metres by level of the unit being drawn
# (a few metres, finer further down); BOUNDARY_COVERAGE_LEVELS, the child levels that must tile their
# parent (compounds and buildings cover only part of theirs, so a remainder there is not a gap);
# BOUNDARY_MIN_GAP_M2, the smallest gap reported.
#: Tolerance (metres) of the noding step that puts each side's vertices on the other's shared edge.
NODE_TOLERANCE_M = 1e-4


def snap_tolerance_m(level: int) -> float:
    return float(settings.BOUNDARY_SNAP_TOLERANCE_M.get(int(level), 1.0))


def coverage_expected(level: int) -> bool:
    return int(level) in settings.BOUNDARY_COVERAGE_LEVELS


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


def _segment_coords(geoms: Sequence[Any]) -> np.ndarray:
    """All segments (n, 2, 2) of the rings/lines of some geometries."""
    out = []
    for g in geoms:
        if g is None or g.is_empty:
            continue
        for part in shapely.get_parts(g):
            lines = [part.exterior, *part.interiors] if isinstance(part, Polygon) else [part]
            for line in lines:
                c = shapely.get_coordinates(line)
                if len(c) > 1:
                    out.append(np.stack([c[:-1], c[1:]], axis=1))
    return np.concatenate(out) if out else np.empty((0, 2, 2))


def _vertices(geoms: Sequence[Any]) -> np.ndarray:
    """All vertices (duplicates kept: ring closures and shared edges repeat some, harmlessly)."""
    xy = [shapely.get_coordinates(g) for g in geoms if g is not None and not g.is_empty]
    return np.concatenate(xy) if xy else np.empty((0, 2))


def _missing(xy: np.ndarray, present: np.ndarray) -> np.ndarray:
    """Rows of ``xy`` that are not rows of ``present`` (exact comparison, as complex numbers)."""
    if not len(xy) or not len(present):
        return xy
    return xy[~np.isin(xy[:, 0] + 1j * xy[:, 1], present[:, 0] + 1j * present[:, 1])]


def _dedupe(geom: Any, tol: float) -> Any:
    """Drop repeated vertices; a ring that would collapse is left to make_valid instead."""
    try:
        return shapely.remove_repeated_points(geom, tol)
    except shapely.errors.GEOSException:
        return shapely.make_valid(geom, method="structure", keep_collapsed=False)


def _as_complex(xy: np.ndarray) -> np.ndarray:
    # Element-wise, not a matrix product: "@" would call multi-threaded BLAS for nothing.
    return xy[:, 0] + 1j * xy[:, 1]


def _unique_rows(xy: np.ndarray) -> np.ndarray:
    """Distinct coordinate pairs (a 1-D sort of complex numbers: much faster than axis=0)."""
    if not len(xy):
        return xy
    z = np.unique(xy[:, 0] + 1j * xy[:, 1])
    return np.column_stack([z.real, z.imag])


def _with_coordinates(geom: Any, xy: np.ndarray) -> Any:
    """A new geometry like ``geom`` with its coordinates replaced (inputs are never mutated)."""
    return shapely.transform(geom, lambda _old: xy)


def insert_points(geom: MultiPolygon, pts: np.ndarray, tol: float) -> MultiPolygon:
    """Insert each point into the nearest edge of ``geom`` within ``tol`` (in order along the edge).

    The point itself becomes the vertex (as GEOS's snapper does when it snaps segments), so a
    neighbour's vertex lying along our edge becomes a vertex of ours. Indexed (STRtree), so the
    cost grows with n log n instead of GEOS snapper's n × m.
    """
    if not len(pts) or geom.is_empty:
        return geom
    rings: list[np.ndarray] = []
    shape_of: list[tuple[int, int]] = []  # (polygon index, ring index within it)
    for pi, poly in enumerate(geom.geoms):
        for ri, ring in enumerate([poly.exterior, *poly.interiors]):
            rings.append(shapely.get_coordinates(ring))
            shape_of.append((pi, ri))
    seg_ring = np.concatenate([np.full(len(c) - 1, k) for k, c in enumerate(rings)])
    seg_idx = np.concatenate([np.arange(len(c) - 1) for c in rings])
    lines = shapely.linestrings(np.concatenate([np.stack([c[:-1], c[1:]], axis=1) for c in rings]))
    ppts = shapely.points(pts)
    (qi, li), _d = STRtree(lines).query_nearest(ppts, max_distance=tol, return_distance=True, all_matches=False)
    if not len(qi):
        return geom
    t = shapely.line_locate_point(lines[li], ppts[qi], normalized=True)
    inner = (t > 0) & (t < 1)
    qi, li, t = qi[inner], li[inner], t[inner]
    for k in np.unique(seg_ring[li]):
        sel = seg_ring[li] == k
        order = np.lexsort((t[sel], seg_idx[li[sel]]))
        at = seg_idx[li[sel]][order] + 1
        rings[k] = np.insert(rings[k], at, pts[qi[sel]][order], axis=0)
    polys: list[list[np.ndarray]] = [[] for _ in geom.geoms]
    for (pi, _ri), c in zip(shape_of, rings, strict=True):
        polys[pi].append(c)
    out = MultiPolygon([Polygon(r[0], r[1:]) for r in polys])
    if not shapely.is_valid(out):
        out = polygonal(shapely.make_valid(out, method="structure", keep_collapsed=False))
    return out


def _snap(geom: MultiPolygon, reference: Sequence[Any], tol: float) -> tuple[MultiPolygon, int]:
    """Snap to reference vertices, then to reference edges, then take in the reference vertices
    that lie along the new edges — all within ``tol`` (degrees).

    Vertex→vertex and vertex→edge use shapely's STRtree (nearest within a distance), so a
    20,000-vertex parent costs a tree query, not a scan. Taking in the reference vertices that lie
    along an edge (so the edge follows a neighbour's zig-zag instead of cutting across it) is GEOS's
    snapper, given only the few reference vertices near the edges and not yet present.
    """
    ref_xy = _vertices(reference)
    if not len(ref_xy) or tol <= 0:
        return geom, 0
    ref_xy = _unique_rows(ref_xy)  # shared edges list their vertices twice
    xy = shapely.get_coordinates(geom)
    new_xy = xy.copy()
    pts = shapely.points(xy)
    (gi, ri), dist = STRtree(shapely.points(ref_xy)).query_nearest(
        pts, max_distance=tol, return_distance=True, all_matches=False
    )
    new_xy[gi] = ref_xy[ri]
    rest = np.setdiff1d(np.arange(len(xy)), gi)
    segs = _segment_coords(reference)
    if len(rest) and len(segs):
        lines = shapely.linestrings(segs)
        (pi, li), d2 = STRtree(lines).query_nearest(pts[rest], max_distance=tol, return_distance=True,
                                                    all_matches=False)
        on = d2 > 0
        if on.any():
            near_lines = lines[li[on]]
            proj = shapely.line_interpolate_point(near_lines, shapely.line_locate_point(near_lines, pts[rest][pi[on]]))
            new_xy[rest[pi[on]]] = shapely.get_coordinates(proj)
    moved = int(np.count_nonzero((new_xy != xy).any(axis=1)))
    # Several vertices snapped onto one reference vertex become repeats: drop them before checking.
    snapped = _dedupe(_with_coordinates(geom, new_xy), 0.0)
    if not shapely.is_valid(snapped):
        snapped = shapely.make_valid(snapped, method="structure", keep_collapsed=False)
    snapped = polygonal(snapped)
    # Reference vertices along the new edges, not yet vertices of ours.
    cands = _missing(ref_xy, shapely.get_coordinates(snapped))
    snapped = insert_points(snapped, cands, tol)
    return snapped, moved


def merge_near_vertices(geom: MultiPolygon, reference: Sequence[Any], eps: float) -> MultiPolygon:
    """Replace vertices lying within ``eps`` of a reference vertex by that vertex, exactly.

    GEOS's snapper leaves a vertex alone when the ring already holds the snap point itself, so a
    projected vertex a few nanometres from a neighbour's vertex would survive as a near-duplicate
    and make the shared edges differ; this pass merges such pairs onto the neighbour's vertex.
    """
    ref_xy = _vertices(reference)
    minx, miny, maxx, maxy = geom.bounds
    ref_xy = ref_xy[(ref_xy[:, 0] >= minx - eps) & (ref_xy[:, 0] <= maxx + eps)
                    & (ref_xy[:, 1] >= miny - eps) & (ref_xy[:, 1] <= maxy + eps)]
    if not len(ref_xy):
        return geom
    ref_xy = _unique_rows(ref_xy)
    xy = shapely.get_coordinates(geom)
    # Only our vertices that are not already exactly a reference vertex can need merging.
    todo = np.nonzero(~np.isin(xy[:, 0] + 1j * xy[:, 1], ref_xy[:, 0] + 1j * ref_xy[:, 1]))[0]
    if not len(todo):
        return geom
    (gi, ri), dist = STRtree(shapely.points(xy[todo])).query_nearest(
        shapely.points(ref_xy), max_distance=eps, return_distance=True, all_matches=False
    )
    move = dist > 0
    if not move.any():
        return geom
    xy = xy.copy()
    xy[todo[gi[move]]] = ref_xy[ri[move]]
    merged = _dedupe(_with_coordinates(geom, xy), 0.0)
    if not shapely.is_valid(merged):
        merged = shapely.make_valid(merged, method="structure", keep_collapsed=False)
    return polygonal(merged)


def node_pair(a: Any, b: Any, eps: float) -> tuple[Any, Any, bool]:
    """Give two touching polygons the same vertices along their shared edge (shapes unchanged).

    Only vertices of one side lying on the other's edge (T-junctions) are inserted, through GEOS's
    snapper given just those points. Returns (a', b', b changed).
    """
    b_changed = False
    b_only = _near_missing(b, a, eps)
    if len(b_only):
        a = insert_points(polygonal(a), b_only, eps)
    a_only = _near_missing(a, b, eps)
    if len(a_only):
        b = insert_points(polygonal(b), a_only, eps)
        b_changed = True
    return a, b, b_changed


def _near_missing(src: Any, dst: Any, eps: float) -> np.ndarray:
    """Vertices of ``src`` lying on ``dst``'s boundary (within eps) that ``dst`` does not have."""
    xy = shapely.get_coordinates(src)
    minx, miny, maxx, maxy = dst.bounds
    inside = (xy[:, 0] >= minx - eps) & (xy[:, 0] <= maxx + eps) & (xy[:, 1] >= miny - eps) & (xy[:, 1] <= maxy + eps)
    dst_xy = shapely.get_coordinates(dst)
    xy = _missing(_unique_rows(xy[inside]), dst_xy)
    if not len(xy):
        return xy
    # One query with the whole boundary (shapely prepares it) against a tree of the candidates.
    hit = STRtree(shapely.points(xy)).query(shapely.boundary(dst), predicate="dwithin", distance=eps)
    return xy[np.unique(hit)]


def run_pipeline(
    geometry: Any,
    parent: Any,
    siblings: Sequence[Sibling],
    *,
    level: int,
    tolerance_m: float | None = None,
    check_coverage: bool = True,
    uncovered_deg2: tuple[float, float] | None = None,
    all_siblings: Callable[[], Sequence[Sibling]] | None = None,
) -> PipelineResult:
    """Run the pipeline for one child boundary. Raises DomainError for refused input.

    ``siblings`` may be only those near the drawing (the caller's bounding-box query): siblings
    farther away can neither overlap it nor share an edge with it. Gaps need the whole family:
    ``uncovered_deg2`` = (parent area, other siblings' area) in degrees² tells cheaply whether
    any gap exists, and only then ``all_siblings()`` is called to compute their geometry.
    """
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
    window = _window(geom, 2 * tol)
    window_box = box(*window)
    parent_local = polygonal(shapely.clip_by_rect(parent, *window))
    if parent_local.is_empty:
        _raise_outside(geom, parent, metric)
    near = [s for s in siblings if s.geom is not None and shapely.intersects(s.geom, window_box)]
    sib_local = [polygonal(shapely.clip_by_rect(s.geom, *window)) for s in near]

    # 1. snap
    geom, moved = _snap(geom, [parent_local, *sib_local], tol)
    if geom.is_empty:
        raise DomainError("empty_geometry", "边界吸附后面积为零，请重新绘制。")

    # 2. clip to the parent (a prepared "covers" test first: most drawings are already inside)
    shapely.prepare(parent_local)
    clipped_m2 = 0.0
    if not shapely.covers(parent_local, geom):
        inside = polygonal(shapely.intersection(geom, parent_local), dust)
        clipped_m2 = max(metric.area(geom) - metric.area(inside), 0.0)
        if inside.is_empty:
            _raise_outside(geom, parent, metric)
        geom = inside

    # 3. existing siblings win
    overlapping = [loc for loc in sib_local if shapely.intersects(geom, loc)]
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
    # intersection point nanometres from a projected vertex: collapse such near-duplicates and put
    # vertices that are practically a neighbour's vertex exactly on it; then insert each side's
    # T-junction vertices into the other. Shapes move by at most the node tolerance (0.1 mm).
    touch_local = [(s, loc) for s, loc in zip(near, sib_local, strict=True) if shapely.dwithin(geom, loc, eps)]
    touching = [s for s, _ in touch_local]
    geom = polygonal(_dedupe(geom, eps), dust)
    geom = merge_near_vertices(geom, [*[loc for _, loc in touch_local], parent_local], eps)
    noded: dict[int, MultiPolygon] = {}
    current = {s.id: polygonal(s.geom) for s in touching}
    for s in touching:
        geom, new_s, changed = node_pair(geom, current[s.id], eps)
        if changed:
            current[s.id] = noded[s.id] = new_s
    local = np.array([*current.values(), geom], dtype=object)
    valid = bool(shapely.coverage_is_valid(local))
    if not valid and touching:
        # Rare degenerate contacts (a ring pinched at a point of the neighbour's edge...): GEOS's
        # coverage cleaner nodes the unit and its neighbours together, existing siblings first so any
        # residual sliver of overlap stays theirs.
        cleaned = shapely.coverage_clean(local, snapping_distance=eps, merge_strategy="min_index")
        geom = polygonal(cleaned[-1], dust)
        for s, c in zip(touching, cleaned[:-1], strict=True):
            c = polygonal(c)
            if not shapely.equals_exact(shapely.normalize(c), shapely.normalize(polygonal(s.geom)), 0.0):
                current[s.id] = noded[s.id] = c
        local = np.array([*current.values(), geom], dtype=object)
        valid = bool(shapely.coverage_is_valid(local))
    if geom.is_empty:
        raise DomainError("covered_by_siblings", "所画范围已全部属于相邻的同级单位，去除重叠后没有剩余面积。")
    if not shapely.is_valid(geom):
        geom = polygonal(shapely.make_valid(geom, method="structure", keep_collapsed=False), dust)

    gz = _as_complex(shapely.get_coordinates(geom))
    shared_with = [
        s.id for s in touching
        if np.count_nonzero(np.isin(_as_complex(shapely.get_coordinates(current[s.id])), gz)) >= 2
    ]
    area_after = metric.area(geom)
    report: dict[str, Any] = {
        "area_before_m2": round(area_before, 2),
        "area_after_m2": round(area_after, 2),
        "vertices_moved": int(moved),
        "vertices": int(shapely.get_num_coordinates(geom)),
        "parts": len(geom.geoms),
        "clipped_m2": round(clipped_m2, 2),
        "overlap_removed_m2": round(overlap_m2, 2),
        "snap_tolerance_m": tol_m,
        "shared_with": shared_with,
        "noded_siblings": sorted(noded),
        "gaps": [],
        "gap_total_m2": None,
        "coverage_valid": valid,
        "invalid_edges": [],
    }
    if check_coverage:
        if not valid:
            report["invalid_edges"] = _invalid_edges(local, metric)
        if coverage_expected(level):
            min_gap = settings.BOUNDARY_MIN_GAP_M2
            uncovered = None
            if uncovered_deg2 is not None:
                uncovered = (uncovered_deg2[0] - uncovered_deg2[1] - float(shapely.area(geom))) * metric.m2_per_deg2
            if uncovered is None or uncovered >= min_gap:
                # Gaps next to this unit, first within the window around it (cheap); a gap that
                # reaches the window's edge may extend further, so then the whole family is used.
                local_children = [polygonal(shapely.clip_by_rect(noded.get(s.id, s.geom), *window)) for s in near]
                gaps, open_ended = _gaps_near(parent_local, [*local_children, geom], geom, window, metric, eps)
                if open_ended:
                    family = list(all_siblings()) if all_siblings is not None else list(siblings)
                    children = [noded.get(s.id, s.geom) for s in family if s.geom is not None] + [geom]
                    union = shapely.union_all(np.array(children, dtype=object))
                    gaps = [g for g in find_gaps(parent, union, metric)
                            if shapely.dwithin(shapely.geometry.shape(g["geometry"]), geom, eps * 10)]
                report["gaps"] = gaps
            if uncovered is not None:
                report["gap_total_m2"] = round(max(uncovered, 0.0), 2)
    return PipelineResult(geometry=geom, report=report, noded_siblings=noded)


def _window(geom: Any, margin: float) -> tuple[float, float, float, float]:
    minx, miny, maxx, maxy = geom.bounds
    return (minx - margin, miny - margin, maxx + margin, maxy + margin)


def _invalid_edges(children: np.ndarray, metric: Metric) -> list[dict[str, Any]]:
    out = []
    for e in shapely.coverage_invalid_edges(children):
        if e is not None and not e.is_empty:
            out.append({"geometry": to_geojson(e), "length_m": round(metric.length(e), 2)})
    return out


def _gaps_near(
    parent_local: Any, children: list[Any], focus: Any, window: tuple, metric: Metric, eps: float
) -> tuple[list[dict[str, Any]], bool]:
    min_gap = settings.BOUNDARY_MIN_GAP_M2
    rest = polygonal(shapely.difference(parent_local, shapely.union_all(np.array(children, dtype=object))))
    frame = shapely.boundary(box(*window))
    gaps: list[dict[str, Any]] = []
    open_ended = False
    for part in rest.geoms:
        if not shapely.dwithin(part, focus, eps * 10):
            continue
        a = metric.area(part)
        if a < max(min_gap, DUST_M2):
            continue
        if shapely.dwithin(part, frame, eps):
            open_ended = True
        gaps.append({"geometry": to_geojson(part), "area_m2": round(a, 2)})
    gaps.sort(key=lambda g: -g["area_m2"])
    return gaps, open_ended


def coverage_report(
    parent: Any, children: Sequence[Any], *, level: int, metric: Metric, focus: Any = None
) -> dict[str, Any]:
    """Coverage of a parent's children: validity, invalid edges, and gaps (when they must tile)."""
    arr = np.array(children, dtype=object)
    valid = bool(shapely.coverage_is_valid(arr)) if len(arr) else True
    invalid_edges = [] if valid else _invalid_edges(arr, metric)
    if focus is not None:
        invalid_edges = [e for e in invalid_edges
                         if shapely.dwithin(shapely.geometry.shape(e["geometry"]), focus, metric.degrees(1.0))]
    gaps: list[dict[str, Any]] = []
    if coverage_expected(level) and len(arr):
        union = shapely.coverage_union_all(arr) if valid else shapely.union_all(arr)
        gaps = find_gaps(parent, union, metric)
    return {"coverage_valid": valid, "invalid_edges": invalid_edges, "gaps": gaps}


def find_gaps(parent: Any, covered: Any, metric: Metric) -> list[dict[str, Any]]:
    min_gap = settings.BOUNDARY_MIN_GAP_M2
    rest = polygonal(shapely.difference(parent, covered))
    gaps: list[dict[str, Any]] = []
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
