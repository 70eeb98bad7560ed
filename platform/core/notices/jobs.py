"""The kernel's notice jobs."""
from __future__ import annotations

from typing import Any

from ..jobs.models import Job
from ..jobs.registry import job_task
from .models import Notice
from .services import send_outbox


@job_task("notices.send_sms", title="发送短信")
def send_sms(job: Job, notice: int | None = None, **_: Any) -> None:
    """Send the due SMS of one notice (or every due SMS); retries not yet due get a follow-up job."""
    target = Notice.objects.filter(pk=notice).first() if notice is not None else None
    counts = send_outbox(target, job=job)
    job.result = counts
    Job.objects.filter(pk=job.pk).update(result=counts)
