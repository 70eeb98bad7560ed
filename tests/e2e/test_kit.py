"""End-to-end: the civic kit in the map client — a report job with its progress bar and download
(through a real Celery worker), seal upload with its preview, my messages, and the rules in force."""
from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from audit.models import AuditEvent
from core import rules
from core.documents.models import Seal
from core.jobs.models import Job, JobStatus
from core.notices.models import Message
from core.notices.services import notify
from core.rules.engine import RuleBook
from core.testing import seal_png
from openpyxl import load_workbook

from boundaries.levels import Level
from boundaries.models import AdminUnit

from .conftest import MapPage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
EXAMPLE_RULES = Path(__file__).resolve().parents[2] / "platform" / "core" / "tests" / "rules"

# Every value the bar showed, in order (a MutationObserver in the page).
RECORD_BAR = """() => { window.__bar = []; new MutationObserver(() => {
    const p = document.querySelector('#stats-report-job progress'); const pct = document.querySelector('#stats-report-job .job-percent');
    if (p && pct) { const v = pct.textContent; if (window.__bar[window.__bar.length - 1] !== v) window.__bar.push(v); }
  }).observe(document.body, {subtree: true, childList: true, characterData: true}); }"""


def test_a_report_job_started_in_the_ui_runs_to_100_percent_and_downloads(
        map_page: MapPage, celery_worker: Any, demo: Any, tmp_path: Path) -> None:
    mp = map_page
    mp.open_map(demo.district_admin.username)
    mp.page.click("#tabs button[data-tab='stats']")
    mp.page.evaluate(RECORD_BAR)
    mp.page.click("#btn-stats-report")
    card = mp.page.locator("#stats-report-job.job-card")
    card.wait_for()
    assert "人口统计报表" in card.inner_text()
    mp.page.wait_for_selector("#stats-report-job[data-status='done']", timeout=240_000)
    assert mp.page.inner_text("#stats-report-job .job-percent") == "100%"
    assert "已完成" in card.inner_text()
    seen = mp.page.evaluate("window.__bar")
    # The tiny demo's report can finish between two polls, so only the end state is certain here; the
    # record's intermediate progress is checked in platform/core/tests/test_jobs.py.
    assert seen and seen[-1] == "100%", seen
    card.scroll_into_view_if_needed()
    mp.screenshot("kit-report-job")
    with mp.page.expect_download() as info:
        mp.page.click("#stats-report-job a.job-result")
    download = info.value
    assert download.suggested_filename.startswith("人口统计-") and download.suggested_filename.endswith(".xlsx")
    target = tmp_path / "report.xlsx"
    download.save_as(target)
    wb = load_workbook(io.BytesIO(target.read_bytes()))
    assert wb.sheetnames == ["区县", "镇街", "村社区"]
    towns = {r[0].value for r in wb["镇街"].iter_rows(min_row=2)}
    assert towns == set(AdminUnit.objects.filter(level=Level.TOWN, parent=demo.district).values_list("code", flat=True))
    job = Job.objects.get(kind="population.stats_report")
    assert (job.status, job.user_id, job.unit_id) == (JobStatus.DONE, demo.district_admin.pk, demo.district.pk)
    # 我的任务 lists it with its result.
    mp.page.click("#btn-jobs")
    mine = mp.page.locator(f"#jobs-dialog .job-card[data-job-id='{job.pk}']")
    mine.wait_for()
    assert "已完成" in mine.inner_text() and mine.locator("a.job-result").count() == 1
    mp.screenshot("kit-my-jobs")
    errors = [e for e in mp.console_errors if "favicon.ico" not in e]  # asked for by the download
    assert not errors, errors


def test_a_unit_admin_uploads_a_seal_and_sees_it_on_the_sample_page(map_page: MapPage, demo: Any,
                                                                     tmp_path: Path, settings: Any) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    png = tmp_path / "村委会印章.png"
    png.write_bytes(seal_png())
    fake = tmp_path / "fake.png"
    fake.write_bytes(b"GIF89a" + b"\0" * 200)
    mp = map_page
    mp.open_map(demo.village_admin.username)
    mp.page.click("#tabs button[data-tab='seals']")
    mp.page.wait_for_selector(".seal-card[data-kind='committee']")
    assert demo.community.name in mp.page.inner_text("#panel h3")
    # Not a PNG: refused with the reason, nothing stored.
    mp.page.set_input_files("#seal-file-committee", str(fake))
    mp.page.wait_for_selector("#toast.error:not([hidden])")
    assert "PNG" in mp.page.inner_text("#toast")
    assert not Seal.objects.exists()
    mp.page.click("#toast")
    mp.page.set_input_files("#seal-file-committee", str(png))
    mp.page.wait_for_selector(".seal-card[data-kind='committee'] img.seal-thumb")
    seal = Seal.objects.get()
    assert (seal.unit_id, seal.kind, seal.active, seal.uploaded_by_id) == (
        demo.community.pk, "committee", True, demo.village_admin.pk)
    assert AuditEvent.objects.filter(model="core.Seal", object_id=str(seal.pk), action="create").exists()
    # The sample page in the frame shows the seal as it will print.
    frame = mp.page.frame_locator("#seal-preview")
    img = frame.locator("img.seal-committee")
    img.wait_for()
    assert img.get_attribute("src") == f"/api/seals/{seal.pk}/image/"
    assert img.evaluate("i => i.complete && i.naturalWidth") == 400
    assert demo.community.name in frame.locator(".signature").inner_text()
    mp.page.locator("#seal-preview").scroll_into_view_if_needed()
    mp.screenshot("kit-seal-preview")


def test_my_messages_read_and_unread(map_page: MapPage, demo: Any) -> None:
    notify([demo.village_staff], "停水通知", "明日9时至12时停水。", link="/map/", unit=demo.community)
    notify([demo.village_staff], "会议通知", "周六上午开会。", unit=demo.community)
    mp = map_page
    mp.open_map(demo.village_staff.username)
    mp.page.wait_for_selector("#messages-badge:not([hidden])")
    assert mp.page.inner_text("#messages-badge") == "2"
    mp.page.click("#btn-messages")
    mp.page.wait_for_selector("#messages-dialog .msg.unread")
    assert mp.page.locator("#messages-dialog .msg.unread").count() == 2
    mp.page.click("#messages-dialog .msg:has-text('会议通知')")
    mp.page.wait_for_function("document.querySelectorAll('#messages-dialog .msg.unread').length === 1")
    assert mp.page.inner_text("#messages-badge") == "1"
    read = Message.objects.get(account=demo.village_staff, notice__subject="会议通知")
    assert read.read_at is not None
    assert Message.objects.get(account=demo.village_staff, notice__subject="停水通知").read_at is None
    mp.screenshot("kit-messages")
    mp.page.click("#msg-read-all")
    mp.page.wait_for_selector("#messages-badge[hidden]", state="attached")
    assert not Message.objects.filter(account=demo.village_staff, read_at__isnull=True).exists()


def test_the_rules_in_force_with_their_citations(map_page: MapPage, demo: Any) -> None:
    book = RuleBook.from_files([(p, "core") for p in sorted(EXAMPLE_RULES.glob("*.toml"))])
    with rules.use(book):  # the live server runs in this process
        mp = map_page
        mp.open_map(demo.village_staff.username)
        mp.page.click("#tabs button[data-tab='rules']")
        mp.page.wait_for_selector("#rules-list .rule")
        mp.page.fill("#rules-date", "2025-06-01")
        mp.page.dispatch_event("#rules-date", "change")
        mp.page.wait_for_selector("#rules-list .rule[data-key='core.example_major_matters_at_once']")
        first = mp.page.locator("#rules-list .rule[data-key='core.example_general_interval_days']")
        assert "31 天" in first.inner_text() and "第二十五条" in first.inner_text() and "待核对" in first.inner_text()
        mp.page.select_option("#rules-province", "national")
        mp.page.wait_for_selector("#rules-list .rule:has-text('92 天')")
        text = mp.page.locator("#rules-list .rule[data-key='core.example_general_interval_days']").inner_text()
        assert "《中华人民共和国村民委员会组织法》（2018年修正）第三十条" in text and "待核对" not in text
        mp.screenshot("kit-rules")
