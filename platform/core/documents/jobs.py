"""The kernel's document jobs."""
from __future__ import annotations

from typing import Any

from ..errors import DomainError
from ..jobs.models import Job
from ..jobs.registry import job_task
from .render import render_batch


@job_task("documents.batch", title="批量生成文书")
def batch(job: Job, template: str, items: list[dict[str, Any]], kind: str, title: str,
          common: dict[str, Any] | None = None, seals: list[str] | None = None, **_: Any) -> None:
    """One PDF of ``items`` (a sheet each) from ``template`` with the job's unit's seals."""
    if job.unit is None:
        raise DomainError("unit_required", "批量生成文书需要指定单位。")
    job.progress(0, len(items) + 1, f"开始排版 {len(items)} 份")
    document = render_batch(template, items, common=common or {}, unit=job.unit, seals=seals or [], kind=kind,
                            title=title, user=job.user, job=job)
    job.link_result(document.file.name or "", f"{title}.pdf",
                    {"document": document.pk, "pages": document.pages, "sha256": document.sha256,
                     "verify_url": document.verify_url})
    job.progress(len(items) + 1, len(items) + 1, f"完成：{document.pages} 页")
