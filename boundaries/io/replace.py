"""Replace a whole level: the file holds ALL children of the parent, re-tiling it.

Importing such a file feature by feature (``merge``) can never pass when outlines move: each
feature would be snapped to and kept off the OLD outlines of its siblings, which the same file is
replacing. Here the file is a coverage of the parent, checked as a whole before anything is
touched, then written as a whole:

1. Match features to the children (code, then name); the rest are new children. Each feature's own
   first fault (``features.check_geometry``, far outside, no name...) rejects it, as in ``merge``.
2. Each feature goes through the save pipeline against the PARENT only (snap to it, clip to it):
   a part outside the parent wider than the snap tolerance is a fault, a thinner sliver is clipped.
3. Two features overlapping by more than the snap tolerance (a region wider than it) are a fault,
   reported with the pair, m² and location; thinner slivers are digitising noise the next step
   resolves.
4. The features are fitted together with the same pipeline, each against the file's EARLIER
   features as its siblings (never the stored outlines): snapped, slivers removed, shared edges
   noded. Where the level must tile its parent (``pipeline.coverage_expected``) the gaps left are
   faults, with m² and location.
5. Children the file leaves out are removed when nothing hangs on them (no children, no houses,
   residents, accounts or any other record), else the import is refused
   (``missing_child_in_use``).
6. Writing, in the same transaction: removals (audited, with the outline in the audit record),
   then every matched child (its children follow as in a reshape: ``services.propagate``) and every
   new one, each with an ``import`` version.

The parent and its children are locked first (``select_for_update``, parent before children as
every save does): a concurrent save waits, and one made against a version the import changed gets
409. A real run is given the versions its dry run saw (``versions``) and answers 409 when the
children changed in between. A dry run is the same code rolled back.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import shapely
from audit import context as audit_context
from core.errors import DomainError
from django.db import transaction
from django.db.models import ForeignObjectRel

from .. import permissions
from ..codes import validate_code
from ..geometry import Metric, polygonal, to_geojson
from ..models import AdminUnit, BoundaryVersion, VersionOperation
from ..pipeline import Sibling, coverage_expected, coverage_report, run_pipeline, snap_tolerance_m
from ..services import _store, check_version, insert_unit, next_code, propagate, to_shapely
from .features import brief, check_geometry, check_near_parent, error_of, kind_for, where
from .reader import RawFeature

if TYPE_CHECKING:
    from accounts.models import User


@dataclass
class Item:
    """One feature of the file on its way through the checks."""

    feature: RawFeature
    row: dict[str, Any]
    target: AdminUnit | None = None
    kind: str = ""
    geom: Any = None
    first: dict[str, Any] = field(default_factory=dict)  # pipeline report against the parent only

    @property
    def ok(self) -> bool:
        return "error" not in self.row


def replace_children(
    user: User, parent: AdminUnit, features: list[RawFeature], head: dict[str, Any], *, kind: str | None,
    reason: str, dry_run: bool, versions: dict[str, Any] | None,
) -> dict[str, Any]:
    level = parent.level + 1
    with transaction.atomic(), audit_context.acting_as(user, audit_context.current().ip, reason):
        parent = AdminUnit.objects.select_for_update().defer("geom_3857").get(pk=parent.pk)
        children = list(AdminUnit.objects.select_for_update().filter(parent=parent).defer("geom_3857").order_by("pk"))
        _check_versions(children, versions)
        seen = {str(c.pk): c.boundary_version for c in children}  # what a confirmation must find again
        parent_geom = to_shapely(parent.geom)
        metric = Metric.for_geometry(parent_geom)
        tol = metric.degrees(snap_tolerance_m(level))
        items = _match(user, parent, children, features, level, kind)
        for it in items:
            if it.ok:
                _against_parent(it, parent, parent_geom, metric, level, tol)
        overlaps = _overlaps([it for it in items if it.ok], metric, tol)
        gaps: list[dict[str, Any]] = []
        coverage: dict[str, Any] = {"must_tile": coverage_expected(level), "checked": False}
        if all(it.ok for it in items) and not overlaps:
            _fit_together(items, parent_geom, level, metric)
            if all(it.ok for it in items):
                cov = coverage_report(parent_geom, [it.geom for it in items], level=level, metric=metric)
                gaps = [_located(g) for g in cov["gaps"]]
                coverage.update(checked=True, coverage_valid=cov["coverage_valid"], invalid_edges=cov["invalid_edges"])
        claimed = {it.target.pk for it in items if it.target is not None}
        missing = [_missing_row(user, c) for c in children if c.pk not in claimed]
        if not _faults([it.row for it in items], missing, overlaps, gaps):
            _write(user, parent, items, missing, children, reason)
        rows = [it.row for it in items]  # the writing may have refused some (a grandchild emptied...)
        summary = {a: sum(1 for r in rows if r["action"] == a) for a in ("matched", "created", "rejected")}
        summary.update(removed=sum(m["action"] == "removed" for m in missing),
                       missing_in_use=sum(m["action"] == "rejected" for m in missing),
                       overlaps=len(overlaps), gaps=len(gaps))
        result = {
            **head, "summary": summary, "features": rows, "missing": missing, "overlaps": overlaps, "gaps": gaps,
            "coverage": coverage, "versions": seen,
            "ok": not _faults(rows, missing, overlaps, gaps),
        }
        if dry_run:
            transaction.set_rollback(True)
        elif not result["ok"]:
            raise DomainError("import_rejected", _rejection_message(summary), extra=result)
    return result


def _faults(rows: list[dict[str, Any]], missing: list[dict[str, Any]], overlaps: list[Any], gaps: list[Any]) -> int:
    return (sum(r["action"] == "rejected" for r in rows) + sum(m["action"] == "rejected" for m in missing)
            + len(overlaps) + len(gaps))


def _rejection_message(summary: dict[str, int]) -> str:
    parts = []
    if summary["rejected"]:
        parts.append(f"{summary['rejected']}个要素无法导入")
    if summary["overlaps"]:
        parts.append(f"{summary['overlaps']}处要素相互重叠")
    if summary["gaps"]:
        parts.append(f"{summary['gaps']}处缝隙未覆盖")
    if summary["missing_in_use"]:
        parts.append(f"{summary['missing_in_use']}个文件中没有的下级单位仍在使用")
    return "整级替换未通过：" + "，".join(parts) + "。全部未写入，请先修正文件（可先试运行查看原因）。"


# --- 0. concurrency ---------------------------------------------------------------------------------


def _check_versions(children: list[AdminUnit], versions: dict[str, Any] | None) -> None:
    """The children as the dry run saw them, or 409: someone saved under this parent in between."""
    if versions is None:
        return
    if not isinstance(versions, dict):
        raise DomainError("invalid_parameter", "versions 应为 {单位id: 边界版本} 的对象。")
    versions = {str(k): v for k, v in versions.items()}
    if set(versions) != {str(c.pk) for c in children}:
        raise DomainError(
            "children_changed", "试运行之后，本级单位有新增或删除，请重新试运行后再确认导入。", status_code=409)
    for c in children:
        check_version(c, versions[str(c.pk)])


# --- 1. matching --------------------------------------------------------------------------------------


def _match(
    user: User, parent: AdminUnit, children: list[AdminUnit], features: list[RawFeature], level: int,
    kind: str | None,
) -> list[Item]:
    by_code = {u.code: u for u in children}
    by_name = {u.name: u for u in children}
    claimed: dict[int, int] = {}  # unit id -> index of the feature that took it
    new_codes: dict[str, int] = {}
    # Codes of the file already held by some unit, in one query (a level can have thousands of features).
    taken = set(AdminUnit.objects.filter(code__in=[f.code for f in features if f.code]).values_list("code", flat=True))
    items = []
    for f in features:
        it = Item(f, {"index": f.index, "code": f.code, "name": f.name})
        try:
            check_geometry(f.geometry)
            target = by_code.get(f.code) if f.code else None
            matched_by = "code" if target else None
            if target is None and f.name and f.name in by_name:
                target, matched_by = by_name[f.name], "name"
            if target is not None:
                if target.pk in claimed:
                    raise DomainError(
                        "duplicate_feature", f"与第{claimed[target.pk] + 1}个要素对应同一个单位“{target.name}”。",
                        extra={"other": claimed[target.pk], "unit": target.pk})
                permissions.check_can_reshape(user, target)
                claimed[target.pk] = f.index
                it.target = target
                it.row.update(action="matched", matched_by=matched_by, unit=target.pk)
            else:
                if not f.name:
                    raise DomainError("name_required", "新建单位需要名称（name/名称 字段）。")
                it.kind = kind_for(level, f.kind, f.code, f.name, kind)
                if f.code:
                    validate_code(f.code, level, it.kind, parent.code)
                    if f.code in new_codes:
                        raise DomainError("duplicate_code", f"代码{f.code}与第{new_codes[f.code] + 1}个要素重复。",
                                          extra={"other": new_codes[f.code]})
                    if f.code in taken:
                        raise DomainError("code_taken", f"代码{f.code}已被其他单位使用。")
                    new_codes[f.code] = f.index
                it.row.update(action="created", kind=it.kind)
        except DomainError as exc:
            _reject(it, exc)
        items.append(it)
    return items


def _reject(it: Item, exc: DomainError) -> None:
    it.row.update(action="rejected", error=error_of(exc))
    it.row.setdefault("geometry", to_geojson(it.geom if it.geom is not None else it.feature.geometry))


# --- 2. against the parent ----------------------------------------------------------------------------


def _wider_than(region: Any, tol: float, metric: Metric) -> Any:
    """The part of ``region`` more than tol/2 from its edge (empty when the region is a sliver no
    wider than the snap tolerance, which snapping resolves)."""
    return polygonal(shapely.buffer(region, -tol / 2), metric.dust_deg2())


def _against_parent(it: Item, parent: AdminUnit, parent_geom: Any, metric: Metric, level: int, tol: float) -> None:
    raw = it.feature.geometry
    try:
        check_near_parent(raw, parent, parent_geom, metric)
        res = run_pipeline(raw, parent_geom, [], level=level, check_coverage=False)
        outside = polygonal(shapely.difference(shapely.make_valid(raw), parent_geom), metric.dust_deg2())
        core = _wider_than(outside, tol, metric)
        if not core.is_empty:
            at = where(shapely.point_on_surface(core))
            area = round(metric.area(outside), 2)
            raise DomainError(
                "extends_outside_parent",
                f"要素有约{area:,.0f}平方米超出上级“{parent.name}”，超出宽度大于吸附容差"
                f"（{snap_tolerance_m(level):g}米）；位于 {at}。",
                extra={"area_m2": area, "location": at})
    except DomainError as exc:
        _reject(it, exc)
        return
    it.geom = res.geometry
    it.first = res.report
    it.row["geometry"] = to_geojson(it.geom)  # replaced by the fitted outline when the file passes


# --- 3. overlaps within the file ----------------------------------------------------------------------


def _overlaps(items: list[Item], metric: Metric, tol: float) -> list[dict[str, Any]]:
    if len(items) < 2:
        return []
    geoms = np.array([it.geom for it in items], dtype=object)
    a, b = shapely.STRtree(geoms).query(geoms, predicate="intersects")
    keep = a < b
    a, b = a[keep], b[keep]
    if not len(a):
        return []
    inner = ~shapely.touches(geoms[a], geoms[b])
    a, b = a[inner], b[inner]
    dust = metric.dust_deg2()
    out = []
    for i, j, ov in zip(a, b, shapely.intersection(geoms[a], geoms[b]), strict=True):
        ov = polygonal(ov, dust)
        if ov.is_empty:
            continue
        core = _wider_than(ov, tol, metric)
        if core.is_empty:
            continue
        fi, fj = items[i], items[j]
        area = round(metric.area(ov), 2)
        at = where(shapely.point_on_surface(core))
        out.append({"features": [fi.feature.index, fj.feature.index], "names": [fi.feature.name, fj.feature.name],
                    "area_m2": area, "location": at, "geometry": to_geojson(ov)})
        for me, other in ((fi, fj), (fj, fi)):
            if me.ok:
                _reject(me, DomainError(
                    "overlaps_feature",
                    f"与第{other.feature.index + 1}个要素“{other.feature.name}”重叠约{area:,.0f}平方米；位于 {at}。",
                    extra={"other": other.feature.index, "area_m2": area, "location": at}))
    return out


# --- 4. fitted together -------------------------------------------------------------------------------


def _fit_together(items: list[Item], parent_geom: Any, level: int, metric: Metric) -> None:
    """Each feature through the pipeline with the file's earlier features as its siblings; a sibling
    that gains shared-edge vertices (noding) is updated in place."""
    for k, it in enumerate(items):
        sibs = [Sibling(-(j + 1), items[j].geom, items[j].feature.name) for j in range(k)]
        try:
            res = run_pipeline(it.geom, parent_geom, sibs, level=level, check_coverage=False)
        except DomainError as exc:
            _reject(it, exc)
            continue
        for sid, g in res.noded_siblings.items():
            items[-sid - 1].geom = g
        it.geom = res.geometry
        report = brief(res.report)
        report.update(
            area_before_m2=it.first.get("area_before_m2"), clipped_m2=it.first.get("clipped_m2"),
            vertices_moved=int(it.first.get("vertices_moved", 0)) + int(res.report.get("vertices_moved", 0)),
            shared_with=[items[-s - 1].feature.index for s in res.report.get("shared_with", [])],
        )
        it.row["report"] = report
    for it in items:
        if it.ok:
            it.row["geometry"] = to_geojson(it.geom)  # noding may have changed an earlier one


def _located(gap: dict[str, Any]) -> dict[str, Any]:
    g = shapely.geometry.shape(gap["geometry"])
    return {"area_m2": gap["area_m2"], "location": where(shapely.point_on_surface(g)), "geometry": gap["geometry"]}


# --- 5. children left out -----------------------------------------------------------------------------


def attached_records(unit: AdminUnit) -> dict[str, int]:
    """What still hangs on a unit, by model's verbose name: its children and every record pointing at
    it (houses, households, residents, accounts, places, notices...). Not counted: its own boundary
    versions (they go with it) and rows keyed by the unit itself (derived figures kept by triggers)."""
    out: dict[str, int] = {}
    rels = [f for f in AdminUnit._meta.get_fields(include_hidden=True) if isinstance(f, ForeignObjectRel)]
    for rel in rels:
        model = rel.related_model
        if model is BoundaryVersion or getattr(rel.field, "primary_key", False):
            continue
        n = model._base_manager.filter(**{rel.field.name: unit}).count()
        if n:
            label = "下级单位" if model is AdminUnit else str(model._meta.verbose_name)
            out[label] = out.get(label, 0) + n
    return out


def _missing_row(user: User, child: AdminUnit) -> dict[str, Any]:
    row: dict[str, Any] = {"unit": child.pk, "code": child.code, "name": child.name,
                           "area_m2": round(child.area_m2 or 0.0, 2), "geometry": to_geojson(to_shapely(child.geom))}
    attached = attached_records(child)
    if attached:
        what = "、".join(f"{k}{v}条" if k != "下级单位" else f"{k}{v}个" for k, v in attached.items())
        row.update(action="rejected", error={
            "code": "missing_child_in_use", "attached": attached,
            "detail": f"文件中没有“{child.name}”，但它仍有{what}，不能删除。请把它加入文件，或先迁移这些数据。"})
    elif not permissions.can_reshape(user, child):
        row.update(action="rejected", error={"code": "forbidden_level",
                                             "detail": f"文件中没有“{child.name}”，您无权删除该单位。"})
    else:
        row["action"] = "removed"
    return row


# --- 6. writing ---------------------------------------------------------------------------------------


def _write(
    user: User, parent: AdminUnit, items: list[Item], missing: list[dict[str, Any]], children: list[AdminUnit],
    reason: str,
) -> None:
    """Removals, then every matched child (children follow), then the new ones; a refusal on the way
    (a grandchild that would be emptied or split, a code clash) lands on its row."""
    by_id = {c.pk: c for c in children}
    for m in missing:
        by_id[m["unit"]].delete()  # audited with its last outline; its versions go with it
    for it in items:
        sid = transaction.savepoint()
        try:
            _write_one(user, parent, it, reason)
            transaction.savepoint_commit(sid)
        except DomainError as exc:
            transaction.savepoint_rollback(sid)
            _reject(it, exc)


def _write_one(user: User, parent: AdminUnit, it: Item, reason: str) -> None:
    if it.target is not None:
        unit = it.target
        old = to_shapely(unit.geom)
        if old is not None and shapely.equals_exact(shapely.normalize(polygonal(old)),
                                                    shapely.normalize(polygonal(it.geom)), 0.0):
            it.row["unchanged"] = True
            return
        report = dict(it.row.get("report", {}))
        report["area_current_m2"] = round(unit.area_m2, 2) if unit.area_m2 is not None else None
        report["children_followed"] = propagate(unit, old, it.geom, user, reason) if old is not None else []
        _store(unit, it.geom, VersionOperation.IMPORT, user, reason, report)
        it.row["version"] = unit.boundary_version
        it.row["children_followed"] = [c["id"] for c in report["children_followed"] if c.get("id")]
        return
    f = it.feature
    unit = insert_unit(parent, kind=it.kind, code=f.code or next_code(parent, it.kind), name=f.name, geometry=it.geom,
                       attrs=f.attrs, user=user, reason=reason, operation=VersionOperation.IMPORT,
                       report=it.row.get("report"))
    it.row.update(unit=unit.pk, code=unit.code, version=unit.boundary_version)
