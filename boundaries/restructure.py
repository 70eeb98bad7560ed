"""Splitting a unit in two along a drawn line, and merging two neighbouring units.

Both go through the save pipeline (``services._run``) in ONE transaction that locks the parent,
then the units (top-down, as every boundary save does), so a split or merge racing another save
under the same parent is serialised and the siblings still tile the parent afterwards. Each unit
gets a new boundary version with the operation and the clerk's reason; the children of a piece
that becomes a new unit (a compound's buildings) move under it with codes of the new parent.

Why these exist: when a community's compounds already tile it, a clerk can only add a compound
by taking its land from a neighbour: cut one in two, or join two and redraw.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import shapely
from audit import context as audit_context
from core.errors import DomainError
from django.db import IntegrityError, transaction
from django.db.models import ForeignObjectRel, Model
from shapely.geometry import LineString, MultiPolygon
from shapely.ops import split as split_polygon

from . import permissions
from .geometry import Metric, polygonal
from .levels import Level
from .models import AdminUnit, VersionOperation
from .pipeline import snap_tolerance_m
from .services import (
    _record_version,
    _run,
    _store,
    _store_noded,
    check_version,
    get_visible_unit,
    next_code,
    to_geos,
    to_shapely,
)


@dataclass
class Restructured:
    """The units a split or merge left, and what it did."""

    unit: AdminUnit
    created: AdminUnit | None = None
    report: dict[str, Any] = field(default_factory=dict)


# --- checks shared by preview and save ----------------------------------------------------------


def parse_cut_line(value: Any) -> LineString:
    """A GeoJSON LineString (or a Feature holding one) with at least two distinct positions."""
    if isinstance(value, dict) and value.get("type") == "Feature":
        value = value.get("geometry")
    if not isinstance(value, dict) or value.get("type") != "LineString":
        raise DomainError("line_format", "切割线应为 GeoJSON 线（LineString）。")
    try:
        xy = np.asarray(value.get("coordinates"), dtype=float)
    except (TypeError, ValueError):
        raise DomainError("line_format", "切割线的坐标格式有误。") from None
    if xy.ndim != 2 or xy.shape[0] < 2 or xy.shape[1] < 2:
        raise DomainError("line_format", "切割线至少需要两个点。")
    xy = xy[:, :2]
    if not np.isfinite(xy).all() or (np.abs(xy[:, 0]) > 180).any() or (np.abs(xy[:, 1]) > 90).any():
        raise DomainError("coords_out_of_range", "切割线的坐标超出经纬度范围。")
    if len(np.unique(xy, axis=0)) < 2:
        raise DomainError("line_format", "切割线至少需要两个不同的点。")
    if len(xy) > 5_000:
        raise DomainError("too_many_vertices", "切割线的点太多（上限5000个）。")
    return LineString(xy)


def _extend(line: LineString, by: float) -> LineString:
    """The line with both end segments lengthened by ``by`` (degrees): an end the hand (or the
    browser's rounding to 1e-9°) left just short of the boundary still cuts across it."""
    xy = np.asarray(line.coords)

    def push(end: np.ndarray, towards: np.ndarray) -> np.ndarray:
        d = end - towards
        n = float(np.hypot(*d))
        return end if n == 0 else end + d / n * by

    xy[0] = push(xy[0], xy[1])
    xy[-1] = push(xy[-1], xy[-2])
    return LineString(xy)


def _pieces(unit: AdminUnit, line: LineString) -> tuple[MultiPolygon, MultiPolygon]:
    """The unit's boundary cut by the line: (larger piece, smaller piece)."""
    geom = to_shapely(unit.geom)
    if geom is None or geom.is_empty:
        raise DomainError("empty_geometry", f"“{unit.name}”还没有边界，不能分割。")
    metric = Metric.for_geometry(geom)
    cut = _extend(line, metric.degrees(snap_tolerance_m(unit.level)))
    if not shapely.intersects(cut, geom):
        raise DomainError("split_line_outside", f"切割线没有经过“{unit.name}”，请在该单位上画线。")
    dust = metric.dust_deg2() * 100  # slivers under 1 m² are not a piece of territory
    parts = [p for p in shapely.get_parts(split_polygon(geom, cut)) if p.area >= dust]
    if len(parts) < 2:
        raise DomainError(
            "split_line_not_crossing",
            f"切割线没有把“{unit.name}”分成两部分：请从边界的一侧画到另一侧（两端落在边界上或边界外）。",
        )
    if len(parts) > 2:
        raise DomainError(
            "split_too_many_parts", f"切割线把“{unit.name}”分成了{len(parts)}块；一次只能一分为二，请画一条只穿过一次的线。",
            extra={"parts": len(parts)},
        )
    a, b = sorted(parts, key=lambda p: -p.area)
    return polygonal(a), polygonal(b)


def _side_of_children(unit: AdminUnit, small: MultiPolygon) -> tuple[list[AdminUnit], list[AdminUnit]]:
    """Children wholly on the larger side, and those on the smaller side; a child the line cuts
    through is refused (a building is not split by redrawing a compound)."""
    metric = Metric.for_geometry(small)
    tol_m2 = 1.0
    stay: list[AdminUnit] = []
    move: list[AdminUnit] = []
    for child in AdminUnit.objects.filter(parent=unit).exclude(geom=None).defer("geom_3857").order_by("code"):
        g = to_shapely(child.geom)
        in_small = metric.area(shapely.intersection(g, small))
        rest = metric.area(g) - in_small
        if in_small > tol_m2 and rest > tol_m2:
            raise DomainError(
                "split_crosses_child", f"切割线穿过了下级单位“{child.name}”，请让切割线绕开它。",
                extra={"child": child.pk},
            )
        (move if in_small > rest else stay).append(child)
    return stay, move


# --- moving a subtree under a new parent -----------------------------------------------------------


def move_subtree(unit: AdminUnit, new_parent: AdminUnit) -> None:
    """Put ``unit`` (and its subtree) under ``new_parent``: a new code in the parent's range, and
    every descendant's code and path re-prefixed. Saved row by row so each change is audited."""
    old_code, old_path = unit.code, unit.path
    unit.parent = new_parent
    unit.code = next_code(new_parent, unit.kind)
    unit.save()  # recomputes the path
    for d in AdminUnit.objects.filter(path__startswith=old_path).exclude(pk=unit.pk).order_by("level", "code"):
        d.code = unit.code + d.code[len(old_code):]
        d.parent = AdminUnit.objects.get(pk=int(d.parent_id or 0))  # its path is already the new one
        d.save()


def _refuse_building(unit: AdminUnit) -> None:
    """A building's dwellings (entrance, floor, room) are not land to cut or pool: a building is
    redrawn, or removed and drawn anew, never split or merged."""
    if unit.level == Level.BUILDING:
        raise DomainError("building_not_restructured", "楼栋不能分割或合并；请修改楼栋轮廓，或删除后重新绘制。")


# --- split ----------------------------------------------------------------------------------------


def split_unit(
    user: Any, unit_id: Any, line: Any, *, name: str, reason: str = "", version: Any = None
) -> Restructured:
    """Cut a unit in two: the larger piece keeps the unit (code, name, history), the smaller one
    becomes a new sibling called ``name``; the children on the smaller side move under it."""
    unit = get_visible_unit(user, unit_id)
    permissions.check_can_reshape(user, unit)
    if unit.parent_id is None:
        raise DomainError("no_parent", "市级根单位不能分割。")
    _refuse_building(unit)
    parent = get_visible_unit(user, unit.parent_id)
    permissions.check_can_create_child(user, parent)
    name = (name or "").strip()
    if not name:
        raise DomainError("name_required", "请填写分出的新单位名称。")
    if AdminUnit.objects.filter(parent=parent, name=name).exclude(pk=unit.pk).exists() or name == unit.name:
        raise DomainError("name_taken", f"“{parent.name}”下已有名为“{name}”的单位。")
    cut = parse_cut_line(line)
    why = reason or "分割"
    with transaction.atomic(), audit_context.acting_as(user, audit_context.current().ip, why):
        parent = AdminUnit.objects.select_for_update().defer("geom_3857").get(pk=parent.pk)
        unit = AdminUnit.objects.select_for_update().defer("geom_3857").get(pk=unit.pk)
        check_version(unit, version)
        keep, new = _pieces(unit, cut)
        _stay, move = _side_of_children(unit, new)
        area_before = unit.area_m2
        # The new piece first, with the old unit left out of the siblings (it still covers the
        # piece); then the kept piece, against the new sibling, which now holds the cut edge.
        new_result = _run(parent, new, unit.level, exclude=unit.pk)
        created = AdminUnit(level=unit.level, kind=unit.kind, name=name, parent=parent,
                            code=next_code(parent, unit.kind), geom=to_geos(new_result.geometry))
        created.save()
        created.refresh_from_db(fields=["area_m2"])
        note = f"由“{unit.name}”（{unit.code}）分出" + (f"：{reason}" if reason else "")
        _record_version(created, VersionOperation.SPLIT, user, note, new_result.report)
        _store_noded(new_result, user)
        keep_result = _run(parent, keep, unit.level, exclude=unit.pk)
        report = dict(keep_result.report)
        for child in move:
            move_subtree(child, created)
        report.update({
            "area_current_m2": round(area_before, 2) if area_before is not None else None,
            "split_into": {"id": created.pk, "code": created.code, "name": created.name,
                           "area_m2": round(created.area_m2 or 0.0, 2)},
            "children_moved": [{"id": c.pk, "code": c.code, "name": c.name} for c in move],
        })
        _store(unit, keep_result.geometry, VersionOperation.SPLIT, user,
               f"分出“{name}”" + (f"：{reason}" if reason else ""), report)
        _store_noded(keep_result, user)
    return Restructured(unit=unit, created=created, report=report)


# --- merge ----------------------------------------------------------------------------------------


def _shared_edge_m(a: Any, b: Any, metric: Metric) -> float:
    return metric.length(shapely.intersection(shapely.boundary(a), shapely.boundary(b)))


def _move_references(source: AdminUnit, target: AdminUnit) -> dict[str, int]:
    """Point every record attached to ``source`` (places, households...) at ``target``.

    Children are moved by ``move_subtree`` (their codes change), versions stay with the unit and
    go with it; accounts are not moved: a person's jurisdiction never widens without an
    administrator deciding it, so a unit that still has accounts is refused."""
    moved: dict[str, int] = {}
    # Hidden relations (related_name="+") included: they protect a row just the same.
    rels = [f for f in AdminUnit._meta.get_fields(include_hidden=True)
            if isinstance(f, ForeignObjectRel) and (f.one_to_many or f.one_to_one)]
    for rel in rels:
        model: type[Model] = rel.related_model
        if rel.field.name == "parent" and model is AdminUnit:
            continue
        if model._meta.label == "adminunits.BoundaryVersion":
            continue
        accessor = rel.field.name
        qs = model._base_manager.filter(**{accessor: source})
        if not qs.exists():
            continue
        if model._meta.label == "accounts.User":
            raise DomainError(
                "merge_has_accounts",
                f"“{source.name}”还有{qs.count()}个账号，请先由管理员把账号调到其他单位再合并。",
            )
        if rel.field.primary_key:
            continue  # a row keyed by the unit itself (derived data such as cached figures) goes with it
        if rel.one_to_one and model._base_manager.filter(**{accessor: target}).exists():
            raise DomainError(
                "merge_conflict",
                f"“{source.name}”和“{target.name}”都有{model._meta.verbose_name}记录，请先处理其中一个。",
            )
        n = 0
        for obj in qs:
            setattr(obj, accessor, target)
            try:
                with transaction.atomic():  # a savepoint: a clash must not poison the transaction
                    obj.save(update_fields=[rel.field.attname])
            except IntegrityError:
                raise DomainError(
                    "merge_conflict",
                    f"“{source.name}”的{model._meta.verbose_name}“{obj}”与“{target.name}”的重名，请先改名或合并它们。",
                ) from None
            n += 1
        moved[model._meta.label] = n
    return moved


def merge_units(
    user: Any, unit_id: Any, other_id: Any, *, name: str = "", reason: str = "",
    version: Any = None, other_version: Any = None,
) -> Restructured:
    """Join ``other`` into ``unit``: the unit keeps its code and history and takes both areas, the
    other's children move under it, and the other unit is removed (its removal is audited and
    the merged version's report names it)."""
    unit = get_visible_unit(user, unit_id)
    other = get_visible_unit(user, other_id)
    if unit.pk == other.pk:
        raise DomainError("merge_same_unit", "请选择另一个相邻单位来合并。")
    permissions.check_can_reshape(user, unit)
    permissions.check_can_reshape(user, other)
    _refuse_building(unit)
    if unit.parent_id != other.parent_id or unit.parent_id is None:
        raise DomainError("merge_not_siblings", f"“{unit.name}”和“{other.name}”不属于同一个上级单位，不能合并。")
    new_name = (name or "").strip() or unit.name
    why = reason or "合并"
    with transaction.atomic(), audit_context.acting_as(user, audit_context.current().ip, why):
        parent = AdminUnit.objects.select_for_update().defer("geom_3857").get(pk=unit.parent_id)
        first, second = sorted([unit.pk, other.pk])  # a fixed order: two merges never deadlock
        locked = {u.pk: u for u in AdminUnit.objects.select_for_update().defer("geom_3857").filter(pk__in=[first, second])}
        unit, other = locked[unit.pk], locked[other.pk]
        check_version(unit, version)
        check_version(other, other_version)
        a, b = to_shapely(unit.geom), to_shapely(other.geom)
        if a is None or b is None:
            raise DomainError("empty_geometry", "两个单位都要有边界才能合并。")
        metric = Metric.for_geometry(a)
        if _shared_edge_m(a, b, metric) < 0.5:
            raise DomainError("merge_not_adjacent", f"“{unit.name}”和“{other.name}”没有共同边界，不能合并。")
        if new_name != unit.name and AdminUnit.objects.filter(parent=parent, name=new_name).exclude(
                pk__in=[unit.pk, other.pk]).exists():
            raise DomainError("name_taken", f"“{parent.name}”下已有名为“{new_name}”的单位。")
        merged = polygonal(shapely.union_all([a, b]))
        gone = {"id": other.pk, "code": other.code, "name": other.name, "kind": other.kind,
                "version": other.boundary_version, "area_m2": round(other.area_m2 or 0.0, 2)}
        children = list(AdminUnit.objects.filter(parent=other).order_by("code"))
        for child in children:
            move_subtree(child, unit)
        moved_refs = _move_references(other, unit)
        other.delete()
        result = _run(parent, merged, unit.level, exclude=unit.pk)
        report = dict(result.report)
        report.update({
            "area_current_m2": round(unit.area_m2, 2) if unit.area_m2 is not None else None,
            "merged_from": gone,
            "children_moved": [{"id": c.pk, "code": c.code, "name": c.name} for c in children],
            "records_moved": moved_refs,
        })
        if new_name != unit.name:
            unit.name = new_name
        _store(unit, result.geometry, VersionOperation.MERGE, user,
               f"并入“{gone['name']}”（{gone['code']}）" + (f"：{reason}" if reason else ""), report)
        _store_noded(result, user)
    return Restructured(unit=unit, report=report)
