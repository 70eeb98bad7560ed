"""Boundary saves: the pipeline plus locking, history, propagation and audit (docs/boundaries.md).

Every save runs in ONE transaction that first locks the parent's row (``select_for_update``):
two neighbours saved at the same time under one parent are serialised, and the second one's
pipeline sees the first one's stored boundary, so "siblings win" can never let them overlap.
A reshape also locks the unit itself (its children lock it when they save) and, when children
follow, each changed child before its own children are read. Locks are always taken top-down.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import shapely
from audit import context as audit_context
from audit import registry as audit_registry
from audit.models import Action
from core.errors import DomainError
from django.contrib.gis.geos import GEOSGeometry
from django.contrib.gis.geos import MultiPolygon as GEOSMultiPolygon
from django.contrib.gis.geos import Polygon as GeosPolygon
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from . import permissions
from .codes import _PART_RANGES, CODE_LENGTH, validate_code
from .follow import follow_parent
from .geometry import Metric, parse_geojson_geometry, polygonal
from .levels import KINDS_BY_LEVEL, Kind, Level
from .models import AdminUnit, BoundaryVersion, VersionOperation
from .pipeline import PipelineResult, Sibling, run_pipeline, snap_tolerance_m

if TYPE_CHECKING:
    from accounts.models import User


@dataclass
class SaveOutcome:
    unit: AdminUnit
    report: dict[str, Any]


# --- conversions --------------------------------------------------------------------------------


def to_shapely(geos: GEOSGeometry | None) -> Any:
    return None if geos is None else shapely.from_wkb(bytes(geos.wkb))


def to_geos(geom: Any) -> GEOSMultiPolygon:
    out = GEOSGeometry(memoryview(shapely.to_wkb(polygonal(geom))), srid=4490)
    assert isinstance(out, GEOSMultiPolygon)  # polygonal() always returns a MultiPolygon
    return out


def as_geometry(value: Any) -> Any:
    """GeoJSON dict or shapely geometry → checked shapely geometry."""
    if isinstance(value, dict):
        return parse_geojson_geometry(value)
    if isinstance(value, shapely.Geometry):
        return value
    raise DomainError("geometry_format", "请提交 GeoJSON 格式的面（Polygon/MultiPolygon）。")


def get_visible_unit(user: User, unit_id: Any, *, lock: bool = False) -> AdminUnit:
    # The tiles' 3857 copy is never needed here; it would double what a big parent costs to load.
    qs = AdminUnit.objects.visible_to(user).defer("geom_3857")
    if lock:
        qs = qs.select_for_update()
    try:
        return qs.get(pk=int(unit_id))
    except (AdminUnit.DoesNotExist, TypeError, ValueError):
        raise DomainError("not_found", "未找到该单位，或不在您的辖区内。", status_code=404) from None


def load_siblings(parent: AdminUnit, exclude: int | None = None, bbox: tuple | None = None) -> list[Sibling]:
    """The parent's other children; with ``bbox`` only those whose extent overlaps it (indexed)."""
    qs = AdminUnit.objects.filter(parent=parent).exclude(geom=None)
    if exclude is not None:
        qs = qs.exclude(pk=exclude)
    if bbox is not None:
        qs = qs.filter(geom__bboverlaps=GeosPolygon.from_bbox(bbox))
    return [Sibling(pk, to_shapely(g), name) for pk, name, g in qs.values_list("pk", "name", "geom")]


# --- history ------------------------------------------------------------------------------------


def ensure_baseline(unit: AdminUnit) -> bool:
    """A unit stored before history existed gets its current boundary as a baseline version.

    Returns whether the unit now has any version (False: no boundary before, nothing to keep)."""
    if BoundaryVersion.objects.filter(unit=unit).exists():
        return True
    if unit.geom is None:
        return False
    BoundaryVersion.objects.create(
        unit=unit, version=unit.boundary_version, geom=unit.geom, area_m2=unit.area_m2,
        at=unit.created_at or timezone.now(), operation=VersionOperation.BASELINE,
        reason="历史记录启用前的边界",
    )
    return True


def author_name(actor: Any) -> str:
    """How a version names its author: the person's display name (the username only if it has none)."""
    if actor is None:
        return "system"
    return getattr(actor, "display_name", "") or getattr(actor, "username", "")


def _record_version(
    unit: AdminUnit, operation: str, user: User, reason: str, report: dict[str, Any] | None = None
) -> BoundaryVersion:
    actor = user if getattr(user, "is_authenticated", False) else None
    return BoundaryVersion.objects.create(
        unit=unit, version=unit.boundary_version, geom=unit.geom, area_m2=unit.area_m2,
        author=actor, author_name=author_name(actor),
        at=timezone.now(), reason=reason[:500], operation=operation, report=_slim(report or {}),
    )


def _slim(report: dict[str, Any]) -> dict[str, Any]:
    """The report without geometries (history rows stay small; gaps can be recomputed)."""
    out = {k: v for k, v in report.items() if k not in ("gaps", "invalid_edges", "children_followed")}
    out["gaps_m2"] = [g["area_m2"] for g in report.get("gaps", [])]
    out["children_followed"] = [c["id"] for c in report.get("children_followed", [])]
    return out


def _store(unit: AdminUnit, geom: Any, operation: str, user: User, reason: str, report: dict | None = None) -> None:
    if ensure_baseline(unit):
        unit.boundary_version += 1
    unit.geom = to_geos(geom)
    unit.save()
    unit.refresh_from_db(fields=["area_m2"])  # computed by the trigger
    _record_version(unit, operation, user, reason, report)


def check_version(unit: AdminUnit, expected: Any) -> None:
    """409 when the unit changed since the client loaded it (another clerk saved in between)."""
    if expected in (None, ""):
        return
    try:
        expected = int(expected)
    except (TypeError, ValueError):
        raise DomainError("invalid_parameter", "version 应为整数。") from None
    if unit.boundary_version != expected:
        raise DomainError(
            "version_conflict",
            f"“{unit.name}”的边界刚被修改过（现在是第{unit.boundary_version}版，您看到的是第{expected}版），"
            "请刷新后再操作。",
            status_code=409, extra={"current_version": unit.boundary_version},
        )


# --- the pipeline with the database ---------------------------------------------------------------


def _run(parent: AdminUnit, geometry: Any, level: int, exclude: int | None) -> PipelineResult:
    if parent.geom is None:
        raise DomainError("parent_without_boundary", "上级单位还没有边界，请先绘制上级边界。")
    parent_geom = to_shapely(parent.geom)
    # Siblings beyond the snap window can neither overlap the drawing nor share an edge with it.
    margin = 3 * Metric.for_geometry(parent_geom).degrees(snap_tolerance_m(level))
    minx, miny, maxx, maxy = geometry.bounds
    siblings = load_siblings(parent, exclude=exclude, bbox=(minx - margin, miny - margin, maxx + margin, maxy + margin))
    with connection.cursor() as cur:
        # Planar areas in degrees², summed in the database: cheap, and comparable with each other.
        cur.execute(
            "SELECT ST_Area(p.geom), (SELECT COALESCE(SUM(ST_Area(c.geom)), 0) FROM adminunits_adminunit c"
            " WHERE c.parent_id = p.id AND c.id <> %s) FROM adminunits_adminunit p WHERE p.id = %s",
            [exclude or 0, parent.pk],
        )
        uncovered = cur.fetchone()
    return run_pipeline(
        geometry, parent_geom, siblings, level=level, uncovered_deg2=(float(uncovered[0]), float(uncovered[1])),
        all_siblings=lambda: load_siblings(parent, exclude=exclude),
    )


def preview(user: User, parent_id: Any, geometry: Any, unit_id: Any = None) -> PipelineResult:
    """The same pipeline as a save, nothing written (fast enough to call while dragging)."""
    unit = None
    if unit_id:
        unit = get_visible_unit(user, unit_id)
        permissions.check_can_reshape(user, unit)
        parent = AdminUnit.objects.defer("geom_3857").get(pk=unit.parent_id) if unit.parent_id else None
        level = unit.level
        if parent is None:
            raise DomainError("no_parent", "市级根单位没有上级，不经过吸附流程。")
    else:
        parent = get_visible_unit(user, parent_id)
        permissions.check_can_create_child(user, parent)
        level = parent.level + 1
    result = _run(parent, as_geometry(geometry), level, exclude=int(unit_id) if unit_id else None)
    if unit is not None:
        result.report["area_current_m2"] = round(unit.area_m2, 2) if unit.area_m2 is not None else None
    if unit is not None and unit.geom is not None:
        # Which children would follow (or the refusal a save would give), without writing.
        children = [Sibling(c.pk, to_shapely(c.geom), c.name)
                    for c in AdminUnit.objects.filter(parent=unit).exclude(geom=None).only("pk", "name", "geom")]
        if children:
            metric = Metric.for_geometry(result.geometry)
            changed, _orphan = follow_parent(to_shapely(unit.geom), result.geometry, children,
                                             tolerance_m=snap_tolerance_m(unit.level + 1))
            by_id = {c.id: c for c in children}
            result.report["children_followed"] = [
                {"id": cid, "name": by_id[cid].name, "area_before_m2": round(metric.area(by_id[cid].geom), 2),
                 "area_after_m2": round(metric.area(g), 2)}
                for cid, g in changed.items()
            ]
    return result


def next_code(parent: AdminUnit, kind: str) -> str:
    level = parent.level + 1
    width = CODE_LENGTH[level] - len(parent.code)
    low, high = _PART_RANGES.get(kind, (1, 10**width - 1))
    taken = {
        int(c[len(parent.code):])
        for c in AdminUnit.objects.filter(parent=parent).values_list("code", flat=True)
        if c.startswith(parent.code) and c[len(parent.code):].isdigit()
    }
    for part in range(low, high + 1):
        if part not in taken:
            return f"{parent.code}{part:0{width}d}"
    raise DomainError("code_exhausted", f"“{Kind(kind).label}”的编码已用完（{low}-{high}）。")


def create_unit(
    user: User, parent_id: Any, *, name: str, kind: str, geometry: Any, code: str | None = None,
    reason: str = "", attrs: dict[str, Any] | None = None, operation: str = VersionOperation.CREATE,
) -> SaveOutcome:
    parent = get_visible_unit(user, parent_id)
    permissions.check_can_create_child(user, parent)
    level = parent.level + 1
    if kind not in KINDS_BY_LEVEL.get(level, ()):
        allowed = "、".join(Kind(k).label for k in KINDS_BY_LEVEL.get(level, ()))
        raise DomainError("kind_invalid", f"第{level}级单位的类型应为：{allowed}。")
    name = (name or "").strip()
    if not name:
        raise DomainError("name_required", "请填写单位名称。")
    geom = as_geometry(geometry)
    with transaction.atomic(), audit_context.acting_as(user, audit_context.current().ip, reason):
        parent = AdminUnit.objects.select_for_update().defer("geom_3857").get(pk=parent.pk)
        code = code or next_code(parent, kind)
        validate_code(code, level, kind, parent.code)
        if AdminUnit.objects.filter(code=code).exists():
            raise DomainError("code_taken", f"代码{code}已被其他单位使用。")
        result = _run(parent, geom, level, exclude=None)
        unit = insert_unit(parent, kind=kind, code=code, name=name, geometry=result.geometry, attrs=attrs,
                           user=user, reason=reason, operation=operation, report=result.report)
        _store_noded(result, user)
    return SaveOutcome(unit, result.report)


def insert_unit(
    parent: AdminUnit, *, kind: str, code: str, name: str, geometry: Any, attrs: dict[str, Any] | None,
    user: User, reason: str, operation: str, report: dict[str, Any] | None,
) -> AdminUnit:
    """Write a new child whose outline has already been through the pipeline, with its first version
    (the caller holds the parent's lock and has checked the code)."""
    unit = AdminUnit(level=parent.level + 1, kind=kind, code=code, name=name, parent=parent, geom=to_geos(geometry))
    for key, value in (attrs or {}).items():
        if key in ("floors", "height_m", "building_use") and value is not None and unit.level == Level.BUILDING:
            setattr(unit, key, value)
    try:
        with transaction.atomic():
            unit.save()
    except IntegrityError as exc:
        raise DomainError("code_taken", f"代码{code}已被其他单位使用。") from exc
    unit.refresh_from_db(fields=["area_m2"])  # computed by the trigger
    _record_version(unit, operation, user, reason, report)
    return unit


NODE_REASON = "相邻单位边界保存时，在共享边上补充公共节点（形状不变）"


def _store_noded(result: PipelineResult, user: User) -> None:
    """Neighbours that gained shared-edge vertices: same shape, new version. Written with one
    UPDATE each (the trigger refreshes the 3857 copy), the versions in one INSERT, and one explicit
    audit event each — the model save()'s extra before-image read is not needed for a node."""
    if not result.noded_siblings:
        return
    versions = []
    for sib in AdminUnit.objects.filter(pk__in=list(result.noded_siblings)).defer("geom_3857").order_by("pk"):
        has_history = ensure_baseline(sib)
        new_version = sib.boundary_version + (1 if has_history else 0)
        geom = to_geos(result.noded_siblings[sib.pk])
        AdminUnit.objects.filter(pk=sib.pk).update(geom=geom, boundary_version=new_version, updated_at=timezone.now())
        area = AdminUnit.objects.filter(pk=sib.pk).values_list("area_m2", flat=True).first()
        actor = user if getattr(user, "is_authenticated", False) else None
        versions.append(BoundaryVersion(
            unit=sib, version=new_version, geom=geom, area_m2=area, author=actor,
            author_name=author_name(actor), at=timezone.now(),
            reason=NODE_REASON, operation=VersionOperation.NODE,
        ))
        audit_registry.record(
            Action.UPDATE, sib, sib.path, before={"boundary_version": sib.boundary_version},
            after={"boundary_version": new_version, "vertices": geom.num_coords}, reason=NODE_REASON, actor=actor,
        )
    BoundaryVersion.objects.bulk_create(versions)


def reshape_unit(
    user: User, unit_id: Any, geometry: Any, *, reason: str = "", operation: str = VersionOperation.RESHAPE,
    version: Any = None,
) -> SaveOutcome:
    unit = get_visible_unit(user, unit_id)
    permissions.check_can_reshape(user, unit)
    if unit.parent_id is None:
        raise DomainError("no_parent", "市级根单位的边界不能在此修改。")
    geom = as_geometry(geometry)
    with transaction.atomic(), audit_context.acting_as(user, audit_context.current().ip, reason):
        parent = AdminUnit.objects.select_for_update().defer("geom_3857").get(pk=unit.parent_id)
        unit = AdminUnit.objects.select_for_update().defer("geom_3857").get(pk=unit.pk)
        check_version(unit, version)
        old = to_shapely(unit.geom)
        result = _run(parent, geom, unit.level, exclude=unit.pk)
        report = dict(result.report)
        report["area_current_m2"] = round(unit.area_m2, 2) if unit.area_m2 is not None else None
        report["children_followed"] = propagate(unit, old, result.geometry, user, reason) if old is not None else []
        _store(unit, result.geometry, operation, user, reason, report)
        _store_noded(result, user)
    return SaveOutcome(unit, report)


def propagate(unit: AdminUnit, old: Any, new: Any, user: User, reason: str) -> list[dict[str, Any]]:
    """Children of ``unit`` follow its boundary change (recursively). Refusals roll back the save."""
    children = list(AdminUnit.objects.select_for_update().filter(parent=unit).exclude(geom=None)
                    .defer("geom_3857").order_by("pk"))
    if not children:
        return []
    sibs = [Sibling(c.pk, to_shapely(c.geom), c.name) for c in children]
    changed, orphan = follow_parent(old, new, sibs, tolerance_m=snap_tolerance_m(unit.level + 1))
    metric = Metric.for_geometry(new)
    out: list[dict[str, Any]] = []
    why = f"上级“{unit.name}”边界调整，共享边随之调整" + (f"：{reason}" if reason else "")
    for child in children:
        if child.pk not in changed:
            continue
        before = to_shapely(child.geom)
        after = changed[child.pk]
        grand = propagate(child, before, after, user, reason)
        child_report = {
            "area_before_m2": round(metric.area(before), 2), "area_after_m2": round(metric.area(after), 2),
            "children_followed": grand,
        }
        _store(child, after, VersionOperation.FOLLOW_PARENT, user, why, child_report)
        out.append({
            "id": child.pk, "code": child.code, "name": child.name, "version": child.boundary_version,
            "area_before_m2": child_report["area_before_m2"], "area_after_m2": child_report["area_after_m2"],
            "children_followed": grand,
        })
    if orphan:
        out.append({"id": None, "unassigned_gained_area": orphan})
    return out


def restore_version(user: User, unit_id: Any, version: Any, *, reason: str = "") -> SaveOutcome:
    """Restore an earlier boundary through the same pipeline (today's neighbours still win)."""
    unit = get_visible_unit(user, unit_id)
    try:
        old = BoundaryVersion.objects.get(unit=unit, version=int(version))
    except (BoundaryVersion.DoesNotExist, TypeError, ValueError):
        raise DomainError("version_not_found", f"“{unit.name}”没有第{version}版边界。", status_code=404) from None
    if old.geom is None:
        raise DomainError("empty_geometry", "该历史版本没有边界。")
    reason = reason or f"恢复到第{old.version}版"
    return reshape_unit(user, unit.pk, to_shapely(old.geom), reason=reason, operation=VersionOperation.RESTORE)
