"""Background jobs with progress (Celery on the platform's Redis).

    from core.jobs import job_task, start_job

    @job_task("population.stats_report", title="人口统计报表")
    def stats_report(job, unit: int) -> None:
        for i, item in enumerate(items):
            if job.is_done(key): continue          # finished by an earlier, interrupted run
            with job.step(key): ...                 # the item's writes and its checkpoint together
            job.progress(i + 1, len(items))
        job.save_result("report.xlsx", data)

    start_job("population.stats_report", user=request.user, unit=unit, params={"unit": unit.pk})

``GET /api/jobs/<id>/`` reads a job; ``frontend-map/src/common/jobs.ts`` shows it as a progress bar.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .registry import job_task

if TYPE_CHECKING:
    from .models import Job, JobStatus


def start_job(kind: str, **kwargs: Any) -> Job:
    from .services import start_job as start

    return start(kind, **kwargs)


def __getattr__(name: str) -> Any:  # models load with the app registry, not with this package
    if name in ("Job", "JobStatus", "JobSuperseded"):
        from . import models

        return getattr(models, name)
    raise AttributeError(name)


__all__ = ["Job", "JobStatus", "job_task", "start_job"]
