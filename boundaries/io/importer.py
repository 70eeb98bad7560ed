"""Import a level of boundaries under one parent from a file, in one of two modes.

``merge`` (the default): each feature is matched to an existing child of the parent by code, then
by name, or creates a new child; its geometry goes through the same save pipeline as a drawing
(earlier features of the file are already siblings of later ones, and the stored siblings the file
does not name keep their land), so the file's own overlaps are resolved the same way.

``replace``: the file holds ALL children of the parent; it is checked as a coverage of the parent
and written as a whole (``replace.py``).

Either import is ONE transaction. A dry run performs it for real and rolls it back, so its
per-feature report (matched / created, snapped, clipped, overlap removed, rejected and why) is
exactly what the real run will do. A real run with any rejected feature writes nothing.
"""
from __future__ import annotations

from typing import IO, TYPE_CHECKING, Any

from core.errors import DomainError
from django.db import transaction

from .. import permissions, services
from ..geometry import Metric, to_geojson
from ..models import AdminUnit, VersionOperation
from .features import brief, check_geometry, check_near_parent, error_of, kind_for
from .reader import read_features
from .replace import replace_children

if TYPE_CHECKING:
    from accounts.models import User

MODES = ("merge", "replace")


def import_units(
    user: User, parent_id: Any, upload: IO[bytes] | bytes, filename: str, *, kind: str | None = None,
    crs: Any = None, coordinate_system: str = "standard", dry_run: bool = True, reason: str = "",
    mode: str = "merge", versions: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """``versions`` ({child id: boundary_version}, what a replace dry run returned) makes a real
    replace refuse with 409 when the children changed between the dry run and the confirmation."""
    if mode not in MODES:
        raise DomainError("import_mode_invalid", "导入方式应为 merge（合并导入）或 replace（整级替换）。")
    parent = services.get_visible_unit(user, parent_id)
    permissions.check_can_create_child(user, parent)
    if parent.geom is None:
        raise DomainError("parent_without_boundary", "上级单位还没有边界，请先绘制上级边界。")
    read = read_features(upload, filename, crs=crs, coordinate_system=coordinate_system)
    reason = reason or f"文件导入：{filename}"
    head = {"dry_run": dry_run, "mode": mode, "parent": parent.pk, "level": parent.level + 1,
            "source_crs": read.source_crs, "coordinate_system": read.coordinate_system, "notes": read.notes}
    if mode == "replace":
        return replace_children(user, parent, read.features, head, kind=kind, reason=reason, dry_run=dry_run,
                                versions=versions)
    return _merge(user, parent, read.features, head, kind=kind, reason=reason, dry_run=dry_run)


def _merge(
    user: User, parent: AdminUnit, features: list[Any], head: dict[str, Any], *, kind: str | None, reason: str,
    dry_run: bool,
) -> dict[str, Any]:
    level = parent.level + 1
    parent_geom = services.to_shapely(parent.geom)
    metric = Metric.for_geometry(parent_geom)
    rows: list[dict[str, Any]] = []
    with transaction.atomic():
        existing = list(AdminUnit.objects.filter(parent=parent))
        by_code = {u.code: u for u in existing}
        by_name = {u.name: u for u in existing}
        for f in features:
            row: dict[str, Any] = {"index": f.index, "code": f.code, "name": f.name}
            sid = transaction.savepoint()
            try:
                row.update(_import_one(user, parent, parent_geom, metric, level, f, by_code, by_name, kind, reason))
                transaction.savepoint_commit(sid)
            except DomainError as exc:
                transaction.savepoint_rollback(sid)
                row.update({"action": "rejected", "error": error_of(exc), "geometry": to_geojson(f.geometry)})
            rows.append(row)
        summary = {a: sum(1 for r in rows if r["action"] == a) for a in ("matched", "created", "rejected")}
        result = {**head, "summary": summary, "features": rows, "ok": not summary["rejected"]}
        if dry_run:
            transaction.set_rollback(True)
        elif summary["rejected"]:
            raise DomainError(
                "import_rejected", f"有{summary['rejected']}个要素无法导入，全部未写入。请先修正文件（可先试运行查看原因）。",
                extra=result,
            )
    return result


def _import_one(
    user: User, parent: AdminUnit, parent_geom: Any, metric: Metric, level: int, f: Any,
    by_code: dict[str, AdminUnit], by_name: dict[str, AdminUnit], kind: str | None, reason: str,
) -> dict[str, Any]:
    check_geometry(f.geometry)
    check_near_parent(f.geometry, parent, parent_geom, metric)
    target = by_code.get(f.code) if f.code else None
    matched_by = "code" if target else None
    if target is None and f.name and f.name in by_name:
        target, matched_by = by_name[f.name], "name"
    if target is not None:
        out = services.reshape_unit(user, target.pk, f.geometry, reason=reason, operation=VersionOperation.IMPORT)
        return {"action": "matched", "matched_by": matched_by, "unit": target.pk, "report": brief(out.report),
                "geometry": to_geojson(services.to_shapely(out.unit.geom))}
    if not f.name:
        raise DomainError("name_required", "新建单位需要名称（name/名称 字段）。")
    attrs = {k: f.attrs.get(k) for k in ("floors", "height_m", "building_use") if f.attrs.get(k) is not None}
    out = services.create_unit(
        user, parent.pk, name=f.name, kind=kind_for(level, f.kind, f.code, f.name, kind), geometry=f.geometry,
        code=f.code or None, reason=reason, attrs=attrs, operation=VersionOperation.IMPORT,
    )
    by_code[out.unit.code] = out.unit
    by_name[out.unit.name] = out.unit
    return {"action": "created", "unit": out.unit.pk, "code": out.unit.code, "report": brief(out.report),
            "geometry": to_geojson(services.to_shapely(out.unit.geom))}
