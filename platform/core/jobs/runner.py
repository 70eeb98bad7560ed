"""The one Celery task behind every job kind, and how a job outlives its worker.

A delivery *claims* the job in one UPDATE: a queued job, or a running one whose heartbeat is older
than its lease (three heartbeats: its worker died). Any other delivery — a duplicate, a message
restored by the broker, a job already finished — does nothing. While the job's function runs, a
heartbeat thread writes its progress (at most every 0.5 s) and its heartbeat; if another worker has
taken the job over, the next ``job.progress`` raises JobSuperseded and this run stops.

Messages are acknowledged late: a worker process killed mid-job gets its message re-queued by the
worker's parent, and a whole worker killed gets it back after the broker's visibility timeout. On
top of that every worker sweeps for running jobs whose heartbeat has stopped and sends them again,
so a job resumes on the next worker within a lease. The job's own checkpoints (``job.step``) make
the second run skip what the first finished.
"""
from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
import time
import uuid
from typing import Any

from celery import shared_task
from celery.signals import worker_ready, worker_shutting_down
from django.conf import settings
from django.db import connections
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from ..errors import DomainError
from . import registry
from .models import FLUSH_SECONDS, Job, JobStatus, JobSuperseded

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 3  # a job that keeps killing its worker (out of memory, say) stops failing after this


def lease() -> dt.timedelta:
    return dt.timedelta(seconds=3 * settings.JOBS_HEARTBEAT_SECONDS)


@shared_task(name="core.jobs.run", acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def run(job_id: int) -> None:
    execute(job_id)


def claim(job_id: int, worker: str) -> Job | None:
    now = timezone.now()
    free = Q(status=JobStatus.QUEUED) | Q(status=JobStatus.RUNNING, heartbeat_at__lt=now - lease())
    n = Job.objects.filter(free, pk=job_id).update(
        status=JobStatus.RUNNING, worker=worker, heartbeat_at=now, started_at=Coalesce(F("started_at"), now),
        attempts=F("attempts") + 1)
    return Job.objects.get(pk=job_id) if n else None


def execute(job_id: int, *, pulse: bool = True) -> Job | None:
    """Run job ``job_id`` here if it is free; ``pulse=False`` runs it inline (tests, commands) with
    progress written by the calling thread."""
    worker = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
    job = claim(job_id, worker)
    if job is None:
        log.info("job %s is not free (finished, or running elsewhere): delivery ignored", job_id)
        return None
    if job.attempts > MAX_ATTEMPTS:
        finish(job, JobStatus.FAILED, f"任务已中断 {MAX_ATTEMPTS} 次，不再重试。")
        return job
    heart = Pulse(job) if pulse else None
    if heart is not None:
        job._pulse = heart
        heart.start()
    if job.attempts > 1:
        job.say(f"任务中断后继续执行（第 {job.attempts} 次），已完成的部分不会重做。")
    status, error = JobStatus.DONE, ""
    try:
        registry.get(job.kind).fn(job, **job.params)
    except JobSuperseded:
        log.warning("job %s was taken over by another worker; this run stops", job_id)
        return job
    except DomainError as exc:
        status, error = JobStatus.FAILED, exc.message
    except Exception:
        log.exception("job %s (%s) failed", job_id, job.kind)
        status, error = JobStatus.FAILED, "任务执行出错（已记录日志），请联系管理员。"
    finally:
        if heart is not None:
            heart.stop()
            job._pulse = None
    finish(job, status, error)
    return job


def finish(job: Job, status: str, error: str = "") -> None:
    now = timezone.now()
    if status == JobStatus.DONE and job.total is None:
        job.total = job.done
    job.flush(status=status, error=error, finished_at=now, heartbeat_at=now)
    job.status, job.error, job.finished_at = status, error, now


class Pulse(threading.Thread):
    """Writes the job's progress and heartbeat from its own database connection."""

    def __init__(self, job: Job) -> None:
        super().__init__(name=f"job-{job.pk}-pulse", daemon=True)
        self.job = job
        self.lost = False
        self._halt = threading.Event()

    def check(self) -> None:
        if self.lost:
            raise JobSuperseded(self.job.pk)

    def run(self) -> None:
        beat = settings.JOBS_HEARTBEAT_SECONDS
        last = time.monotonic()
        try:
            while not self._halt.wait(min(FLUSH_SECONDS, beat)):
                now = time.monotonic()
                if self.job._dirty or now - last >= beat:
                    last = now
                    if not self.job.flush(heartbeat_at=timezone.now()):
                        self.lost = True
                        return
        except Exception:  # a database hiccup must not kill the job; the next beat tries again
            log.exception("heartbeat of job %s failed", self.job.pk)
        finally:
            connections.close_all()  # this thread's own connection

    def stop(self) -> None:
        self._halt.set()
        self.join()


# -- recovery: running jobs whose worker died, queued jobs whose message was lost -----------------
def recover() -> list[int]:
    """Send again the jobs no worker is running; returns their ids (claims keep this harmless)."""
    now = timezone.now()
    visibility = dt.timedelta(seconds=settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"])
    stale = Q(status=JobStatus.RUNNING, heartbeat_at__lt=now - lease())
    lost = Q(status=JobStatus.QUEUED, created_at__lt=now - visibility) & (
        Q(run_after__isnull=True) | Q(run_after__lt=now - visibility))
    ids = list(Job.objects.filter(stale | lost).values_list("pk", flat=True)[:500])
    from .services import send

    for pk in ids:
        log.warning("job %s has no live worker: sending it again", pk)
        send(pk)
    return ids


class Sweeper(threading.Thread):
    def __init__(self) -> None:
        super().__init__(name="jobs-sweeper", daemon=True)
        self.halt = threading.Event()

    def run(self) -> None:
        while not self.halt.wait(lease().total_seconds()):
            try:
                recover()
            except Exception:
                log.exception("job recovery sweep failed")
            finally:
                connections.close_all()


_sweeper: Sweeper | None = None


@worker_ready.connect
def _start_sweeper(**kwargs: Any) -> None:
    global _sweeper
    registry.discover()
    _sweeper = Sweeper()
    _sweeper.start()


@worker_shutting_down.connect
def _stop_sweeper(**kwargs: Any) -> None:
    if _sweeper is not None:
        _sweeper.halt.set()
