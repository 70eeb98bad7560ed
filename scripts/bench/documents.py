#!/usr/bin/env python
"""Printable documents benchmark: a 100-page PDF batch with seals as a background job on a real
Celery worker (scripts/worker), with its progress as the user sees it.

    python scripts/bench/documents.py [--pages 100] [--database bench_documents]

Creates the database if missing (migrate + the tiny demo), uploads two seals (村(居)民委员会 and
选举委员会) for a community, starts one ``documents.batch`` job of N pages (a 村务公开 finance
table of 15 rows per page, both seals and the verification QR on every page) and measures: the
time from start_job to the finished record, each progress value with its time, the PDF's size, and
the worker's peak memory. Target: < 60 s for 100 pages on 2 cores. Writes var/bench/documents.json.
"""
from __future__ import annotations

import argparse
import io
import json
import os
import subprocess
import time
import uuid
from pathlib import Path

from benchlib import OUT, ROOT, log, prepare


def peak_rss_mb(pid: int) -> float:
    """Peak resident memory of a process and its children (the pool), from /proc."""
    total = 0
    pids = [pid]
    try:
        pids += [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        pass
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    total = max(total, int(line.split()[1]))
        except OSError:
            continue
    return total / 1024


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pages", type=int, default=100)
    ap.add_argument("--database", default="bench_documents")
    args = ap.parse_args()
    prepare(args.database)
    queue = f"jobs.bench.{uuid.uuid4().hex[:8]}"
    os.environ["JOBS_QUEUE"] = queue

    import django

    django.setup()
    from accounts.models import User
    from core.documents.models import SealKind
    from core.documents.seals import upload_seal
    from core.jobs import start_job
    from core.jobs.models import Job
    from core.testing import seal_png
    from django.db import transaction

    from boundaries.levels import Level
    from boundaries.models import AdminUnit

    unit = AdminUnit.objects.filter(level=Level.COMMUNITY, users__isnull=False).order_by("code").first()
    admin = User.objects.filter(unit=unit, role="admin").first()
    upload_seal(admin, unit, SealKind.COMMITTEE, io.BytesIO(seal_png(600)))
    upload_seal(admin, unit, SealKind.ELECTION_COMMITTEE, io.BytesIO(seal_png(600, colour=(200, 0, 60))))
    columns = ["序号", "日期", "摘要", "收入（元）", "支出（元）", "经办人"]
    items = [{
        "heading": f"{unit.name}2026年{(i % 12) + 1}月财务收支公开（第{i + 1}页）",
        "intro": "根据村（居）务公开的规定，现将本月财务收支明细公布如下，接受村（居）民监督。",
        "columns": columns, "numeric_columns": [0, 3, 4],
        "rows": [[r + 1, f"2026-{(i % 12) + 1:02d}-{(r % 28) + 1:02d}", f"道路维修材料款第{r + 1}笔",
                  f"{(r * 137) % 5000}.00" if r % 3 == 0 else "", f"{(r * 89) % 3000}.50" if r % 3 else "", "张会计"]
                 for r in range(15)],
        "footnote": "如有疑问，请于公布之日起十日内向村（居）务监督委员会反映。",
    } for i in range(args.pages)]

    worker = subprocess.Popen([str(ROOT / "scripts" / "worker")], env={**os.environ, "JOBS_WORKER_CONCURRENCY": "2"},
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        time.sleep(1)
        log(f"worker {worker.pid} on {queue}; {args.pages} pages")
        with transaction.atomic():
            job = start_job("documents.batch", user=admin, unit=unit, params={
                "template": "documents/table.html", "items": items, "kind": "bench.finance",
                "title": f"财务公开批量{args.pages}页", "seals": ["committee", "election_committee"]})
        t0 = time.perf_counter()
        progress: list[tuple[float, float | None]] = []
        started = None
        while True:
            j = Job.objects.get(pk=job.pk)
            now = time.perf_counter() - t0
            if started is None and j.status != "queued":
                started = now
            if not progress or progress[-1][1] != j.percent:
                progress.append((round(now, 2), j.percent))
            if j.finished:
                break
            if now > 600:
                raise SystemExit("job not finished in 600 s")
            time.sleep(0.1)
        wall = time.perf_counter() - t0
        rss = peak_rss_mb(worker.pid)
    finally:
        os.killpg(worker.pid, 15)
        worker.wait(timeout=60)
    if j.status != "done":
        raise SystemExit(f"job failed: {j.error}")
    size = j.result_file.size
    result = {"pages": j.result["pages"], "seconds": round(wall, 2), "queued_seconds": round(started or 0, 2),
              "pdf_mb": round(size / 1e6, 2), "worker_peak_rss_mb": round(rss), "progress": progress,
              "load_average": os.getloadavg(), "cpus": os.cpu_count()}
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "documents.json").write_text(json.dumps(result, indent=2, ensure_ascii=False))
    print(f"{result['pages']} pages with 2 seals + QR: {wall:.1f} s (target < 60 s); PDF {result['pdf_mb']} MB; "
          f"worker peak RSS {result['worker_peak_rss_mb']} MB; progress updates {len(progress)}")
    print("progress (s, %):", ", ".join(f"{t}:{p}" for t, p in progress))


if __name__ == "__main__":
    main()
