"""Import a level of boundaries under one parent from a file.

Each feature is matched to an existing child of the parent by code, then by name, or creates a new
child; its geometry goes through the same save pipeline as a drawing (earlier features of the file
are already siblings of later ones, so the file's own overlaps are resolved the same way).

The whole import is ONE transaction. A dry run performs it for real and rolls it back, so its
per-feature report (matched / created, snapped, clipped, overlap removed, rejected and why) is
exactly what the real run will do. A real run with any rejected feature writes nothing.
"""
from __future__ import annotations

from typing import IO, TYPE_CHECKING, Any

import numpy as np
import shapely
from core.errors import DomainError
from django.db import transaction

from .. import permissions, services
from ..codes import kind_from_statistical_code
from ..geometry import Metric
from ..levels import KINDS_BY_LEVEL, Kind, Level
from ..models import AdminUnit, VersionOperation
from .reader import read_features

if TYPE_CHECKING:
    from accounts.models import User

#: A feature farther than this from its parent is refused as "far outside" (probably a wrong CRS).
FAR_OUTSIDE_M = 1_000.0


def _kind_for(level: int, feature_kind: str, code: str, name: str, default: str | None) -> str:
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


def import_units(
    user: User, parent_id: Any, upload: IO[bytes] | bytes, filename: str, *, kind: str | None = None,
    crs: Any = None, coordinate_system: str = "standard", dry_run: bool = True, reason: str = "",
) -> dict[str, Any]:
    parent = services.get_visible_unit(user, parent_id)
    permissions.check_can_create_child(user, parent)
    if parent.geom is None:
        raise DomainError("parent_without_boundary", "上级单位还没有边界，请先绘制上级边界。")
    read = read_features(upload, filename, crs=crs, coordinate_system=coordinate_system)
    level = parent.level + 1
    parent_geom = services.to_shapely(parent.geom)
    metric = Metric.for_geometry(parent_geom)
    reason = reason or f"文件导入：{filename}"
    rows: list[dict[str, Any]] = []
    with transaction.atomic():
        existing = list(AdminUnit.objects.filter(parent=parent))
        by_code = {u.code: u for u in existing}
        by_name = {u.name: u for u in existing}
        for f in read.features:
            row: dict[str, Any] = {"index": f.index, "code": f.code, "name": f.name}
            sid = transaction.savepoint()
            try:
                row.update(_import_one(user, parent, parent_geom, metric, level, f, by_code, by_name, kind, reason))
                transaction.savepoint_commit(sid)
            except DomainError as exc:
                transaction.savepoint_rollback(sid)
                row.update({"action": "rejected", "error": {"code": exc.code, "detail": exc.message, **exc.extra}})
            rows.append(row)
        summary = {a: sum(1 for r in rows if r["action"] == a) for a in ("matched", "created", "rejected")}
        result = {
            "dry_run": dry_run, "parent": parent.pk, "level": level, "source_crs": read.source_crs,
            "coordinate_system": read.coordinate_system, "notes": read.notes, "summary": summary, "features": rows,
        }
        if dry_run:
            transaction.set_rollback(True)
        elif summary["rejected"]:
            raise DomainError(
                "import_rejected", f"有{summary['rejected']}个要素无法导入，全部未写入。请先修正文件（可先试运行查看原因）。",
                extra=result,
            )
    return result


GEOMETRY_LABELS = {"Point": "点", "MultiPoint": "多点", "LineString": "线", "MultiLineString": "多线",
                   "LinearRing": "线环", "GeometryCollection": "几何集合"}


def _where(geom: Any) -> list[float]:
    xy = shapely.get_coordinates(geom)
    return [round(float(xy[0][0]), 6), round(float(xy[0][1]), 6)] if len(xy) else []


def check_geometry(geom: Any) -> None:
    """The feature's own first fault, before anything about names or neighbours: no readable
    geometry, a geometry that is not an area, or a part of it that is degenerate — named by its
    index and where it lies (a file's two-point ring is otherwise reported as something else)."""
    if geom is None or geom.is_empty:
        raise DomainError("empty_geometry", "要素没有可读的几何（坐标缺失，或坐标不是数字）。")
    if geom.geom_type not in ("Polygon", "MultiPolygon"):
        where = _where(geom)
        raise DomainError(
            "geometry_type", f"要素的几何是{GEOMETRY_LABELS.get(geom.geom_type, geom.geom_type)}，"
            f"边界须为面（Polygon 或 MultiPolygon）；位于 {where}。", extra={"location": where})
    parts = list(geom.geoms) if geom.geom_type == "MultiPolygon" else [geom]
    for i, part in enumerate(parts):
        rings = [part.exterior, *part.interiors]
        if any(len(r.coords) < 4 for r in rings) or part.area <= 0:
            where = _where(part)
            raise DomainError(
                "degenerate_part", f"第{i + 1}个部分（共{len(parts)}个）退化：少于三个不同的顶点或面积为零；位于 {where}。",
                extra={"part": i, "location": where})
    xy = shapely.get_coordinates(geom)
    if not np.isfinite(xy).all():
        raise DomainError("coordinates_invalid", "要素的坐标不是有限的数字。")


def _import_one(
    user: User, parent: AdminUnit, parent_geom: Any, metric: Metric, level: int, f: Any,
    by_code: dict[str, AdminUnit], by_name: dict[str, AdminUnit], kind: str | None, reason: str,
) -> dict[str, Any]:
    check_geometry(f.geometry)
    distance_m = float(shapely.distance(f.geometry, parent_geom)) * metric.m_per_deg
    if distance_m > FAR_OUTSIDE_M:
        raise DomainError(
            "far_outside_parent",
            f"要素距上级“{parent.name}”约{distance_m / 1000:,.1f}公里，完全在范围之外——坐标系可能不对。",
        )
    target = by_code.get(f.code) if f.code else None
    matched_by = "code" if target else None
    if target is None and f.name and f.name in by_name:
        target, matched_by = by_name[f.name], "name"
    if target is not None:
        out = services.reshape_unit(user, target.pk, f.geometry, reason=reason, operation=VersionOperation.IMPORT)
        return {"action": "matched", "matched_by": matched_by, "unit": target.pk, "report": _brief(out.report)}
    if not f.name:
        raise DomainError("name_required", "新建单位需要名称（name/名称 字段）。")
    attrs = {k: f.attrs.get(k) for k in ("floors", "height_m", "building_use") if f.attrs.get(k) is not None}
    out = services.create_unit(
        user, parent.pk, name=f.name, kind=_kind_for(level, f.kind, f.code, f.name, kind), geometry=f.geometry,
        code=f.code or None, reason=reason, attrs=attrs, operation=VersionOperation.IMPORT,
    )
    by_code[out.unit.code] = out.unit
    by_name[out.unit.name] = out.unit
    return {"action": "created", "unit": out.unit.pk, "code": out.unit.code, "report": _brief(out.report)}


def _brief(report: dict[str, Any]) -> dict[str, Any]:
    keys = ("area_before_m2", "area_after_m2", "vertices_moved", "clipped_m2", "overlap_removed_m2", "shared_with")
    out = {k: report.get(k) for k in keys}
    out["gaps_m2"] = [g["area_m2"] for g in report.get("gaps", [])]
    return out
