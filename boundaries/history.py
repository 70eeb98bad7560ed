"""Boundary history queries: the tree as of a date, and comparing two versions.

Writing versions is the services' job (every save records one); this module only reads.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

import shapely
from core.errors import DomainError
from django.db import connection
from django.utils import timezone

from .geometry import Metric, polygonal, to_geojson
from .models import AdminUnit, BoundaryVersion

AS_OF_SQL = """
SELECT u.id, u.code, u.name, u.level, u.kind, u.parent_id,
       COALESCE(v.version, u.boundary_version), v.at,
       ST_AsGeoJSON(COALESCE(v.geom, u.geom), 7)
FROM adminunits_adminunit u
LEFT JOIN LATERAL (
    SELECT version, at, geom FROM adminunits_boundaryversion bv
    WHERE bv.unit_id = u.id AND bv.at <= %(cutoff)s
    ORDER BY bv.at DESC, bv.version DESC LIMIT 1
) v ON true
WHERE u.path LIKE %(prefix)s
  AND (v.version IS NOT NULL
       OR (u.created_at <= %(cutoff)s
           AND NOT EXISTS (SELECT 1 FROM adminunits_boundaryversion b2 WHERE b2.unit_id = u.id)))
  {level_filter}
ORDER BY u.level, u.code
"""


def parse_date(value: str | None) -> dt.datetime:
    """End of the given day (Asia/Shanghai) as an aware datetime: 'as of 2026-03-01' includes that day."""
    try:
        day = dt.date.fromisoformat(str(value))
    except (TypeError, ValueError):
        raise DomainError("date_format", "日期格式应为 YYYY-MM-DD。") from None
    end = dt.datetime.combine(day, dt.time.max)
    return timezone.make_aware(end, timezone.get_default_timezone())


def tree_as_of(root: AdminUnit, cutoff: dt.datetime, level: int | None = None) -> list[dict[str, Any]]:
    """Every unit of the subtree that existed at ``cutoff`` with its boundary then, as GeoJSON features."""
    import json

    prefix = root.path.replace("%", r"\%").replace("_", r"\_") + "%"
    sql = AS_OF_SQL.format(level_filter="AND u.level = %(level)s" if level is not None else "")
    with connection.cursor() as cur:
        cur.execute(sql, {"cutoff": cutoff, "prefix": prefix, "level": level})
        rows = cur.fetchall()
    return [
        {
            "type": "Feature",
            "id": r[0],
            "geometry": json.loads(r[8]) if r[8] else None,
            "properties": {
                "id": r[0], "code": r[1], "name": r[2], "level": r[3], "kind": r[4], "parent": r[5],
                "version": r[6], "version_at": r[7].isoformat() if r[7] else None,
            },
        }
        for r in rows
    ]


def _version(unit: AdminUnit, number: Any) -> BoundaryVersion:
    try:
        return BoundaryVersion.objects.get(unit=unit, version=int(number))
    except (BoundaryVersion.DoesNotExist, TypeError, ValueError):
        raise DomainError("version_not_found", f"“{unit.name}”没有第{number}版边界。", status_code=404) from None


def compare(unit: AdminUnit, a: Any, b: Any) -> dict[str, Any]:
    """Area change and the symmetric difference (added / removed parts) from version a to b."""
    va, vb = _version(unit, a), _version(unit, b)
    ga = shapely.from_wkb(bytes(va.geom.wkb)) if va.geom else polygonal(None)
    gb = shapely.from_wkb(bytes(vb.geom.wkb)) if vb.geom else polygonal(None)
    metric = Metric.for_geometry(gb if not gb.is_empty else ga)
    dust = metric.dust_deg2()
    added = polygonal(shapely.difference(gb, ga), dust)
    removed = polygonal(shapely.difference(ga, gb), dust)
    sym = polygonal(shapely.union(added, removed), dust)
    area_a, area_b = metric.area(ga), metric.area(gb)
    return {
        "unit": unit.pk,
        "from": {"version": va.version, "at": va.at.isoformat(), "area_m2": round(area_a, 2), "operation": va.operation},
        "to": {"version": vb.version, "at": vb.at.isoformat(), "area_m2": round(area_b, 2), "operation": vb.operation},
        "area_diff_m2": round(area_b - area_a, 2),
        "added": {"geometry": to_geojson(added), "area_m2": round(metric.area(added), 2)},
        "removed": {"geometry": to_geojson(removed), "area_m2": round(metric.area(removed), 2)},
        "symmetric_difference": {"geometry": to_geojson(sym), "area_m2": round(metric.area(sym), 2)},
    }


def history(unit: AdminUnit, with_geometry: bool = False) -> list[dict[str, Any]]:
    out = []
    for v in BoundaryVersion.objects.filter(unit=unit).order_by("-version"):
        row = {
            "version": v.version, "at": v.at.isoformat(), "author": v.author_name, "reason": v.reason,
            "operation": v.operation, "operation_label": v.get_operation_display(), "area_m2": v.area_m2,
            "current": v.version == unit.boundary_version, "report": v.report,
        }
        if with_geometry:
            row["geometry"] = to_geojson(shapely.from_wkb(bytes(v.geom.wkb))) if v.geom else None
        out.append(row)
    return out
