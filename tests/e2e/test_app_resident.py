"""End-to-end 民政易: binding 我的社区 (claim → staff confirm), the offline shell, the cadence list for a
town supervisor, and the map's link from a community to its published items."""
from __future__ import annotations

from typing import Any

import pytest

from .conftest import MapPage
from .test_app_publication import phones  # noqa: F401  (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_resident_binds_community_and_staff_confirm(phones: Any, demo: Any) -> None:  # noqa: F811
    from population.ids import check_digit
    from population.models import Person

    idn = "50011219850505123" + check_digit("50011219850505123")
    person = Person(name="刘芳", pool=demo.community)
    person.set_id_number(idn)
    person.set_phone("13912345678")
    person.save()

    resident = phones(demo.neighbour_resident.username)
    resident.open("#/me")
    form = "#bind-form"
    resident.page.fill(f"{form} input[name=name]", "刘芳")
    resident.page.fill(f"{form} input[name=id_number]", idn)
    resident.page.fill(f"{form} input[name=phone]", "13912345678")
    resident.page.fill(f"{form} input[name=community_q]", demo.community.name[:3])
    resident.page.wait_for_selector(f"{form} select[name=community] option[value='{demo.community.pk}']", state="attached")
    resident.page.select_option(f"{form} select[name=community]", str(demo.community.pk))
    resident.page.click(f"{form} button[type=submit]")
    resident.page.wait_for_selector("#claim-status.pending")
    assert "待确认" in resident.page.inner_text("#claim-status")
    resident.shot("app-bind")

    staff = phones(demo.village_staff.username)
    staff.page.click("#tabbar a[data-tab='#/staff']")
    staff.page.click("a[data-menu='#/staff/claims']")
    staff.page.wait_for_selector("#claims .claim")
    assert "人口库匹配：刘芳" in staff.page.inner_text("#claims")
    staff.shot("app-claims")
    staff.page.click("#claims button[data-decision=confirm]")
    staff.page.wait_for_selector("#claims .empty")

    resident.open("#/")
    resident.page.wait_for_selector("#my-community")
    assert demo.community.name in resident.page.inner_text("#my-community")


def test_offline_shell_shows_last_loaded_items(phones: Any, demo: Any) -> None:  # noqa: F811
    from publication import demo as pub_demo

    pub_demo.generate()
    resident = phones(demo.resident.username)
    page = resident.page
    page.wait_for_function("navigator.serviceWorker.controller !== null", timeout=20_000)
    titles = resident.home_titles()  # loaded once through the worker
    assert titles
    resident.context.set_offline(True)
    page.reload()
    page.wait_for_function("window.__appReady === true")
    page.wait_for_selector("#headline-list .card")
    assert page.locator("#headline-list .card .card-title").all_inner_texts()[:3] == titles[:3]
    resident.shot("app-offline")
    resident.context.set_offline(False)


def test_town_supervisor_sees_overdue_villages_with_the_rule(phones: Any, demo: Any) -> None:  # noqa: F811
    from publication import demo as pub_demo

    pub_demo.generate()
    sup = phones("shuanglonghu_supervisor")
    sup.page.click("#tabbar a[data-tab='#/staff']")
    sup.page.click("a[data-menu='#/staff/cadence']")
    sup.page.wait_for_selector("#cadence-list .card")
    assert "第三十条" in sup.page.inner_text("#cadence-rules")
    assert "一般事项至少每季度公布一次" in sup.page.inner_text("#cadence-rules")
    assert sup.page.locator("#cadence-list .card.overdue").count() > 0
    sup.shot("app-cadence")


def test_map_links_a_community_to_its_published_items(map_page: MapPage, phones: Any, demo: Any) -> None:  # noqa: F811
    from publication import demo as pub_demo

    pub_demo.generate()
    map_page.open_map(demo.village_staff.username)
    map_page.page.wait_for_selector("#published-link")
    href = map_page.page.get_attribute("#published-link", "href")
    assert href == f"/app/#/unit/{demo.community.pk}"
    reader = phones(demo.resident.username)
    reader.open(f"#/unit/{demo.community.pk}")
    reader.page.wait_for_selector("#unit-list .card")
    names = set(reader.page.locator("#unit-list .card-meta .tag").all_inner_texts())
    assert names == {demo.community.name}


def test_staff_bulk_notice_runs_as_a_job_and_reaches_residents(phones: Any, celery_worker: Any,  # noqa: F811
                                                               demo: Any) -> None:
    from core.jobs.models import Job

    staff = phones(demo.village_staff.username)
    staff.page.click("#tabbar a[data-tab='#/staff']")
    staff.page.click("a[data-menu='#/staff/notice']")
    staff.page.fill("#notice-form input[name=subject]", "周六停水通知")
    staff.page.fill("#notice-form textarea[name=body]", "因管网维修，本周六 8:00-18:00 停水，请提前储水。")
    staff.page.click("#notice-send")
    staff.page.wait_for_selector("#notice-job.job-card")
    staff.page.wait_for_selector("#notice-job[data-status='done']", timeout=180_000)
    assert staff.page.inner_text("#notice-job .job-percent") == "100%"
    staff.shot("app-bulk-notice")
    job = Job.objects.get(kind="residents.bulk_notice")
    assert (job.user_id, job.unit_id, job.result["recipients"]) == (demo.village_staff.pk, demo.community.pk, 1)

    resident = phones(demo.resident.username)
    resident.page.click("#tabbar a[data-tab='#/messages']")
    resident.page.wait_for_selector("#messages .msg-list >> text=周六停水通知")
    resident.shot("app-messages")
    neighbour = phones(demo.neighbour_resident.username)
    neighbour.open("#/messages")
    neighbour.page.wait_for_selector("#messages .msg-list")
    neighbour.page.wait_for_timeout(500)
    assert "周六停水通知" not in neighbour.page.inner_text("#messages")
