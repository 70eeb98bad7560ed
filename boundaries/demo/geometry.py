"""Deterministic geometry for the demo: subdivide a parent into children that tile it exactly,
and lay out building footprints inside a neighbourhood.

Everything is computed in a local metric frame (metres east/north of a fixed origin, an affine
map of longitude/latitude), so Voronoi cells are not stretched by the degree aspect ratio and
building sizes are in metres. Children are cut from the parent with one Voronoi diagram and
``intersection``: neighbouring cells share the very same edge vertices and together cover the
parent, so there are no gaps and no overlaps (up to floating-point noise).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

# Degrees → metres near Chongqing (spherical approximation; only used to shape the demo).
_M_PER_DEG_LAT = 110_574.0
_M_PER_DEG_LON_EQ = 111_320.0


@dataclass(frozen=True)
class MetricFrame:
    lon0: float
    lat0: float

    @property
    def kx(self) -> float:
        return _M_PER_DEG_LON_EQ * math.cos(math.radians(self.lat0))

    def to_metric(self, geom: BaseGeometry) -> BaseGeometry:
        return shapely.transform(geom, lambda c: np.column_stack(
            ((c[:, 0] - self.lon0) * self.kx, (c[:, 1] - self.lat0) * _M_PER_DEG_LAT)))

    def to_lonlat(self, geom: BaseGeometry) -> BaseGeometry:
        return shapely.transform(geom, lambda c: np.column_stack(
            (c[:, 0] / self.kx + self.lon0, c[:, 1] / _M_PER_DEG_LAT + self.lat0)))

    def many_to_lonlat(self, geoms: np.ndarray) -> np.ndarray:
        return shapely.transform(geoms, lambda c: np.column_stack(
            (c[:, 0] / self.kx + self.lon0, c[:, 1] / _M_PER_DEG_LAT + self.lat0)))


def sample_points(
    area: BaseGeometry,
    n: int,
    rng: np.random.Generator,
    centre: tuple[float, float] | None = None,
    sigma: float | None = None,
    min_distance_from: tuple[tuple[float, float], float] | None = None,
) -> np.ndarray:
    """``n`` random points inside ``area``: uniform, or normal around ``centre`` with ``sigma``.

    ``min_distance_from=(point, d)`` rejects points closer than ``d`` to ``point`` (rural seeds
    stay out of the urban core). Rejection sampling; the guard relaxes the constraint rather than
    loop forever on a thin polygon.
    """
    shapely.prepare(area)
    minx, miny, maxx, maxy = area.bounds
    out: list[np.ndarray] = []
    got = 0
    for attempt in range(200):
        k = max(4 * (n - got), 16)
        if centre is not None and sigma is not None:
            pts = rng.normal(loc=centre, scale=sigma, size=(k, 2))
        else:
            pts = np.column_stack((rng.uniform(minx, maxx, k), rng.uniform(miny, maxy, k)))
        ok = shapely.contains_xy(area, pts[:, 0], pts[:, 1])
        if min_distance_from is not None and attempt < 100:
            (px, py), d = min_distance_from
            ok &= np.hypot(pts[:, 0] - px, pts[:, 1] - py) >= d
        pts = pts[ok][: n - got]
        out.append(pts)
        got += len(pts)
        if got >= n:
            break
        if attempt == 50 and sigma is not None:
            sigma *= 2  # a normal cloud mostly outside a thin parent: widen it
    if got < n:
        raise RuntimeError(f"could not place {n} points in the area")
    return np.concatenate(out)[:n]


def _parts(geom: BaseGeometry) -> list[Polygon]:
    return [p for p in shapely.get_parts(geom) if isinstance(p, Polygon) and not p.is_empty]


def voronoi_tiles(parent: BaseGeometry, seeds: np.ndarray, relax: int = 2) -> list[BaseGeometry]:
    """Cells of ``seeds`` clipped to ``parent``; together they tile it exactly.

    ``relax`` Lloyd half-steps even out the cell sizes a little. Where clipping a cell leaves
    fragments (a concave parent), each fragment goes to the neighbour sharing its longest edge,
    so every child is one polygon unless the parent itself is several.
    """
    seeds = np.asarray(seeds, dtype=float)
    if len(seeds) == 1:
        return [parent]
    minx, miny, maxx, maxy = parent.bounds
    pad = max(maxx - minx, maxy - miny)
    frame = shapely.box(minx - pad, miny - pad, maxx + pad, maxy + pad)
    shapely.prepare(parent)
    for step in range(relax + 1):
        cells = shapely.get_parts(shapely.voronoi_polygons(shapely.multipoints(seeds), extend_to=frame, ordered=True))
        clipped = list(shapely.intersection(cells, parent))
        if step == relax:
            break
        centroids = shapely.centroid(np.array(clipped, dtype=object))
        inside = shapely.contains(parent, centroids)
        surface = shapely.point_on_surface(np.array(clipped, dtype=object))
        target = np.where(inside, centroids, surface)
        xy = shapely.get_coordinates(target)
        seeds = (seeds + xy) / 2
    return _merge_fragments(clipped)


def _merge_fragments(cells: list[BaseGeometry]) -> list[BaseGeometry]:
    main: list[BaseGeometry] = []
    loose: list[tuple[int, Polygon]] = []
    for i, cell in enumerate(cells):
        parts = sorted(_parts(cell), key=lambda p: p.area, reverse=True)
        if not parts:
            raise RuntimeError("empty Voronoi cell")
        main.append(parts[0])
        loose.extend((i, p) for p in parts[1:])
    for owner, frag in sorted(loose, key=lambda t: t[1].area, reverse=True):
        shared = [
            (shapely.length(shapely.intersection(frag.boundary, other.boundary)), j)
            for j, other in enumerate(main)
            if j != owner and frag.distance(other) == 0
        ]
        shared = [s for s in shared if s[0] > 0]
        target = max(shared)[1] if shared else owner
        main[target] = shapely.union(main[target], frag)
    return [g if isinstance(g, (Polygon, MultiPolygon)) else MultiPolygon(_parts(g)) for g in main]


@dataclass(frozen=True)
class Footprint:
    polygon: Polygon
    width: float
    depth: float


def grid_footprints(
    area: BaseGeometry,
    n: int,
    rng: np.random.Generator,
    width: tuple[float, float],
    depth: tuple[float, float],
    spacing: float,
) -> list[Footprint]:
    """Up to ``n`` non-overlapping rectangles inside ``area`` on a rotated grid.

    Each grid cell is ``spacing`` metres square and holds at most one rectangle no larger than
    the cell, so rectangles never overlap; a rectangle is kept only if it lies inside ``area``.
    """
    if n <= 0:
        return []
    angle = rng.uniform(0, math.pi / 2)
    c = area.centroid
    cos, sin = math.cos(angle), math.sin(angle)

    def rotate(coords: np.ndarray, sign: float) -> np.ndarray:
        x, y = coords[:, 0] - c.x, coords[:, 1] - c.y
        s = sign * sin
        return np.column_stack((x * cos - y * s + c.x, x * s + y * cos + c.y))

    local = shapely.transform(area, lambda xy: rotate(xy, -1.0))
    minx, miny, maxx, maxy = local.bounds
    xs = np.arange(minx, maxx - spacing, spacing)
    ys = np.arange(miny, maxy - spacing, spacing)
    if len(xs) == 0 or len(ys) == 0:
        return []
    gx, gy = (a.ravel() for a in np.meshgrid(xs, ys))
    k = len(gx)
    w = np.minimum(rng.uniform(*width, k), spacing * 0.9)
    d = np.minimum(rng.uniform(*depth, k), spacing * 0.9)
    ox = gx + rng.uniform(0, 1, k) * (spacing - w)
    oy = gy + rng.uniform(0, 1, k) * (spacing - d)
    boxes = shapely.box(ox, oy, ox + w, oy + d)
    shapely.prepare(local)
    inside = np.flatnonzero(shapely.contains(local, boxes))
    if len(inside) == 0:
        return []
    chosen = np.sort(rng.choice(inside, size=min(n, len(inside)), replace=False))
    placed = shapely.transform(boxes[chosen], lambda xy: rotate(xy, 1.0))
    return [Footprint(p, float(w[i]), float(d[i])) for p, i in zip(placed, chosen, strict=True)]


def node_shared_vertices(geoms: list[BaseGeometry], tolerance: float = 1e-6) -> list[BaseGeometry]:
    """Make shared edges identical, vertex for vertex, across all levels of a coverage tree.

    Cutting a child from its parent adds vertices where a Voronoi edge meets the parent's boundary;
    the parent (and the parent's neighbour on that edge) lack them, so ``parent - union(children)``
    leaves zero-area slivers and coverage validation sees unmatched edges. Each geometry gets every
    vertex of the tree that lies on its boundary (within ``tolerance`` metres: floating-point noise,
    far below any real feature) inserted by GEOS snapping.
    """
    coords = np.unique(np.concatenate([shapely.get_coordinates(g) for g in geoms]), axis=0)
    points = shapely.points(coords)
    tree = shapely.STRtree(points)
    out: list[BaseGeometry] = []
    for g in geoms:
        idx = tree.query(shapely.boundary(g), predicate="dwithin", distance=tolerance)
        out.append(shapely.snap(g, shapely.multipoints(coords[idx]), tolerance) if len(idx) else g)
    return out
