"""Starting jobs and reading them. A job row is created in the caller's transaction and its message
sent to the workers when that transaction commits, so a worker never looks for a row not yet there."""
from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ..errors import DomainError
from . import registry
from .models import Job, JobStatus

log = logging.getLogger(__name__)


def start_job(kind: str, *, user: Any = None, unit: Any = None, params: dict[str, Any] | None = None,
              countdown: float | None = None, title: str = "") -> Job:
    """Queue the job ``kind`` (declared with ``@job_task``) with JSON ``params``; returns its record.
    ``countdown``: run no earlier than this many seconds from now."""
    k = registry.get(kind)
    job = Job.objects.create(
        kind=kind, title=title or k.title, user=user if getattr(user, "is_authenticated", False) else None,
        unit=unit, params=params or {},
        run_after=timezone.now() + dt.timedelta(seconds=countdown) if countdown else None,
    )
    transaction.on_commit(lambda: send(job.pk, countdown))
    return job


def send(job_id: int, countdown: float | None = None) -> None:
    """Hand job ``job_id`` to the workers. A broker that cannot be reached fails the job with a clear
    message instead of failing the request that started it."""
    from .runner import run

    try:
        run.apply_async(args=[job_id], countdown=countdown, queue=settings.CELERY_TASK_DEFAULT_QUEUE,
                        retry=True, retry_policy={"max_retries": 2, "interval_start": 0.2, "interval_step": 0.5})
    except Exception:  # kombu raises several types for an unreachable broker
        log.exception("could not queue job %s", job_id)
        Job.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
            status=JobStatus.FAILED, error="后台任务服务暂不可用，请稍后重试或联系管理员。", finished_at=timezone.now())


def start_from_request(user: Any, kind: str, params: dict[str, Any]) -> Job:
    """``POST /api/jobs/``: only kinds that declare a ``start`` check, which decides who and what."""
    try:
        k = registry.get(kind)
    except LookupError:
        raise DomainError("job_kind_unknown", "没有这种任务。", status_code=404) from None
    if k.start is None:
        raise DomainError("job_not_startable", "这种任务不能在此发起。", status_code=403)
    unit, clean = k.start(user, params)
    return start_job(kind, user=user, unit=unit, params=clean)


def job_for(user: Any, job_id: int) -> Job:
    job = Job.objects.visible_to(user).select_related("unit", "user").filter(pk=job_id).first()
    if job is None:
        raise DomainError("job_not_found", "任务不存在或您无权查看。", status_code=404)
    return job
