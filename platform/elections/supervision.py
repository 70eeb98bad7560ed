"""Live supervision: every election of a round in the user's jurisdiction with its stage, the deadlines
at risk, exceptions and roll counts — the list beside the map layer, and the xlsx report per town or
district (a background job): "平台自动统计完成情况，自动生成报表"."""
from __future__ import annotations

import datetime as dt
import io
from typing import Any

from core import roles
from core.errors import DomainError
from django.db.models import Count, Q
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font

from boundaries.levels import Level

from . import calendar
from .codes import ObjectionStatus, Stage, StopStatus, VoterStatus
from .models import Election

#: The map's colour for each stage (the layer's legend and the list use the same).
STAGE_COLOURS: dict[str, str] = {
    Stage.REGISTRATION: "#9e9e9e", Stage.ROLL_REVIEW: "#b0bec5", Stage.ROLL_PUBLISHED: "#90caf9",
    Stage.NOMINATION: "#64b5f6", Stage.CANDIDATES: "#4db6ac", Stage.JOINT_REVIEW: "#26a69a",
    Stage.POLLING: "#ffb74d", Stage.COUNTING: "#ffa726", Stage.RESULTS: "#81c784", Stage.HANDOVER: "#66bb6a",
    Stage.ARCHIVED: "#388e3c",
}
STOPPED_COLOUR = "#e53935"


def risks(e: Election, today: dt.date, pending_late: int) -> list[str]:
    """Deadlines at risk or missed: the roll not published by its last day (or within 3 days of it),
    objections not decided in time."""
    out = []
    if e.roll_published_at is None and e.stage in (Stage.REGISTRATION, Stage.ROLL_REVIEW):
        d = calendar.deadlines(election_day=e.election_day, body=e.body, province=e.rule_province)
        left = (d.roll_publish_by - today).days
        if left < 0:
            out.append(f"选民名单已超过最迟公布日（{d.roll_publish_by.isoformat()}）")
        elif left <= 3:
            out.append(f"选民名单须在 {d.roll_publish_by.isoformat()} 前公布（剩 {left} 天）")
    if pending_late:
        out.append(f"{pending_late} 件异议超过处理期限")
    return out


def elections_for(user: Any, round: str, unit: Any = None) -> list[dict[str, Any]]:
    today = timezone.localdate()
    qs = Election.objects.visible_to(user).filter(round=round)
    if unit is not None:
        qs = qs.filter(unit__path__startswith=unit.path)
    qs = (qs.select_related("unit", "unit__parent").defer("unit__geom", "unit__geom_3857", "unit__parent__geom",
                                                           "unit__parent__geom_3857")
          .annotate(roll_size=Count("voters", filter=Q(voters__status=VoterStatus.ON_ROLL), distinct=True),
                    open_stops=Count("stops", filter=Q(stops__status=StopStatus.OPEN), distinct=True),
                    late=Count("objections", filter=Q(objections__status=ObjectionStatus.PENDING,
                                                      objections__decide_by__lt=today), distinct=True))
          .order_by("unit__code"))
    out = []
    for e in qs:
        r = risks(e, today, e.late)
        out.append({
            "id": e.pk, "unit": e.unit_id, "unit_code": e.unit.code, "unit_name": e.unit.name,
            "town": e.unit.parent.name if e.unit.parent else "", "body": e.get_body_display(),
            "election_day": e.election_day.isoformat(), "stage": e.stage, "stage_label": e.get_stage_display(),
            "colour": STOPPED_COLOUR if e.stopped else STAGE_COLOURS[e.stage], "stopped": e.stopped,
            "open_stops": e.open_stops, "voters": e.roll_size, "risks": r,
        })
    return out


def summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    by_stage = {s.value: 0 for s in Stage}
    for r in rows:
        by_stage[r["stage"]] += 1
    return {"elections": len(rows), "stopped": sum(1 for r in rows if r["stopped"]),
            "at_risk": sum(1 for r in rows if r["risks"]), "voters": sum(r["voters"] for r in rows),
            "by_stage": [{"stage": k, "label": Stage(k).label, "count": v, "colour": STAGE_COLOURS[k]}
                         for k, v in by_stage.items()]}


def may_report(user: Any, params: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
    from boundaries.models import AdminUnit

    if not roles.is_staff_account(user):
        raise DomainError("forbidden", "只有工作人员可以生成报表。", status_code=403)
    raw = params.get("unit") or getattr(user, "unit_id", None)
    try:
        pk = int(str(raw))
    except (TypeError, ValueError):
        raise DomainError("unit_required", "请选择单位。") from None
    unit = AdminUnit.objects.visible_to(user).filter(pk=pk).first() if 0 < pk < 2**63 else None
    if unit is None:
        raise DomainError("unit_not_found", "单位不存在或不在您的管辖范围内。", status_code=404)
    if unit.level > Level.TOWN:
        raise DomainError("unit_level", "进度报表按镇街或区县生成。")
    round = str(params.get("round") or "2026")[:20]
    return unit, {"unit": unit.pk, "round": round}


HEADERS = ["镇街", "村(社区)", "代码", "选举机构", "选举日", "阶段", "异常暂停", "未处理异常", "选民人数", "风险提示"]


def report(job: Any, *, unit: int, round: str) -> None:
    from boundaries.models import AdminUnit

    top = AdminUnit.objects.get(pk=unit)
    user = job.user
    rows = elections_for(user, round, top)
    job.progress(0, len(rows) + 1, f"{top.name} {round} 年换届选举：{len(rows)} 个村(社区)")
    wb = Workbook()
    ws = wb.active
    ws.title = "进度汇总"
    s = summary(rows)
    ws.append(["单位", top.name])
    ws.append(["换届届次", round])
    ws.append(["选举数", s["elections"]])
    ws.append(["异常暂停", s["stopped"]])
    ws.append(["存在风险", s["at_risk"]])
    ws.append(["选民合计", s["voters"]])
    ws.append([])
    ws.append(["阶段", "数量"])
    for b in s["by_stage"]:
        ws.append([b["label"], b["count"]])
    detail = wb.create_sheet("各村(社区)")
    detail.append(HEADERS)
    for cell in detail[1]:
        cell.font = Font(bold=True)
    for i, r in enumerate(rows, 1):
        detail.append([r["town"], r["unit_name"], r["unit_code"], r["body"], r["election_day"], r["stage_label"],
                       "是" if r["stopped"] else "否", r["open_stops"], r["voters"], "；".join(r["risks"])])
        job.progress(i, len(rows) + 1)
    for col, width in zip("ABCDEFGHIJ", (16, 18, 14, 12, 12, 14, 10, 10, 10, 40), strict=True):
        detail.column_dimensions[col].width = width
    out = io.BytesIO()
    wb.save(out)
    job.save_result(f"换届选举进度-{top.name}-{round}.xlsx", out.getvalue(), summary=s)
    job.progress(len(rows) + 1, len(rows) + 1, "报表已生成")
