"""Excel表导入 all or nothing with a row report (a job through the API), and the supervision report (an
xlsx per town or district, a job)."""
from __future__ import annotations

import datetime as dt
import io
from types import SimpleNamespace
from typing import Any

import pytest
from core.jobs.models import Job, JobStatus
from core.jobs.runner import execute
from openpyxl import Workbook, load_workbook

from elections.models import Election, Voter

from .conftest import make_id

pytestmark = pytest.mark.django_db


def _workbook(rows: list[list[Any]]) -> io.BytesIO:
    wb = Workbook()
    ws = wb.active
    ws.append(["姓名", "身份证号", "登记类别", "同意记录", "居住年限"])
    for r in rows:
        ws.append(r)
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    out.name = "选民.xlsx"
    return out


def _upload(actors: Any, e: Election, data: io.BytesIO) -> Job:
    r = actors.client("village_staff").post(f"/api/elections/{e.pk}/import-excel/", {"file": data}, format="multipart")
    assert r.status_code == 202, r.content
    execute(r.json()["job"], pulse=False)
    return Job.objects.get(pk=r.json()["job"])


def test_excel_import_is_all_or_nothing_with_a_row_report(world: SimpleNamespace, election: Election,
                                                          actors: Any) -> None:
    good = [["甲", make_id(dt.date(1970, 1, 1))], ["乙", make_id(dt.date(1971, 2, 2), male=False)],
            ["丙", make_id(dt.date(1980, 3, 3)), "非户籍居住", "居民代表会议同意", 2]]
    bad = [*good, ["丁", "123"], ["戊", make_id(dt.date(2015, 1, 1))], ["己", world.mover_id], good[0]]
    job = _upload(actors, election, _workbook(bad))
    assert job.status == JobStatus.FAILED and "全部或全不" in job.error
    report = job.result
    assert report["written"] is False and report["rows"] == 7
    by_row = {(e["row"], e["column"]): e["message"] for e in report["errors"]}
    assert "身份证号码应为18位" in by_row[(5, "身份证号")]
    assert "未满18周岁" in by_row[(6, "资格")]
    assert world.b.name in by_row[(7, "资格")]
    assert "与第 2 行重复" in by_row[(8, "身份证号")]
    assert not Voter.objects.filter(election=election).exists()  # nothing written
    job = _upload(actors, election, _workbook(good))
    assert job.status == JobStatus.DONE, job.error
    assert job.result == {**job.result, "written": True, "added": 3}
    v = Voter.objects.get(election=election, name="丙")
    assert v.category == "resident_accepted" and v.acceptance == "居民代表会议同意" and v.source == "excel"
    election.refresh_from_db()
    assert election.voters_count == 3


def test_supervision_report_per_town(world: SimpleNamespace, election: Election, actors: Any) -> None:
    r = actors.client("town_staff").post("/api/jobs/", {"kind": "elections.report",
                                                        "params": {"unit": world.a.parent_id, "round": "2026"}},
                                         format="json")
    assert r.status_code in (200, 201, 202), r.content
    execute(r.json()["id"], pulse=False)
    job = Job.objects.get(pk=r.json()["id"])
    assert job.status == JobStatus.DONE, job.error
    wb = load_workbook(io.BytesIO(job.result_file.read()))
    rows = list(wb["各村(社区)"].iter_rows(values_only=True))
    assert rows[0][1] == "村(社区)"
    assert {row[1] for row in rows[1:]} == {world.a.name, world.b.name}
    assert job.result["elections"] == 2
    # A village cannot report on the town; nobody reports outside their jurisdiction.
    r = actors.client("village_staff").post("/api/jobs/", {"kind": "elections.report",
                                                           "params": {"unit": world.a.parent_id}}, format="json")
    assert r.status_code == 404
    r = actors.client("village_staff").post("/api/jobs/", {"kind": "elections.report",
                                                           "params": {"unit": world.a.pk}}, format="json")
    assert r.status_code == 400 and r.json()["code"] == "unit_level"
