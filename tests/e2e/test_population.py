"""End-to-end: the population-pool screens, exports and account administration in the map client,
each step through the real UI (clicks and typing in Chromium), checked on screen and in the database.

- 500112002001_staff transfers a person out to the neighbouring community, whose clerk
  (500112002002_staff) gets a notice and accepts the person from the inbox;
- yubei_staff exports the communities of one town as GeoPackage and the file is read back;
- 500112002001_admin opens an account for a new clerk with the staff role, who can then sign in;
- shuanglonghu_supervisor is offered no reveal button and no errands, and logs no 403.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pyogrio
import pytest
from audit.models import AuditEvent
from core.notices.models import Message

from boundaries.levels import Level
from boundaries.models import AdminUnit

from .conftest import SCREENSHOTS, MapPage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _person(pool: AdminUnit, name: str, born: dt.date = dt.date(1985, 3, 9), serial: str = "123") -> Any:
    from population.ids import check_digit
    from population.models import Person

    first = f"500112{born:%Y%m%d}{serial}"
    p = Person(pool=pool, name=name)
    p.set_id_number(first + check_digit(first))
    p.save()
    return p


def _second_page(browser: Any, live_server: Any) -> tuple[Any, MapPage]:
    context = browser.new_context(viewport={"width": 1100, "height": 700}, locale="zh-CN", timezone_id="Asia/Shanghai")
    page = context.new_page()
    page.set_default_timeout(30_000)
    return context, MapPage(page, live_server.url)


def _shot(page: Any, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def test_transfer_out_to_the_neighbour_and_accept_it_from_the_inbox(map_page: MapPage, browser: Any, live_server: Any,
                                                                   demo: Any) -> None:
    from population.models import Person, Transfer

    assert demo.village_staff.username == "500112002001_staff"
    assert demo.neighbour_staff.username == "500112002002_staff"
    person = _person(demo.community, "转出测试人")
    mp = map_page
    mp.open_map(demo.village_staff.username)
    mp.page.click("#tabs button[data-tab=population]")
    mp.page.fill("#pop-q", "转出测试")
    mp.page.click(f"#pop-list [data-person-id='{person.pk}'] .pop-name")
    mp.page.wait_for_selector("#person-dialog #card-history")
    assert "转出测试人" in mp.page.inner_text("#person-dialog")
    mp.page.click("#card-transfer-out")
    # The destination is found by typing part of its name (it is outside this clerk's jurisdiction).
    mp.page.fill("#transfer-target-q", demo.neighbour_community.name[:2])
    mp.page.click(f"#transfer-targets button[data-pool-id='{demo.neighbour_community.pk}']")
    assert demo.neighbour_community.name in mp.page.inner_text("#transfer-picked")
    mp.page.fill("#transfer-reason", "搬迁至邻近社区居住")
    mp.screenshot("population-transfer-out")
    with mp.page.expect_response(f"**/api/population/people/{person.pk}/transfer-out/") as sent:
        mp.page.click("#transfer-submit")
    assert sent.value.status == 200, sent.value.text()
    mp.page.wait_for_selector("#toast:not([hidden])")
    assert "等待" in mp.page.inner_text("#toast")
    transfer = Transfer.objects.get(person=person)
    assert transfer.status == "pending" and transfer.to_pool_id == demo.neighbour_community.pk
    assert Person.objects.get(pk=person.pk).pool_id is None

    # The neighbour's clerk: a notice, the inbox with its count, accept.
    context, other = _second_page(browser, live_server)
    other.open_map(demo.neighbour_staff.username)
    assert Message.objects.filter(account=demo.neighbour_staff, notice__subject="居住人口转入待接收").exists()
    other.page.wait_for_selector("#messages-badge:not([hidden])")
    other.page.click("#tabs button[data-tab=population]")
    other.page.wait_for_selector("#inbox-badge:not([hidden])")
    assert other.page.inner_text("#inbox-badge") == "1"
    other.page.click(".pop-nav button[data-view=inbox]")
    row = other.page.wait_for_selector(f"#inbox-list [data-transfer-id='{transfer.pk}']")
    text = row.inner_text()
    assert "转出测试人" in text and demo.community.name in text and "搬迁至邻近社区居住" in text
    assert "*" in text  # the ID number is masked
    _shot(other.page, "population-inbox")
    with other.page.expect_response(f"**/api/population/transfers/{transfer.pk}/accept/") as accepted:
        other.page.click(f"#inbox-list [data-transfer-id='{transfer.pk}'] button[data-act=accept]")
    assert accepted.value.status == 200, accepted.value.text()
    other.page.wait_for_selector(f"#inbox-list [data-transfer-id='{transfer.pk}']", state="detached")
    transfer.refresh_from_db()
    assert transfer.status == "accepted" and transfer.decided_by_id == demo.neighbour_staff.pk
    assert Person.objects.get(pk=person.pk).pool_id == demo.neighbour_community.pk
    # The sender is told, and the person's history shows both steps with the clerks' names.
    assert Message.objects.filter(account=demo.village_staff, notice__subject="转出人员已接收").exists()
    other.page.click(".pop-nav button[data-view=people]")
    other.page.fill("#pop-q", "转出测试")
    other.page.click(f"#pop-list [data-person-id='{person.pk}'] .pop-name")
    history = other.page.wait_for_selector("#card-history").inner_text()
    assert "居住人口转出" in history and "接收转入" in history
    assert demo.neighbour_staff.display_name in history or demo.neighbour_staff.username in history
    _shot(other.page, "population-person-card")
    assert not [f for f in other.failed if " 403 " in f or f.startswith("403")], other.failed
    context.close()


def test_town_export_as_geopackage(map_page: MapPage, demo: Any, tmp_path: Path) -> None:
    mp = map_page
    mp.open_map("yubei_staff")
    mp.page.click("#tabs button[data-tab=export]")
    mp.page.fill("#export-unit-q", demo.town.name)
    mp.page.click(f"#export-unit-results button[data-unit-id='{demo.town.pk}']")
    assert demo.town.name in mp.page.inner_text("#export-unit")
    # Communities only (the level below the town is ticked first), GeoPackage, CGCS2000.
    checked = mp.page.eval_on_selector_all("#export-levels input:checked", "els => els.map(e => e.value)")
    assert checked == [str(Level.COMMUNITY)]
    mp.page.select_option("#export-format", "gpkg")
    mp.page.select_option("#export-crs", "4490")
    mp.screenshot("export-gpkg")
    with mp.page.expect_download() as info:
        mp.page.click("#export-go")
    download = info.value
    name = download.suggested_filename
    assert name.startswith(f"{demo.town.code}-{demo.town.name}-4490-") and name.endswith(".gpkg"), name
    path = tmp_path / name
    download.save_as(path)
    gdf = pyogrio.read_dataframe(path)
    expected = set(AdminUnit.objects.filter(parent=demo.town, level=Level.COMMUNITY).values_list("code", flat=True))
    assert set(gdf["code"]) == expected and len(gdf) == len(expected)
    assert set(gdf["level"]) == {Level.COMMUNITY}
    assert gdf.crs.to_epsg() == 4490
    assert gdf.geometry.is_valid.all() and (gdf.geometry.area > 0).all()
    meta = pyogrio.read_info(path)["dataset_metadata"]
    assert meta["unit"] == f"{demo.town.code} {demo.town.name}"
    assert meta["exported_at"].startswith(dt.date.today().isoformat()[:4]) and meta["exported_at"].endswith("+08:00")
    assert meta["source"].startswith("智慧社区平台") and meta["crs"] == "EPSG:4490"
    event = AuditEvent.objects.filter(action="export").latest("id")
    assert event.after["format"] == "gpkg" and event.after["levels"] == [Level.COMMUNITY]


def test_unit_admin_opens_an_account_for_a_new_clerk(map_page: MapPage, browser: Any, live_server: Any,
                                                     demo: Any) -> None:
    from accounts.models import User

    assert demo.village_admin.username == "500112002001_admin"
    mp = map_page
    mp.open_map(demo.village_admin.username)
    mp.page.click("#tabs button[data-tab=admin]")
    mp.page.wait_for_selector("#accounts-list .admin-row")
    mp.page.click("#account-new")
    mp.page.fill("#account-dialog input[name=username]", "wxl_clerk_new")
    mp.page.fill("#account-dialog input[name=display_name]", "王小丽")
    mp.page.select_option("#account-dialog select[name=role]", "staff")
    mp.page.fill("#account-dialog input[name=password]", "Qingshui-2026-lake")
    mp.screenshot("admin-new-account")
    with mp.page.expect_response("**/api/users/") as created:
        mp.page.click("#account-dialog button[data-act=ok]")
    assert created.value.status == 201, created.value.text()
    row = mp.page.wait_for_selector("#accounts-list [data-username=wxl_clerk_new]")
    assert "王小丽" in row.inner_text() and "工作人员" in row.inner_text()
    user = User.objects.get(username="wxl_clerk_new")
    assert user.role == "staff" and user.unit_id == demo.community.pk and user.login_type == "community"
    assert user.is_active and user.check_password("Qingshui-2026-lake")
    assert AuditEvent.objects.filter(action="create", object_repr__contains="wxl_clerk_new").exists()
    mp.screenshot("admin-accounts")
    # The new clerk signs in and gets the clerk's screens.
    context, clerk = _second_page(browser, live_server)
    clerk.login("wxl_clerk_new", "Qingshui-2026-lake")
    clerk.wait_ready()
    assert "王小丽" in clerk.page.inner_text("#user-name")
    clerk.page.click("#tabs button[data-tab=population]")
    clerk.page.wait_for_selector(".pop-nav button[data-view=errands]")
    assert clerk.page.locator("#tabs button[data-tab=admin]").count() == 0
    context.close()


def test_town_supervisor_is_offered_no_reveal_and_no_errands(map_page: MapPage, demo: Any) -> None:
    from population.models import Person

    person = _person(demo.community, "督导查看人")
    building = AdminUnit.objects.filter(level=Level.BUILDING, path__startswith=demo.community.path,
                                        houses__isnull=False).order_by("code").first()
    house = building.houses.order_by("floor", "room").first()
    Person.objects.filter(pk=person.pk).update(house=house, house_relation="owner")
    mp = map_page
    mp.open_map("shuanglonghu_supervisor")
    mp.fly_to_unit(building.pk, Level.BUILDING)
    mp.page.click("#tabs button[data-tab=building]")
    cell = mp.page.wait_for_selector(f"[data-house-id='{house.pk}'] [data-person-id='{person.pk}']")
    assert "督导查看人" in cell.inner_text() and "*" in cell.inner_text()
    assert mp.page.locator(".reveal").count() == 0
    assert mp.page.locator("#place-submit").count() == 0
    mp.screenshot("supervisor-building-no-reveal")
    # The person's card: the masked record, no action buttons at all.
    mp.page.click(f"[data-person-id='{person.pk}'] .person-name")
    mp.page.wait_for_selector("#person-dialog #card-history")
    assert mp.page.locator("#person-dialog .card-actions button").count() == 0
    mp.page.click("#person-dialog .kit-close")
    mp.page.click("#tabs button[data-tab=population]")
    mp.page.wait_for_selector("#pop-count")
    # Errands: a supervisor may export the masked list, nothing else.
    mp.page.click(".pop-nav button[data-view=errands]")
    mp.page.wait_for_selector("#btn-export-people")
    for absent in ("#btn-add-person", "#import-check", "#city-search", "#export-full"):
        assert mp.page.locator(absent).count() == 0, absent
    assert mp.page.locator("#tabs button[data-tab=admin]").count() == 0
    assert not [f for f in mp.failed if f.startswith("403")], mp.failed


def test_resident_pages_offer_no_staff_tab_and_log_no_refusal(map_page: MapPage, demo: Any) -> None:
    mp = map_page
    mp.open_map(demo.resident.username)
    building = AdminUnit.objects.filter(level=Level.BUILDING, path__startswith=demo.community.path).order_by("code").first()
    mp.fly_to_unit(building.pk, Level.BUILDING)
    mp.page.click("#tabs button[data-tab=building]")
    mp.page.wait_for_selector(".building .notice")
    tabs = mp.page.eval_on_selector_all("#tabs button", "els => els.map(e => e.dataset.tab)")
    assert set(tabs) == {"tree", "layers", "building", "rules"}, tabs
    mp.page.wait_for_timeout(500)
    assert not [f for f in mp.failed if f[:3] in ("401", "403")], mp.failed


def _xlsx(path: Path, rows: list[list[str]]) -> Path:
    from openpyxl import Workbook
    from population.spreadsheets import EXPORT_HEADERS

    wb = Workbook()
    ws = wb.active
    ws.append(EXPORT_HEADERS[:8])
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def test_excel_import_checked_with_a_progress_bar_then_written(map_page: MapPage, celery_worker: Any, demo: Any,
                                                               tmp_path: Path) -> None:
    from population.ids import check_digit
    from population.models import Person

    first = "500112199001021234"[:17]
    good = first + check_digit(first)
    code = demo.community.code
    bad = _xlsx(tmp_path / "bad.xlsx", [["导入甲", good, "男", "1990-01", "汉族", "", code, "重庆市渝北区某路1号"],
                                        ["导入乙", "50011219900102123X", "女", "1990-01", "汉族", "", code, "某路2号"]])
    ok = _xlsx(tmp_path / "ok.xlsx", [["导入甲", good, "男", "1990-01", "汉族", "", code, "重庆市渝北区某路1号"]])
    mp = map_page
    mp.open_map(demo.village_staff.username)
    mp.page.click("#tabs button[data-tab=population]")
    mp.page.click(".pop-nav button[data-view=errands]")
    # A file with a wrong ID number: the check reports the row, nothing is written.
    mp.page.set_input_files("#import-file", str(bad))
    mp.page.click("#import-check")
    mp.page.wait_for_selector("#import-job[data-status='done']", timeout=120_000)
    assert mp.page.inner_text("#import-job .job-percent") == "100%"
    mp.page.wait_for_selector("#import-errors")
    errors = mp.page.inner_text("#import-errors")
    assert "3" in errors  # the second data row is row 3 of the sheet
    assert "未写入" in mp.page.inner_text("#import-summary")
    assert mp.page.locator("#import-write").count() == 0
    assert not Person.objects.filter(name__in=["导入甲", "导入乙"]).exists()
    # A clean file: checked, then written on confirmation.
    mp.page.set_input_files("#import-file", str(ok))
    mp.page.click("#import-check")
    mp.page.wait_for_selector("#import-write", timeout=120_000)
    assert "预检通过" in mp.page.inner_text("#import-summary")
    assert not Person.objects.filter(name="导入甲").exists()
    mp.page.click("#import-write")
    mp.page.wait_for_function("() => (document.querySelector('#import-summary') || {}).textContent?.includes('已写入')",
                              timeout=120_000)
    mp.page.locator("#import-report").scroll_into_view_if_needed()
    mp.screenshot("population-import")
    person = Person.objects.get(name="导入甲")
    assert person.pool_id == demo.community.pk and person.hukou_code == code


def test_housing_someone_who_lives_elsewhere_warns_and_moves_the_household(map_page: MapPage, demo: Any) -> None:
    from population.models import Household, Person, PersonEvent

    building = AdminUnit.objects.filter(level=Level.BUILDING, path__startswith=demo.community.path,
                                        houses__isnull=False).order_by("code").first()
    old_house, new_house = building.houses.order_by("entrance", "floor", "room")[:2]
    head = _person(demo.community, "安置户主", serial="135")
    wife = _person(demo.community, "安置配偶", born=dt.date(1987, 6, 1), serial="246")
    hh = Household.objects.create(number=f"{demo.community.code}90001", unit=demo.community, house=old_house)
    Person.objects.filter(pk=head.pk).update(house=old_house, house_relation="owner", household=hh, relation_to_head="02")
    Person.objects.filter(pk=wife.pk).update(house=old_house, house_relation="family", household=hh, relation_to_head="12")
    mp = map_page
    mp.open_map(demo.village_staff.username)
    mp.fly_to_unit(building.pk, Level.BUILDING)
    mp.page.click("#tabs button[data-tab=building]")
    mp.page.fill("#place-search", "安置户主")
    mp.page.wait_for_selector(f"#place-person option[value='{head.pk}']", state="attached")
    mp.page.select_option("#place-person", str(head.pk))
    mp.page.select_option("#place-house", str(new_house.pk))
    mp.page.click("#place-submit")
    warning = mp.page.wait_for_selector("#place-warning")
    assert "现住在" in warning.inner_text() and old_house.room in warning.inner_text()
    assert mp.page.inner_text("#place-dialog label:has(select[name=relation])").startswith("与房屋关系")
    # No reason: refused in the dialog, nothing moved.
    mp.page.click("#place-dialog button[data-act=ok]")
    assert "迁居事由" in mp.page.inner_text("#place-dialog .form-error")
    assert Person.objects.get(pk=head.pk).house_id == old_house.pk
    mp.page.fill("#place-dialog textarea[name=reason]", "购置新房")
    mp.page.check("#place-dialog input[name=with_household]")
    mp.screenshot("population-place-warning")
    with mp.page.expect_response(f"**/api/population/people/{head.pk}/place/") as placed:
        mp.page.click("#place-dialog button[data-act=ok]")
    assert placed.value.status == 200, placed.value.text()
    mp.page.wait_for_selector(f"[data-house-id='{new_house.pk}'] [data-person-id='{wife.pk}']")
    assert set(Person.objects.filter(household=hh).values_list("house_id", flat=True)) == {new_house.pk}
    assert Household.objects.get(pk=hh.pk).house_id == new_house.pk
    assert PersonEvent.objects.filter(person=wife, to_house=new_house, reason="购置新房").exists()


def test_unit_admin_keeps_the_committee_record(map_page: MapPage, demo: Any) -> None:
    from boundaries.models import CommitteeRecord

    record = CommitteeRecord.objects.get(unit=demo.community)
    mp = map_page
    mp.open_map(demo.village_admin.username)
    mp.page.click("#tabs button[data-tab=admin]")
    mp.page.click(".pop-nav button[data-view=committee]")
    mp.page.click("#committee-edit")
    mp.page.fill("#committee-dialog input[name=phone]", "023-67001234")
    members = mp.page.input_value("#committee-dialog textarea[name=members]")
    mp.page.fill("#committee-dialog textarea[name=members]", members + "\n委员 赵新民")
    with mp.page.expect_response(f"**/api/committees/{record.pk}/") as saved:
        mp.page.click("#committee-dialog button[data-act=ok]")
    assert saved.value.status == 200, saved.value.text()
    mp.page.wait_for_function("() => document.querySelector('#committee-members').textContent.includes('赵新民')")
    record.refresh_from_db()
    assert record.phone == "023-67001234" and {"name": "赵新民", "post": "委员"} in record.members
    assert AuditEvent.objects.filter(action="update", object_repr=record.name).exists()
    mp.screenshot("admin-committee")


def test_top_search_by_id_number_finds_and_highlights_the_resident(map_page: MapPage, demo: Any) -> None:
    from population.models import Person

    person = _person(demo.community, "身份证查找人", serial="357")
    number = person.id_number
    building = AdminUnit.objects.filter(level=Level.BUILDING, path__startswith=demo.community.path,
                                        houses__isnull=False).order_by("code").first()
    house = building.houses.order_by("floor", "room").last()
    Person.objects.filter(pk=person.pk).update(house=house, house_relation="tenant")
    mp = map_page
    mp.open_map(demo.village_staff.username)
    with mp.page.expect_request("**/api/population/people/search/") as searched:
        mp.page.fill("#search", number)
    assert number not in searched.value.url  # the ID number travels in the body, not the URL
    mp.page.click(f"#search-results [data-person-id='{person.pk}'] button")
    mp.page.wait_for_function("(id) => window.__app.selection && window.__app.selection.id === id", arg=building.pk)
    found = mp.page.wait_for_selector(f".resident.found[data-person-id='{person.pk}']")
    assert "身份证查找人" in found.inner_text()
    assert mp.page.locator(f"[data-house-id='{house.pk}'].found").count() == 1
    mp.screenshot("search-id-number-found")
    assert not [u for u in mp.requests if number in u]
