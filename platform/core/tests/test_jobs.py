"""Background jobs: claims, checkpoints, failures, the API's scoping — and a real worker."""
from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.db import IntegrityError
from django.utils import timezone

from core.errors import DomainError
from core.jobs import job_task, runner, start_job
from core.jobs.models import Job, JobStatus, JobStep
from core.testing import Actors

pytestmark = pytest.mark.django_db


@job_task("tests.count", title="测试计数")
def _count(job: Job, n: int, fail_at: int | None = None, **_: Any) -> None:
    for i in range(n):
        key = f"item:{i}"
        if job.is_done(key):
            continue
        if i == fail_at:
            raise RuntimeError("boom with internals the user must not see")
        with job.step(key):
            pass
        job.progress(i + 1, n, "一半" if i + 1 == n // 2 else "")


@job_task("tests.refuse", title="测试拒绝")
def _refuse(job: Job, **_: Any) -> None:
    raise DomainError("tests_refused", "条件不满足，任务未执行。")


def test_start_job_queues_after_commit(demo: Any, django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = start_job("tests.count", user=demo.village_staff, unit=demo.community, params={"n": 3})
    assert job.status == JobStatus.QUEUED and job.title == "测试计数"
    assert len(callbacks) == 1  # the message is sent when the row is committed, not before


def test_unknown_kind_is_refused(demo: Any) -> None:
    with pytest.raises(LookupError):
        start_job("tests.nope", user=demo.village_staff)


def test_inline_run_reports_progress_and_checkpoints(demo: Any) -> None:
    job = start_job("tests.count", user=demo.village_staff, unit=demo.community, params={"n": 10})
    runner.execute(job.pk, pulse=False)
    job.refresh_from_db()
    assert (job.status, job.done, job.total, job.percent, job.attempts) == (JobStatus.DONE, 10, 10, 100.0, 1)
    assert [m["text"] for m in job.messages] == ["一半"]
    assert JobStep.objects.filter(job=job).count() == 10


def test_a_second_run_skips_finished_items(demo: Any) -> None:
    job = start_job("tests.count", user=demo.village_staff, params={"n": 10, "fail_at": 6})
    runner.execute(job.pk, pulse=False)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert "boom" not in job.error and "管理员" in job.error  # internals stay in the log
    assert job.done_keys() == {f"item:{i}" for i in range(6)}
    # Run it again (as after a worker restart) without the fault: items 0-5 are not done twice.
    Job.objects.filter(pk=job.pk).update(status=JobStatus.QUEUED, params={"n": 10})
    runner.execute(job.pk, pulse=False)
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.attempts == 2
    assert JobStep.objects.filter(job=job).count() == 10
    assert any("继续" in m["text"] for m in job.messages)
    with pytest.raises(IntegrityError), job.step("item:0"):
        pass


def test_domain_error_fails_with_its_message(demo: Any) -> None:
    job = start_job("tests.refuse", user=demo.village_staff)
    runner.execute(job.pk, pulse=False)
    job.refresh_from_db()
    assert (job.status, job.error) == (JobStatus.FAILED, "条件不满足，任务未执行。")


def test_claims_ignore_duplicates_and_take_over_dead_runs(demo: Any, settings: Any) -> None:
    settings.JOBS_HEARTBEAT_SECONDS = 1.0
    job = start_job("tests.count", user=demo.village_staff, params={"n": 2})
    first = runner.claim(job.pk, "worker-a")
    assert first is not None and first.attempts == 1
    assert runner.claim(job.pk, "worker-b") is None  # alive: a duplicate delivery does nothing
    Job.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - dt.timedelta(seconds=5))
    assert runner.recover() == [job.pk]  # sent again (to the test run's queue)
    second = runner.claim(job.pk, "worker-b")
    assert second is not None and second.attempts == 2 and second.worker == "worker-b"
    # The first worker's heartbeat no longer lands: it learns it was superseded.
    assert first.flush() is False
    runner.finish(second, JobStatus.DONE)
    assert runner.claim(job.pk, "worker-c") is None  # finished jobs are never run again


def test_too_many_interruptions_stop_the_job(demo: Any) -> None:
    job = start_job("tests.count", user=demo.village_staff, params={"n": 2})
    Job.objects.filter(pk=job.pk).update(attempts=runner.MAX_ATTEMPTS)
    runner.execute(job.pk, pulse=False)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and "中断" in job.error


# -- API ------------------------------------------------------------------------------------------
SEES_VILLAGE_JOB = {"village_staff": True, "village_admin": True, "district_admin": True, "neighbour_staff": False,
                    "town_staff": False, "town_supervisor": False, "other_town_admin": False, "resident": False,
                    "neighbour_resident": False, "village_reviewer": False}


@pytest.mark.parametrize("name", sorted(SEES_VILLAGE_JOB))
def test_a_job_is_seen_by_its_starter_and_the_units_admins(actors: Actors, demo: Any, name: str) -> None:
    job = start_job("tests.count", user=demo.village_staff, unit=demo.community, params={"n": 1})
    r = actors.client(name).get(f"/api/jobs/{job.pk}/")
    assert r.status_code == (200 if SEES_VILLAGE_JOB[name] else 404), r.content
    if r.status_code == 200:
        body = r.json()
        assert {"id", "kind", "status", "done", "total", "percent", "messages", "result_url", "error"} <= set(body)
        assert body["status"] == "queued" and body["result_url"] is None
    else:
        assert r.json()["code"] == "job_not_found"
    listed = actors.client(name).get("/api/jobs/").json()["results"]
    assert (job.pk in [j["id"] for j in listed]) is SEES_VILLAGE_JOB[name]


def test_anonymous_reads_no_job(actors: Actors, demo: Any) -> None:
    job = start_job("tests.count", user=demo.village_staff, unit=demo.community, params={"n": 1})
    assert actors.client("anonymous").get(f"/api/jobs/{job.pk}/").status_code in (401, 403)


def test_mine_lists_only_my_jobs(actors: Actors, demo: Any) -> None:
    mine = start_job("tests.count", user=demo.village_admin, unit=demo.community, params={"n": 1})
    theirs = start_job("tests.count", user=demo.village_staff, unit=demo.community, params={"n": 1})
    c = actors.client("village_admin")
    assert {j["id"] for j in c.get("/api/jobs/").json()["results"]} >= {mine.pk, theirs.pk}
    assert [j["id"] for j in c.get("/api/jobs/?mine=1").json()["results"]] == [mine.pk]


def test_result_file_downloads_for_those_who_see_the_job(actors: Actors, demo: Any, settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    job = start_job("tests.count", user=demo.village_staff, unit=demo.community, params={"n": 1})
    job.save_result("结果.txt", "你好".encode())
    r = actors.client("village_staff").get(f"/api/jobs/{job.pk}/")
    assert r.json()["result_url"] == f"/api/jobs/{job.pk}/result/"
    got = actors.client("village_staff").get(r.json()["result_url"])
    assert got.status_code == 200 and b"".join(got.streaming_content) == "你好".encode()
    assert "attachment" in got["Content-Disposition"]
    assert actors.client("neighbour_staff").get(f"/api/jobs/{job.pk}/result/").status_code == 404


def test_starting_through_the_api(actors: Actors, demo: Any, django_capture_on_commit_callbacks: Any) -> None:
    c = actors.client("town_staff")
    with django_capture_on_commit_callbacks(execute=False):
        r = c.post("/api/jobs/", {"kind": "population.stats_report", "params": {"unit": demo.town.pk}}, format="json")
    assert r.status_code == 201, r.content
    assert r.json()["kind"] == "population.stats_report" and r.json()["unit"]["id"] == demo.town.pk
    refusals = [
        (c, {"kind": "tests.count", "params": {"n": 1}}, 403, "job_not_startable"),
        (c, {"kind": "nope.nope"}, 404, "job_kind_unknown"),
        (c, {"kind": "population.stats_report", "params": {"unit": demo.other_town.pk}}, 404, "unit_not_found"),
        (c, {"kind": "population.stats_report", "params": {"unit": "x"}}, 400, "unit_required"),
        (actors.client("resident"), {"kind": "population.stats_report"}, 403, "resident_forbidden"),
        (c, {"params": {}}, 400, "invalid"),
    ]
    before = Job.objects.count()
    for client, body, status, code in refusals:
        r = client.post("/api/jobs/", body, format="json")
        assert (r.status_code, r.json()["code"]) == (status, code), (body, r.content)
    assert Job.objects.count() == before


# -- a real worker --------------------------------------------------------------------------------
@pytest.mark.slow
def test_a_report_job_runs_through_a_real_worker(celery_worker: Any, demo: Any, settings: Any, tmp_path: Any) -> None:
    from openpyxl import load_workbook

    job = start_job("population.stats_report", user=demo.town_staff, unit=demo.town, params={"unit": demo.town.pk})
    celery_worker.wait_for(job, timeout=120)
    assert job.status == JobStatus.DONE, (job.error, celery_worker.log()[-2000:])
    assert job.percent == 100.0 and job.total and job.done == job.total
    assert job.worker.split(":")[1] != str(__import__("os").getpid())  # ran in another process
    wb = load_workbook(io.BytesIO(job.result_file.read()))
    assert wb.sheetnames == ["镇街", "村社区"]
    codes = [row[0].value for row in wb["村社区"].iter_rows(min_row=2)]
    assert demo.community.code in codes and demo.neighbour_community.code in codes
    assert all(c.startswith(demo.town.code) for c in codes)
