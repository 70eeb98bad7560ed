"""A background job's record: who started it, for which unit, its progress, result file and outcome.

The record is the truth about a job; the Celery message only says "run job N". Progress is written
by the worker's heartbeat thread (runner.py), so a job's own transactions never hide it and
``Job.progress`` costs nothing to call for every item.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from .. import roles
from ..scoping import ScopedQuerySet, scope_path

MAX_MESSAGES = 50  # the newest messages kept on the record
FLUSH_SECONDS = 0.5  # progress reaches the database at most this often


class JobStatus(models.TextChoices):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "进行中"
    DONE = "done", "已完成"
    FAILED = "failed", "失败"


class JobSuperseded(Exception):
    """Another worker has taken this job over (this one was silent past its lease): stop at once."""


class JobQuerySet(ScopedQuerySet):
    scope_path_lookup = "unit__path"

    def visible_to(self, user: Any) -> JobQuerySet:
        """The starter sees their jobs; the unit's administrators (and those above) see the unit's."""
        prefix = scope_path(user)
        if prefix is None:
            return self.none()
        if prefix == "":
            return self
        mine = Q(user=user)
        if roles.is_unit_admin(user):
            mine |= Q(unit__path__startswith=prefix)
        return self.filter(mine)


class Job(models.Model):
    kind = models.CharField("类型", max_length=64, db_index=True)
    title = models.CharField("名称", max_length=200)
    status = models.CharField("状态", max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="jobs", verbose_name="发起人")
    unit = models.ForeignKey("adminunits.AdminUnit", null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+", verbose_name="单位")
    params = models.JSONField("参数", default=dict, blank=True)
    done = models.BigIntegerField("已完成", default=0)
    total = models.BigIntegerField("总数", null=True, blank=True)
    messages = models.JSONField("消息", default=list, blank=True)
    result_file = models.FileField("结果文件", upload_to="jobs/%Y/%m/", blank=True, max_length=255)
    result_name = models.CharField("结果文件名", max_length=200, blank=True)
    result = models.JSONField("结果摘要", null=True, blank=True)
    error = models.TextField("错误", blank=True)
    attempts = models.PositiveIntegerField("执行次数", default=0)
    worker = models.CharField(max_length=200, blank=True, verbose_name="执行进程")
    run_after = models.DateTimeField(null=True, blank=True, verbose_name="计划执行时间")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True, verbose_name="创建时间")
    started_at = models.DateTimeField(null=True, blank=True, verbose_name="开始时间")
    heartbeat_at = models.DateTimeField(null=True, blank=True, verbose_name="心跳时间")
    finished_at = models.DateTimeField(null=True, blank=True, verbose_name="完成时间")

    objects = JobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "后台任务"
        verbose_name_plural = "后台任务"
        indexes = [
            models.Index(fields=["user", "-created_at"], name="job_user_recent"),
            models.Index(fields=["status", "heartbeat_at"], name="job_status_beat",
                         condition=Q(status__in=["queued", "running"])),
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._lock = threading.Lock()
        self._dirty = False
        self._flushed_at = 0.0
        self._pulse: Any = None

    def __str__(self) -> str:
        return f"{self.title} #{self.pk}"

    # -- reporting, called by the job's function ----------------------------------------------
    def progress(self, done: int, total: int | None = None, message: str = "") -> None:
        """Report ``done`` of ``total`` items (and a line for the user). Cheap: kept in memory and
        written by the heartbeat (or, outside a worker, at most every FLUSH_SECONDS)."""
        with self._lock:
            self.done = done
            if total is not None:
                self.total = total
            if message:
                self.messages = [*self.messages, {"at": timezone.localtime().isoformat(timespec="seconds"), "text": message}][
                    -MAX_MESSAGES:]
            self._dirty = True
        if self._pulse is not None:
            self._pulse.check()
        elif time.monotonic() - self._flushed_at >= FLUSH_SECONDS or message:
            self.flush()

    def say(self, message: str) -> None:
        """A line for the user without moving the bar."""
        self.progress(self.done, None, message)

    def flush(self, **extra: Any) -> bool:
        """Write the progress now (from any thread); False when another worker owns the job."""
        with self._lock:
            fields = {"done": self.done, "total": self.total, "messages": self.messages, **extra}
            self._dirty = False
            self._flushed_at = time.monotonic()
        qs = Job.objects.filter(pk=self.pk)
        if self.worker:
            qs = qs.filter(worker=self.worker)
        return qs.update(**fields) == 1

    def save_result(self, name: str, content: bytes, summary: dict[str, Any] | None = None) -> None:
        """Keep the job's result file (an export, a PDF batch) for its starter to download."""
        from django.core.files.base import ContentFile

        self.result_file.save(name, ContentFile(content), save=False)
        self.result_name = name
        if summary is not None:
            self.result = summary
        Job.objects.filter(pk=self.pk).update(result_file=self.result_file.name, result_name=name, result=self.result)

    def link_result(self, stored_name: str, name: str, summary: dict[str, Any] | None = None) -> None:
        """Offer a file already in storage (a recorded document, say) as the job's result."""
        self.result_file.name = stored_name
        self.result_name = name
        if summary is not None:
            self.result = summary
        Job.objects.filter(pk=self.pk).update(result_file=stored_name, result_name=name, result=self.result)

    # -- checkpoints: finished items are never redone when a job is run again --------------------
    def is_done(self, key: str) -> bool:
        return JobStep.objects.filter(job_id=self.pk, key=key).exists()

    def done_keys(self) -> set[str]:
        return set(JobStep.objects.filter(job_id=self.pk).values_list("key", flat=True))

    @contextmanager
    def step(self, key: str) -> Iterator[None]:
        """``with job.step(key):`` — the block's writes and the record that ``key`` is finished commit
        together, so a job run again after a crash skips exactly the finished items (check
        ``job.is_done(key)`` first). Raises IntegrityError if ``key`` was already finished."""
        with transaction.atomic():
            yield
            JobStep.objects.create(job_id=self.pk, key=key)

    # -- state ----------------------------------------------------------------------------------
    @property
    def percent(self) -> float | None:
        if self.status == JobStatus.DONE:
            return 100.0
        if not self.total:
            return None
        return round(min(100.0, 100.0 * self.done / self.total), 1)

    @property
    def finished(self) -> bool:
        return self.status in (JobStatus.DONE, JobStatus.FAILED)


class JobStep(models.Model):
    """An item a job has finished (its checkpoint), committed with the item's own writes."""

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="steps")
    key = models.CharField(max_length=200)
    done_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "任务检查点"
        verbose_name_plural = "任务检查点"
        constraints = [models.UniqueConstraint(fields=["job", "key"], name="jobstep_unique_key")]

    def __str__(self) -> str:
        return f"{self.job_id}:{self.key}"
