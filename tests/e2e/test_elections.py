"""End-to-end: a committee election through the real UI — the community clerk creates it in the map
client (a calendar publishing the roll 19 days before election day is refused with the rule, 20 days
accepted), imports the roll from the population pool seeing who is out and why (a person already on the
neighbouring community's roll is flagged), submits it; the community's reviewer approves the
announcement in 民政易; a resident objects in 民政易; the clerk upholds the objection; candidates are
nominated and the formal list confirmed; the town answers the joint review; the town supervisor sees
the stage on the map."""
from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from core.documents.models import SealKind
from core.documents.seals import upload_seal
from core.notices.models import Message
from core.testing import seal_png
from django.utils import timezone
from elections.models import Election, VettingDepartment, Voter
from elections.tests.conftest import person

from .conftest import MapPage
from .test_app_publication import phones  # noqa: F401  (the 民政易 phone fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _world(demo: Any) -> dict[str, Any]:
    """What exists before the clerk starts: the pool, the seal, the town's review departments, and the
    neighbouring community's election with 迁入丁 on its roll."""
    from elections import services

    a, b = demo.community, demo.neighbour_community
    for i in range(6):
        person(f"选民{i}", a, birth=dt.date(1960 + i, 3, 1), male=i % 2 == 0)
    person("少年甲", a, birth=timezone.localdate() - dt.timedelta(days=365 * 17))
    person("剥权乙", a, birth=dt.date(1975, 1, 1), tags=["deprived_political_rights"])
    _, outsider_id = person("外来丙", a, birth=dt.date(1985, 6, 1), hukou_here=False)
    mover, _ = person("迁入丁", a, birth=dt.date(1979, 9, 9), male=False)
    eb = services.create_election(demo.neighbour_staff, b, round="2026",
                                  election_day=timezone.localdate() + dt.timedelta(days=40))
    Voter.objects.create(election=eb, name=mover.name, gender="2", birth_date=mover.birth_date, id_hash=mover.id_hash,
                         id_masked=mover.id_masked, reason="已在本社区登记")
    upload_seal(demo.village_admin, a, SealKind.ELECTION_COMMITTEE, io.BytesIO(seal_png()))
    for n in ("组织", "公安"):
        VettingDepartment.objects.create(unit=demo.town, name=n)
    return {"outsider_id": outsider_id}


def _open_elections(mp: MapPage, username: str) -> None:
    mp.open_map(username)
    mp.page.click("#tabs button[data-tab='elections']")
    mp.page.wait_for_selector("#el-summary")


def test_a_committee_election_through_the_ui(map_page: MapPage, browser: Any, live_server: Any, celery_worker: Any,
                                             demo: Any, phones: Any) -> None:  # noqa: F811
    w = _world(demo)
    mp = map_page
    day = timezone.localdate() + dt.timedelta(days=40)

    # 1. The clerk creates the election; a roll 19 days before election day is refused with the rule.
    _open_elections(mp, demo.village_staff.username)
    mp.page.click("#el-new summary")
    mp.page.fill("#el-day", day.isoformat())
    mp.page.fill("#el-members", "3")
    mp.page.fill("#el-committee", "主任：张明；委员：李华")
    mp.page.fill("#el-roll-date", (day - dt.timedelta(days=19)).isoformat())
    mp.page.click("#el-create")
    mp.page.wait_for_function("document.querySelector('#el-create-result').textContent.includes('二十日前')")
    refusal = mp.page.inner_text("#el-create-result")
    assert "《重庆市居民委员会选举办法》" in refusal and not Election.objects.filter(unit=demo.community).exists()
    mp.page.fill("#el-roll-date", (day - dt.timedelta(days=20)).isoformat())
    mp.page.click("#el-create")
    mp.page.wait_for_selector("#el-detail[data-stage='registration']")
    e = Election.objects.get(unit=demo.community, round="2026")
    assert e.calendar["roll_published"] == (day - dt.timedelta(days=20)).isoformat()
    assert e.committee == [{"name": "张明", "role": "主任"}, {"name": "李华", "role": "委员"}]

    # 2. 人口库导入: who is out and why, the neighbour's voter flagged; then the import as a job.
    mp.page.click("#el-pool-preview")
    mp.page.wait_for_selector(".el-excluded tr")
    excluded = {r.split("\t")[0]: r for r in mp.page.locator(".el-excluded tr").all_inner_texts()}
    assert "未满18周岁" in excluded["少年甲"] and "剥夺政治权利" in excluded["剥权乙"]
    assert "需本人申请" in excluded["外来丙"]
    assert f"已在{demo.neighbour_community.name}的选民名单上" in excluded["迁入丁"]
    mp.page.locator("#el-preview").scroll_into_view_if_needed()
    mp.screenshot("elections-pool-preview")
    mp.page.click("#el-pool-import")
    mp.page.wait_for_selector("#el-roll[data-total='6']", timeout=120_000)
    assert "迁入丁" in mp.page.inner_text("#el-conflicts")
    assert Voter.objects.filter(election=e, status="on_roll").count() == 6

    # 3. Submitted for review: the announcement with the sealed PDF is printed by a job.
    mp.page.click("#el-submit-roll")
    mp.page.wait_for_selector("#el-detail[data-stage='roll_review']", timeout=180_000)
    e.refresh_from_db()
    assert e.roll_post_id and e.roll_document.seals.filter(kind="election_committee").exists()

    # 4. The community's reviewer approves the announcement in 民政易.
    reviewer = phones(demo.village_reviewer.username)
    reviewer.page.click("#tabbar a[data-tab='#/staff/queue']")
    reviewer.page.click(f"#box-queue a[data-post-id='{e.roll_post_id}']")
    reviewer.act("approve")
    e.refresh_from_db()
    assert e.stage == "roll_published" and e.roll_published_at is not None

    # 5. A resident objects in 民政易 (phone): 外来丙 is missing.
    resident = phones(demo.resident.username)
    resident.page.click("#tabbar a[data-tab='#/elections']")
    resident.page.wait_for_selector("#objection-form")
    resident.page.select_option("#obj-kind", "add")
    resident.page.fill("#obj-subject", "外来丙")
    resident.page.fill("#obj-text", "外来丙在本社区居住五年，已经居民代表会议同意，应当列入")
    resident.page.click("#obj-submit")
    resident.page.wait_for_selector("#my-objections .obj-card[data-status='pending']")
    resident.shot("elections-app-objection")
    o = e.objections.get()
    assert o.via_app and o.decide_by == timezone.localdate() + dt.timedelta(days=3)

    # 6. The clerk upholds it within the deadline: 外来丙 joins the roll; the resident is told.
    mp.page.click("#el-back")
    mp.page.click(f".el-row[data-election-id='{e.pk}']")
    row = mp.page.locator(f".el-objection[data-id='{o.pk}']")
    row.locator(".el-obj-id").fill(w["outsider_id"])
    row.locator(".el-obj-acceptance").fill("2026年11月居民代表会议同意")
    row.locator(".el-decision").fill("经核实居住满一年并经同意，列入选民名单")
    row.locator(".el-decide-uphold").click()
    mp.page.wait_for_selector(f".el-objection[data-id='{o.pk}'][data-status='upheld']")
    assert Voter.objects.filter(election=e, name="外来丙", status="on_roll").exists()
    assert Message.objects.filter(account=demo.resident, notice__subject="选民名单异议处理结果").exists()
    resident.open("#/elections")
    resident.page.wait_for_selector("#my-objections .obj-card[data-status='upheld']")
    assert "列入选民名单" in resident.page.inner_text("#my-objections")

    # 7. Nominations, and the formal list by the rules (more candidates than seats, a woman).
    mp.page.click("#el-advance[data-to='nomination']")
    mp.page.wait_for_selector("#el-detail[data-stage='nomination']")
    plan = [("director", "选民0", 30), ("director", "选民1", 20), ("deputy", "选民2", 25), ("deputy", "选民3", 12),
            ("member", "选民4", 40), ("member", "选民5", 33), ("member", "外来丙", 28), ("member", "选民1", 9)]
    for post, name, n in plan:
        mp.page.select_option("#el-nominate-post", post)
        mp.page.select_option("#el-nominate-voter", label=f"{name}（{'女' if name in ('选民1', '选民3', '选民5') else '男'}）")
        mp.page.fill("#el-nominate-count", str(n))
        before = mp.page.locator("#el-candidate-table tr").count()
        mp.page.click("#el-nominate")
        mp.page.wait_for_function("n => document.querySelectorAll('#el-candidate-table tr').length > n", arg=before)
    mp.page.click("#el-formal-list")
    mp.page.wait_for_selector("#el-detail[data-stage='candidates']")
    mp.page.click("#el-submit-review")
    mp.page.wait_for_selector("#el-detail[data-stage='joint_review']")
    assert e.candidates.filter(status="formal").count() == 8

    # 8. The town answers the joint review in its own map client.
    town = MapPage(browser.new_context(viewport={"width": 1100, "height": 700}, locale="zh-CN").new_page(), live_server.url)
    _open_elections(town, demo.town_staff.username)
    town.page.click(f".el-row[data-election-id='{e.pk}']")
    town.page.wait_for_selector("#el-vettings")
    for _ in range(16):
        n = int(town.page.get_attribute("#el-vettings", "data-answered") or 0)
        if n == 16:
            break
        town.page.locator("#el-vettings .el-pass").first.click()
        town.page.wait_for_selector(f"#el-vettings[data-answered='{n + 1}']")
    assert e.candidates.filter(status="approved").count() == 8
    town.page.context.close()

    # 9. The clerk gets the joint review back.
    mp.page.click("#el-back")
    mp.page.click(f".el-row[data-election-id='{e.pk}']")
    mp.page.wait_for_selector("#el-vettings[data-answered='16']")
    assert mp.page.locator("#el-candidate-table tr[data-status='approved']").count() == 8
    mp.page.locator("#el-vettings").scroll_into_view_if_needed()
    mp.screenshot("elections-joint-review")

    # 10. The town supervisor sees the stage on the map (coloured by stage) and in the list.
    sup = MapPage(browser.new_context(viewport={"width": 1100, "height": 700}, locale="zh-CN").new_page(), live_server.url)
    _open_elections(sup, demo.town_supervisor.username)
    assert "候选人联审" in sup.page.inner_text(f".el-row[data-election-id='{e.pk}']")
    sup.page.click("#btn-election-stage")
    sup.fly_to_unit(demo.community.pk, 3)
    sup.page.wait_for_function(
        "code => window.__map.queryRenderedFeatures({layers: ['election-stage-fill']}).some(f => f.properties.code === code)",
        arg=demo.community.code, timeout=60_000)
    feats = {f["props"]["code"]: f["props"] for f in sup.query(["election-stage-fill"])}
    assert feats[demo.community.code]["stage"] == "joint_review"
    assert feats[demo.neighbour_community.code]["stage"] == "registration"
    sup.screenshot("elections-supervision-map")
    sup.page.context.close()
