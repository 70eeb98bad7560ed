"""Checks and helpers every import mode shares: a feature's own first fault, how far it lies from
the parent, which kind a new unit gets, and the short per-feature report."""
from __future__ import annotations

from typing import Any

import numpy as np
import shapely
from core.errors import DomainError

from ..codes import kind_from_statistical_code
from ..geometry import Metric
from ..levels import KINDS_BY_LEVEL, Kind, Level
from ..models import AdminUnit

#: A feature farther than this from its parent is refused as "far outside" (probably a wrong CRS).
FAR_OUTSIDE_M = 1_000.0

GEOMETRY_LABELS = {"Point": "点", "MultiPoint": "多点", "LineString": "线", "MultiLineString": "多线",
                   "LinearRing": "线环", "GeometryCollection": "几何集合"}


def where(geom: Any) -> list[float]:
    """A position to name in a message: the first vertex, rounded to ~0.1 m."""
    xy = shapely.get_coordinates(geom)
    return [round(float(xy[0][0]), 6), round(float(xy[0][1]), 6)] if len(xy) else []


def check_geometry(geom: Any) -> None:
    """The feature's own first fault, before anything about names or neighbours: no readable
    geometry, a geometry that is not an area, or a part of it that is degenerate — named by its
    index and where it lies (a file's two-point ring is otherwise reported as something else)."""
    if geom is None or geom.is_empty:
        raise DomainError("empty_geometry", "要素没有可读的几何（坐标缺失，或坐标不是数字）。")
    if geom.geom_type not in ("Polygon", "MultiPolygon"):
        at = where(geom)
        raise DomainError(
            "geometry_type", f"要素的几何是{GEOMETRY_LABELS.get(geom.geom_type, geom.geom_type)}，"
            f"边界须为面（Polygon 或 MultiPolygon）；位于 {at}。", extra={"location": at})
    parts = list(geom.geoms) if geom.geom_type == "MultiPolygon" else [geom]
    for i, part in enumerate(parts):
        rings = [part.exterior, *part.interiors]
        if any(len(r.coords) < 4 for r in rings) or part.area <= 0:
            at = where(part)
            raise DomainError(
                "degenerate_part", f"第{i + 1}个部分（共{len(parts)}个）退化：少于三个不同的顶点或面积为零；位于 {at}。",
                extra={"part": i, "location": at})
    xy = shapely.get_coordinates(geom)
    if not np.isfinite(xy).all():
        raise DomainError("coordinates_invalid", "要素的坐标不是有限的数字。")


def check_near_parent(geom: Any, parent: AdminUnit, parent_geom: Any, metric: Metric) -> None:
    distance_m = float(shapely.distance(geom, parent_geom)) * metric.m_per_deg
    if distance_m > FAR_OUTSIDE_M:
        raise DomainError(
            "far_outside_parent",
            f"要素距上级“{parent.name}”约{distance_m / 1000:,.1f}公里，完全在范围之外——坐标系可能不对。",
        )


def kind_for(level: int, feature_kind: str, code: str, name: str, default: str | None) -> str:
    allowed = KINDS_BY_LEVEL.get(level, ())
    for candidate in (feature_kind, default):
        if candidate in allowed:
            return candidate
        for k in allowed:  # the Chinese label works too (社区, 村...)
            if candidate and Kind(k).label == candidate:
                return k
    if level in (Level.TOWN, Level.COMMUNITY) and code.isdigit():
        return kind_from_statistical_code(code, name)
    return allowed[0]


def brief(report: dict[str, Any]) -> dict[str, Any]:
    keys = ("area_before_m2", "area_after_m2", "vertices_moved", "clipped_m2", "overlap_removed_m2", "shared_with")
    out = {k: report.get(k) for k in keys}
    out["gaps_m2"] = [g["area_m2"] for g in report.get("gaps", [])]
    return out


def error_of(exc: DomainError) -> dict[str, Any]:
    return {"code": exc.code, "detail": exc.message, **exc.extra}
