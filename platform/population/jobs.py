"""Population jobs (core.jobs): the statistics report and notices to a unit's residents."""
from __future__ import annotations

import io
from typing import Any

from core import roles
from core.errors import DomainError
from core.jobs import job_task
from core.jobs.models import Job
from core.notices.services import clean_link, notify
from django.conf import settings
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font

from boundaries.levels import Level
from boundaries.models import AdminUnit

from . import stats
from .codes import Tag
from .recipients import residents

LEVEL_NAMES = {1: "区县", 2: "镇街", 3: "村社区", 4: "小区/村民小组", 5: "楼栋"}


def _unit_param(user: Any, params: dict[str, Any]) -> AdminUnit:
    if not settings.POPULATION_ENABLED:
        raise DomainError("population_disabled", "本部署（互联网区）不提供人口数据，请在政务外网访问。", status_code=404)
    raw = params.get("unit") or getattr(getattr(user, "unit", None), "pk", None)
    try:
        pk = int(str(raw))
    except (TypeError, ValueError):
        raise DomainError("unit_required", "请选择单位。") from None
    unit = AdminUnit.objects.visible_to(user).filter(pk=pk).first() if 0 < pk < 2**63 else None
    if unit is None:
        raise DomainError("unit_not_found", "单位不存在或不在您的管辖范围内。", status_code=404)
    return unit


def _may_report(user: Any, params: dict[str, Any]) -> tuple[AdminUnit, dict[str, Any]]:
    if not roles.can_read_population(user):
        raise DomainError("resident_forbidden", "居民账号不能查看人口信息。", status_code=403)
    unit = _unit_param(user, params)
    if unit.level > Level.COMMUNITY:
        raise DomainError("unit_level", "统计报表按村社区及以上单位生成。")
    return unit, {"unit": unit.pk}


# Aggregates only: no person appears in the report.
HEADERS = ["区划代码", "名称", "层级", "人口", "男", "女", "户籍在本地", "户数", "0-14岁", "15-34岁", "35-59岁",
           "60-79岁", "80岁及以上", "未关联房屋", "楼栋数", "有居民楼栋"]


@job_task("population.stats_report", title="人口统计报表", start=_may_report)
def stats_report(job: Job, unit: int, **_: Any) -> None:
    """An xlsx of the population statistics of a unit and every unit below it down to communities."""
    top = AdminUnit.objects.get(pk=unit)
    units = [top, *AdminUnit.objects.filter(path__startswith=top.path, level__gt=top.level,
                                            level__lte=Level.COMMUNITY).order_by("level", "code")]
    job.progress(0, len(units), f"统计 {top.name} 及下辖 {len(units) - 1} 个单位")
    rows = []
    for i, u in enumerate(units, 1):
        s = stats.unit_stats(u)
        bands = {b["band"]: b["male"] + b["female"] for b in s["age_sex"]}
        rows.append([u.code, u.name, LEVEL_NAMES.get(u.level, str(u.level)), s["population"], s["male"], s["female"],
                     s["registered_here"], s["households"], bands["0-14"], bands["15-34"], bands["35-59"],
                     bands["60-79"], bands["80+"], s["not_placed_in_house"], s["buildings"],
                     s["buildings_with_residents"]])
        job.progress(i, len(units))
    wb = Workbook()
    for level in sorted({u.level for u in units}):
        ws = wb.create_sheet(LEVEL_NAMES.get(level, str(level)))
        ws.append(HEADERS)
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for u, row in zip(units, rows, strict=True):
            if u.level == level:
                ws.append(row)
        ws.column_dimensions["A"].width = 14
        ws.column_dimensions["B"].width = 22
    del wb[wb.sheetnames[0]]
    out = io.BytesIO()
    wb.save(out)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    job.save_result(f"人口统计-{top.name}-{stamp}.xlsx", out.getvalue(), {"units": len(units)})
    job.say(f"完成：{len(units)} 个单位")


def _may_notify(user: Any, params: dict[str, Any]) -> tuple[AdminUnit, dict[str, Any]]:
    if not roles.can_write(user):
        raise DomainError("forbidden_role", "您的角色不能发送通知。", status_code=403)
    unit = _unit_param(user, params)
    subject, body, link = params.get("subject", ""), params.get("body", ""), params.get("link", "")
    if not all(isinstance(v, str) for v in (subject, body, link)) or not subject.strip() \
            or len(subject) > 200 or len(body) > 2000:
        raise DomainError("notice_invalid", "请填写标题（200字以内）和内容（2000字以内）。")
    clean_link(link)
    tags = params.get("tags") or []
    if not isinstance(tags, list) or not all(isinstance(t, str) and t in Tag.values for t in tags):
        raise DomainError("tag_invalid", "人员标签无效。")
    return unit, {"unit": unit.pk, "subject": subject.strip(), "body": body.strip(), "sms": params.get("sms") is True,
                  "tags": tags, "link": link}


@job_task("population.notify_residents", title="居民通知", start=_may_notify)
def notify_residents(job: Job, unit: int, subject: str, body: str, sms: bool = False, tags: list[str] | None = None,
                     link: str = "", **_: Any) -> None:
    """An in-app message and (with ``sms``) an SMS to every resident of a unit; a second run of the
    same job (after a worker restart) sends nothing twice."""
    target = AdminUnit.objects.get(pk=unit)
    people = residents(job.user, target, tags=tags or ()) if job.user else []
    job.progress(0, None, f"{target.name}：{len(people)} 位居民")
    notice = notify(people, subject, body, link=link, sms=sms, job=job, unit=target)
    job.result = {"notice": notice.pk, "recipients": len(people)}
    Job.objects.filter(pk=job.pk).update(result=job.result)


@job_task("population.import_workbook", title="人口表格导入")
def import_workbook(job: Job, file: str, pool: int, dry_run: bool = True, reason: str = "表格导入", **_: Any) -> None:
    """Check (``dry_run``) or write an uploaded workbook into a pool; the row report is the job's
    result. The upload stays in storage between the check and the write (the same file is written
    that was checked) and is deleted once written."""
    from django.core.files.storage import default_storage

    from . import spreadsheets

    target = AdminUnit.objects.get(pk=pool)
    job.progress(0, None, "读取表格")

    def progress(done: int, total: int, stage: str) -> None:
        # The write stage reports from inside a COPY, when this thread's connection is busy streaming
        # rows: a progress write there would wait on itself. The bar moves through the check (the
        # long part) and jumps to the end once the rows are written.
        if stage != "写入":
            job.progress(done, total, stage)

    with default_storage.open(file, "rb") as stored:
        fh: Any = stored  # a Django File wraps the binary stream openpyxl reads
        report = spreadsheets.import_workbook(fh, user=job.user, pool=target, dry_run=dry_run, reason=reason,
                                              progress=progress)
    result = {**report.as_dict(), "dry_run": dry_run, "pool": {"id": target.pk, "name": target.name}}
    if report.written:
        default_storage.delete(file)
    job.result = result
    Job.objects.filter(pk=job.pk).update(result=result)
    job.say(("预检" if dry_run else "导入") + ("通过" if report.ok else f"发现 {len(report.errors)} 处问题"))
