"""Election jobs (core.jobs): importing the roll (from the pool, from a workbook), printing and filing
the roll's announcement, and the supervision report."""
from __future__ import annotations

from typing import Any

from audit.context import acting_as
from core.errors import DomainError
from core.jobs import job_task
from core.jobs.models import Job

from . import announce, roll, roll_excel, supervision
from .models import Election


def _election(job: Job, election: int) -> tuple[Election, Any]:
    e = Election.objects.select_related("unit").filter(pk=election).first()
    if e is None:
        raise DomainError("election_not_found", "选举不存在。")
    return e, job.user


@job_task("elections.import_pool", title="人口库导入选民")
def import_pool(job: Job, election: int, skip: list[int] | None = None, **_: Any) -> None:
    e, user = _election(job, election)
    with acting_as(user=user, reason="人口库导入选民"):
        result = roll.import_pool(user, e, skip=skip or (), job=job)
    job.flush(result=result)
    job.say(f"已登记 {result['added']} 人")


@job_task("elections.import_excel", title="Excel表导入选民")
def import_excel(job: Job, election: int, path: str, **_: Any) -> None:
    e, user = _election(job, election)
    with acting_as(user=user, reason="Excel表导入选民"):
        report = roll_excel.import_file(user, e, path, job=job)
    job.flush(result=report)
    if not report["written"]:
        raise DomainError("import_rejected", f"{report['error_count']} 行有错误，未导入任何数据（全部或全不）。请修改后重新导入。")


@job_task("elections.roll_announce", title="选民名单公告")
def roll_announce(job: Job, election: int, **_: Any) -> None:
    e, user = _election(job, election)
    try:
        with acting_as(user=user, reason="选民名单公告"):
            announce.announce(job, e, user)
    except DomainError as exc:
        announce.announce_failed(e, user, exc.message)
        raise


@job_task("elections.report", title="换届选举进度报表", start=supervision.may_report)
def report(job: Job, unit: int, round: str, **_: Any) -> None:
    supervision.report(job, unit=unit, round=round)
