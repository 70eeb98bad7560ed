"""Geometry input checks and metric helpers shared by the pipeline, services, history and import.

Boundaries stay in CGCS2000 longitude/latitude (EPSG:4490) through the whole pipeline, so the
vertices of stored neighbours are reused bit for bit (a projection round trip would perturb them
and break "shared edges vertex-identical"). Everything metric — areas, lengths, the metre snap
tolerance — is measured in the unit's CGCS2000 Gauss-Krüger zone through pyproj.
"""
from __future__ import annotations

import math
from functools import lru_cache
from typing import Any

import numpy as np
import shapely
from core.errors import DomainError
from django.conf import settings
from pyproj import Transformer
from shapely.geometry import MultiPolygon, Polygon, mapping

from .crs import STORAGE_SRID, gauss_kruger_srid

#: Polygon parts and gaps smaller than this are numerical dust, not territory.
DUST_M2 = 0.01


def max_vertices() -> int:
    return settings.BOUNDARY_MAX_VERTICES


# --- parsing and validation -------------------------------------------------------------------


def _count_ring_vertices(coords: Any, depth: int) -> list[int]:
    """Lengths of the rings in a GeoJSON coordinates array (depth 1 = Polygon, 2 = MultiPolygon)."""
    if not isinstance(coords, list | tuple):
        raise DomainError("geometry_format", "几何坐标格式有误。")
    if depth == 1:
        return [len(r) if isinstance(r, list | tuple) else -1 for r in coords]
    out: list[int] = []
    for poly in coords:
        out.extend(_count_ring_vertices(poly, 1))
    return out


def parse_geojson_geometry(obj: Any) -> Polygon | MultiPolygon:
    """A GeoJSON Polygon/MultiPolygon (or a Feature holding one) as a checked shapely geometry.

    Refuses, each with a stable code: not a polygon, empty, a ring with fewer than 4 positions
    (a "ring" of two points), more than BOUNDARY_MAX_VERTICES vertices, coordinates that are
    not finite longitude/latitude. Self-intersection is checked by ``check_polygonal``.
    """
    if isinstance(obj, dict) and obj.get("type") == "Feature":
        obj = obj.get("geometry")
    if not isinstance(obj, dict) or "type" not in obj:
        raise DomainError("geometry_format", "请提交 GeoJSON 格式的面（Polygon/MultiPolygon）。")
    gtype = obj.get("type")
    if gtype not in ("Polygon", "MultiPolygon"):
        raise DomainError("not_polygon", f"边界必须是面（Polygon/MultiPolygon），收到的是“{gtype}”。")
    coords: Any = obj.get("coordinates")
    rings = _count_ring_vertices(coords, 1 if gtype == "Polygon" else 2)
    if not rings or sum(max(n, 0) for n in rings) == 0:
        raise DomainError("empty_geometry", "边界为空，请至少画出三个顶点。")
    total = sum(max(n, 0) for n in rings)
    if total > max_vertices():
        raise DomainError(
            "too_many_vertices", f"边界有{total}个顶点，超过上限{max_vertices()}个，请先简化。",
            extra={"vertices": total, "limit": max_vertices()},
        )
    if min(rings) < 4:
        raise DomainError("ring_too_short", "边界环至少需要三个不同的顶点并首尾闭合（共4个坐标）。")
    try:
        # Built from numpy arrays (shapely's GeoJSON path converts coordinates one by one in Python).
        parts: list[Polygon] = []
        for poly in [coords] if gtype == "Polygon" else coords:
            ring_xy: list[np.ndarray] = []
            for r in poly:
                xy = np.asarray(r, dtype=float)
                if xy.ndim != 2 or xy.shape[1] < 2:
                    raise ValueError("position with fewer than 2 numbers")
                if not np.isfinite(xy[:, :2]).all():
                    raise DomainError("coords_out_of_range", "坐标含有非数值（NaN/无穷大）。")
                ring_xy.append(xy[:, :2])
            parts.append(Polygon(ring_xy[0], ring_xy[1:]))
        geom = parts[0] if gtype == "Polygon" else MultiPolygon(parts)
    except (ValueError, TypeError, IndexError, AttributeError) as exc:
        raise DomainError("geometry_format", "几何坐标格式有误。") from exc
    return check_polygonal(geom)


def check_polygonal(geom: Any) -> Polygon | MultiPolygon:
    """Checks on a shapely geometry from any source (API, file import, history)."""
    if geom is None or geom.is_empty:
        raise DomainError("empty_geometry", "边界为空，请至少画出三个顶点。")
    if not isinstance(geom, Polygon | MultiPolygon):
        raise DomainError("not_polygon", f"边界必须是面（Polygon/MultiPolygon），收到的是“{geom.geom_type}”。")
    n = shapely.get_num_coordinates(geom)
    if n > max_vertices():
        raise DomainError(
            "too_many_vertices", f"边界有{n}个顶点，超过上限{max_vertices()}个，请先简化。",
            extra={"vertices": int(n), "limit": max_vertices()},
        )
    xy = shapely.get_coordinates(geom)
    if not np.isfinite(xy).all() or (np.abs(xy[:, 0]) > 180).any() or (np.abs(xy[:, 1]) > 90).any():
        raise DomainError(
            "coords_out_of_range",
            "坐标超出经纬度范围（经度±180°、纬度±90°）。如果是投影坐标（米），请在导入时指定坐标系。",
        )
    for ring in _rings(geom):
        if len(np.unique(shapely.get_coordinates(ring), axis=0)) < 3:
            raise DomainError("ring_too_short", "边界环至少需要三个不同的顶点。")
    return geom


def _rings(geom: Polygon | MultiPolygon) -> list[Any]:
    polys = geom.geoms if isinstance(geom, MultiPolygon) else [geom]
    out = []
    for p in polys:
        out.append(p.exterior)
        out.extend(p.interiors)
    return out


def make_valid(geom: Polygon | MultiPolygon) -> MultiPolygon:
    """Repair what a drawing tool produces by accident; refuse a ring that crosses itself.

    Repeated vertices, rings touching themselves, holes sharing a point with the shell and similar
    defects are repaired (GEOS MakeValid, "structure" method). A ring that *crosses* itself (a bow
    tie) is refused: repairing it would silently turn one drawn area into two pieces.
    """
    geom = shapely.remove_repeated_points(geom, 0.0)
    if not shapely.is_valid(geom):
        reason = shapely.is_valid_reason(geom)
        if reason.startswith("Self-intersection"):
            where = reason[reason.find("[") + 1: reason.find("]")] if "[" in reason else ""
            raise DomainError(
                "self_intersection", f"边界线自相交（交叉点约在 {where}），请调整顶点后再保存。",
                extra={"location": where},
            )
        geom = shapely.make_valid(geom, method="structure", keep_collapsed=False)
    return polygonal(geom)


def polygonal(geom: Any, min_area_deg2: float = 0.0) -> MultiPolygon:
    """The polygon parts of any geometry as a MultiPolygon (dropping parts below ``min_area_deg2``)."""
    if geom is None or geom.is_empty:
        return MultiPolygon()
    parts = shapely.get_parts(geom)
    polys: list[Polygon] = []
    for p in parts:
        if isinstance(p, Polygon):
            polys.append(p)
        elif isinstance(p, MultiPolygon):
            polys.extend(p.geoms)
        elif p.geom_type == "GeometryCollection":
            polys.extend(polygonal(p).geoms)
    if min_area_deg2 > 0:
        polys = [p for p in polys if p.area >= min_area_deg2]
    return MultiPolygon(polys) if polys else MultiPolygon()


def to_geojson(geom: Any) -> dict[str, Any] | None:
    if geom is None or geom.is_empty:
        return None
    return mapping(geom)


# --- metric helpers -----------------------------------------------------------------------------


@lru_cache(maxsize=32)
def _to_gk(srid: int) -> Transformer:
    return Transformer.from_crs(STORAGE_SRID, srid, always_xy=True)


class Metric:
    """Metres for one area of interest: the CGCS2000 GK zone covering ``lon``."""

    def __init__(self, lon: float, lat: float):
        self.srid = gauss_kruger_srid(lon)
        self._tr = _to_gk(self.srid)
        phi = math.radians(lat)
        # Length of one degree of latitude (a standard series on the ellipsoid). Using it to turn
        # metres into degrees is conservative: a degree of longitude is shorter, so east-west the
        # snap reaches cos(lat) of the configured distance, never further than configured.
        self.m_per_deg = 111_132.954 - 559.822 * math.cos(2 * phi) + 1.175 * math.cos(4 * phi)
        self.m2_per_deg2 = self.m_per_deg * self.m_per_deg * math.cos(phi)

    @classmethod
    def for_geometry(cls, geom: Any) -> Metric:
        minx, miny, maxx, maxy = geom.bounds
        return cls((minx + maxx) / 2, (miny + maxy) / 2)

    def degrees(self, metres: float) -> float:
        return metres / self.m_per_deg

    def project(self, geom: Any) -> Any:
        def fn(xy: np.ndarray) -> np.ndarray:
            x, y = self._tr.transform(xy[:, 0], xy[:, 1])
            return np.column_stack([x, y])

        return shapely.transform(geom, fn)

    def area(self, geom: Any) -> float:
        if geom is None or geom.is_empty:
            return 0.0
        return float(shapely.area(self.project(geom)))

    def length(self, geom: Any) -> float:
        if geom is None or geom.is_empty:
            return 0.0
        return float(shapely.length(self.project(geom)))

    def dust_deg2(self) -> float:
        return DUST_M2 / self.m2_per_deg2
