"""Children follow a parent's changed boundary, as pure geometry.

When a parent's boundary moves, each child that shared the old edge follows it:
- its vertices within the snap tolerance of the new edge are snapped onto it;
- whatever now lies outside the parent is clipped off;
- territory the parent gained next to a child is given to that child; a gained strip that runs
  along several children is divided between them by nearest shared edge (a Voronoi split of the
  old shared edges, shapely.voronoi_polygons), so no gap opens between the levels.
A child that would become empty or split into more pieces is refused with an explanation.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import shapely
from core.errors import DomainError
from shapely.geometry import MultiPolygon, Polygon

from .geometry import Metric, polygonal
from .pipeline import NODE_TOLERANCE_M, Sibling, _linework, _snap


def drop_small_holes(geom: MultiPolygon, min_area_deg2: float) -> MultiPolygon:
    polys = []
    for p in geom.geoms:
        holes = [h for h in p.interiors if Polygon(h).area >= min_area_deg2]
        polys.append(Polygon(p.exterior, holes) if len(holes) != len(p.interiors) else p)
    return MultiPolygon(polys) if polys else MultiPolygon()


def _parts(geom: Any, dust: float) -> int:
    return sum(1 for p in shapely.get_parts(geom) if p.area >= dust)


def _shared_length(a: Any, line_zone: Any) -> float:
    return float(shapely.length(shapely.intersection(shapely.boundary(a), line_zone)))


def _split_piece(piece: Polygon, owners: list[tuple[int, Any]], spacing: float) -> dict[int, Any]:
    """Divide ``piece`` between owners by nearest shared edge (Voronoi of the edges' points)."""
    coords, labels = [], []
    for cid, line in owners:
        dense = shapely.segmentize(line, spacing)
        xy = shapely.get_coordinates(dense)
        coords.append(xy)
        labels.extend([cid] * len(xy))
    xy = np.vstack(coords)
    xy, first = np.unique(xy, axis=0, return_index=True)
    lab = np.asarray(labels)[first]
    cells = shapely.voronoi_polygons(
        shapely.multipoints(xy), extend_to=piece.envelope.buffer(piece.length), ordered=True
    )
    cells = np.asarray(shapely.get_parts(cells))
    out: dict[int, Any] = {}
    for cid, _ in owners:
        mine = shapely.union_all(cells[lab == cid])
        part = polygonal(shapely.intersection(piece, mine))
        if not part.is_empty:
            out[cid] = part
    return out


def follow_parent(
    old_parent: Any, new_parent: Any, children: Sequence[Sibling], *, tolerance_m: float
) -> tuple[dict[int, MultiPolygon], list[dict[str, Any]]]:
    """New geometries of the children that change, and the gained pieces nobody could take."""
    metric = Metric.for_geometry(new_parent)
    tol = metric.degrees(tolerance_m)
    eps = metric.degrees(NODE_TOLERANCE_M) * 10
    dust = metric.dust_deg2()
    old_edge_zone = shapely.buffer(shapely.boundary(old_parent), eps)
    shapely.prepare(old_edge_zone)
    gained = polygonal(shapely.difference(new_parent, old_parent), dust)
    new_lines = _linework([new_parent])

    # Gained territory goes to the children along whose old edge it lies.
    assigned: dict[int, list[Any]] = {}
    orphan: list[dict[str, Any]] = []
    for piece in gained.geoms:
        zone = shapely.buffer(shapely.boundary(piece), eps)
        owners = []
        for c in children:
            if shapely.dwithin(c.geom, piece, eps):
                line = shapely.intersection(shapely.boundary(c.geom), zone)
                if shapely.length(line) > eps:
                    owners.append((c.id, line))
        if not owners:
            orphan.append({"area_m2": round(metric.area(piece), 2), "geometry": shapely.geometry.mapping(piece)})
        elif len(owners) == 1:
            assigned.setdefault(owners[0][0], []).append(piece)
        else:
            spacing = max(piece.length / 400, tol / 2 or eps)
            for cid, part in _split_piece(piece, owners, spacing).items():
                assigned.setdefault(cid, []).append(part)

    changed: dict[int, MultiPolygon] = {}
    for c in children:
        touches_edge = _shared_length(c.geom, old_edge_zone) > eps
        sticks_out = not shapely.covers(new_parent, c.geom)
        if not (touches_edge or sticks_out or c.id in assigned):
            continue
        g = c.geom
        if touches_edge:
            local = [shapely.clip_by_rect(ln, *_window(c.geom, 2 * tol)) for ln in new_lines]
            g, _ = _snap(polygonal(g), [ln for ln in local if not ln.is_empty], tol)
        g = polygonal(shapely.intersection(g, new_parent), dust)
        if c.id in assigned:
            g = polygonal(shapely.union_all([g, *assigned[c.id]]), dust)
            g = drop_small_holes(g, dust)
        if g.is_empty:
            raise DomainError(
                "parent_change_empties_child",
                f"调整后的边界将使下级单位“{c.name}”完全落在范围之外。请先调整或撤并该单位，再修改上级边界。",
                extra={"child": c.id},
            )
        before_parts, after_parts = _parts(c.geom, dust), _parts(g, dust)
        if after_parts > before_parts:
            raise DomainError(
                "parent_change_splits_child",
                f"调整后的边界会把下级单位“{c.name}”分割成{after_parts}块。请先调整该单位，再修改上级边界。",
                extra={"child": c.id, "parts": after_parts},
            )
        if not shapely.equals_exact(shapely.normalize(g), shapely.normalize(polygonal(c.geom)), 0.0):
            changed[c.id] = g

    # Changed children and their neighbours share vertices along their common edges again.
    if changed:
        node_eps = metric.degrees(NODE_TOLERANCE_M)
        current = {c.id: changed.get(c.id, polygonal(c.geom)) for c in children}
        ids = list(current)
        for cid in list(changed):
            for other in ids:
                if other == cid or not shapely.dwithin(current[cid], current[other], node_eps):
                    continue
                a = polygonal(shapely.snap(current[cid], current[other], node_eps))
                b = polygonal(shapely.snap(current[other], a, node_eps))
                current[cid] = a
                if shapely.get_num_coordinates(b) != shapely.get_num_coordinates(current[other]):
                    current[other] = b
                    changed[other] = b
                changed[cid] = a
    return changed, orphan


def _window(geom: Any, margin: float) -> tuple[float, float, float, float]:
    minx, miny, maxx, maxy = geom.bounds
    return (minx - margin, miny - margin, maxx + margin, maxy + margin)
