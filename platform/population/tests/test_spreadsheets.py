"""Excel import (report before writing, all-or-nothing) and export (masked, audited)."""
from __future__ import annotations

import io

import pytest
from audit.models import Action, AuditEvent
from openpyxl import Workbook, load_workbook

from population import services, spreadsheets
from population.models import Household, Person

from .conftest import make_id

pytestmark = pytest.mark.django_db
URL = "/api/population/"
HEAD = ["姓名", "身份证号", "民族", "联系电话", "户号", "与户主关系", "标签", "楼栋编码", "单元", "室号", "与房屋关系"]


def xlsx(rows: list[list], head: list[str] = HEAD) -> io.BytesIO:
    wb = Workbook()
    ws = wb.active
    ws.append(head)
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    buf.name = "pool.xlsx"
    return buf


def upload(client, buf, **kw):
    return client.post(URL + "import/", {"file": buf, **kw}, format="multipart")


def test_import_dry_run_then_write(world, api) -> None:
    h = world.houses_a[0]
    rows = [
        ["钱一", make_id(), "汉族", "13811112222", "H001", "户主", "退役军人", world.ba.code, h.entrance, h.room, "产权人"],
        ["钱二", make_id(male=False), "土家族", "", "H001", "妻", "", world.ba.code, h.entrance, h.room, ""],
    ]
    c = api(world.staff_a)
    r = upload(c, xlsx(rows))
    assert r.status_code == 200 and r.json()["to_create"] == 2 and not r.json()["written"]
    assert not Person.objects.filter(name__startswith="钱").exists()
    r = upload(c, xlsx(rows), dry_run="false", job="job-1")
    assert r.status_code == 200 and r.json()["written"], r.json()
    assert c.get(URL + "import/progress/job-1/").json()["stage"] == "完成"
    assert api(world.staff_b).get(URL + "import/progress/job-1/").status_code == 404  # per user
    people = Person.objects.filter(name__startswith="钱").order_by("name")
    assert [p.pool for p in people] == [world.a, world.a]
    assert people[0].house == h and people[0].tags == ["veteran"] and people[1].ethnicity == "15"
    assert people[0].household == people[1].household == Household.objects.get(number="H001")
    assert people[0].phone == "13811112222"
    assert people[0].events.get(kind="imported").to_house == h
    assert AuditEvent.objects.filter(model="adminunits.AdminUnit", object_id=str(world.a.pk),
                                     after__import_rows=2).exists()


def test_import_reports_every_bad_row_and_writes_nothing(world, api) -> None:
    existing = services.add_person(world.staff_b, {"name": "已在乙", "id_number": make_id()})
    dup = make_id()
    good = make_id()
    bad_check = good[:17] + ("0" if good[17] != "0" else "1")
    rows = [
        ["好人", make_id(), "", "", "", "", "", "", "", "", ""],
        ["校验错", bad_check, "", "", "", "", "", "", "", "", ""],
        ["", make_id(), "", "", "", "", "", "", "", "", ""],
        ["房不存在", make_id(), "", "", "", "", "", world.ba.code, "9", "9999", ""],
        ["重复甲", dup, "", "", "", "", "", "", "", "", ""],
        ["重复乙", dup, "", "", "", "", "", "", "", "", ""],
        ["他池", existing.id_number, "", "", "", "", "", "", "", "", ""],
        ["乙房", make_id(), "", "", "", "", "", world.bb.code, world.house_b.entrance, world.house_b.room, ""],
        ["怪标签", make_id(), "", "", "", "", "外星人", "", "", "", ""],
    ]
    r = upload(api(world.staff_a), xlsx(rows), dry_run="false")
    assert r.status_code == 422
    rep = r.json()
    assert not rep["written"] and not rep["ok"]
    got = {(e["row"], e["code"]) for e in rep["errors"]}
    assert {(3, "id_check_digit"), (4, "missing_field"), (5, "unknown_house"), (7, "duplicate_in_file"),
            (8, "in_other_pool"), (9, "unknown_house"), (10, "tag_invalid")} <= got
    assert bad_check not in r.content.decode() and existing.id_number not in r.content.decode()
    assert not Person.objects.filter(name="好人").exists()


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        (b"not a spreadsheet at all", "spreadsheet_invalid"),
        (b"PK\x03\x04broken zip", "spreadsheet_invalid"),
    ],
)
def test_malformed_files_give_clear_errors(world, api, payload: bytes, code: str) -> None:
    buf = io.BytesIO(payload)
    buf.name = "x.xlsx"
    r = upload(api(world.staff_a), buf)
    assert r.status_code == 400 and r.json()["code"] == code


def test_missing_columns_and_empty_sheet(world, api) -> None:
    r = upload(api(world.staff_a), xlsx([["张三"]], head=["姓名"]))
    assert r.status_code == 400 and r.json()["code"] == "spreadsheet_columns"
    r = upload(api(world.staff_a), xlsx([], head=["姓名", "身份证号"]))
    assert r.status_code == 400 and r.json()["code"] == "spreadsheet_empty"
    # Read-only roles cannot import at all.
    assert upload(api(world.supervisor), xlsx([["a", make_id()]], head=["姓名", "身份证号"])).status_code == 403


def test_import_transfers_city_record_people_in(world, api) -> None:
    p = Person(name="市库人", hukou_code="500112")
    p.set_id_number(make_id())
    p.save()
    r = upload(api(world.staff_a), xlsx([["市库人", p.id_number]], head=["姓名", "身份证号"]), dry_run="false")
    assert r.json()["to_transfer_in"] == 1 and r.json()["written"]
    p.refresh_from_db()
    assert p.pool == world.a and p.events.filter(kind="transfer_in").exists()


def test_export_masked_by_default_full_only_for_admins(world, api) -> None:
    p = services.add_person(world.staff_a, {"name": "导出人", "id_number": make_id(), "phone": "13912345678"})
    r = api(world.staff_a).post(URL + "export/", {"unit": world.a.pk}, format="json")
    assert r.status_code == 200
    ws = load_workbook(io.BytesIO(r.content)).active
    values = [c.value for row in ws.iter_rows() for c in row]
    assert p.id_masked in values and p.id_number not in values and "139****5678" in values
    assert AuditEvent.objects.filter(action=Action.EXPORT, actor=world.staff_a, after__full=False).exists()
    r = api(world.staff_a).post(URL + "export/", {"unit": world.a.pk, "full": True, "reason": "上报"}, format="json")
    assert r.status_code == 403 and r.json()["code"] == "export_forbidden"
    r = api(world.village_admin).post(URL + "export/", {"unit": world.a.pk, "full": True}, format="json")
    assert r.json()["code"] == "reason_required"
    r = api(world.village_admin).post(URL + "export/", {"unit": world.a.pk, "full": True, "reason": "民政局核查"},
                                      format="json")
    assert r.status_code == 200
    values = [c.value for row in load_workbook(io.BytesIO(r.content)).active.iter_rows() for c in row]
    assert p.id_number in values
    ev = AuditEvent.objects.get(action=Action.EXPORT, after__full=True)
    assert ev.reason == "民政局核查" and ev.actor == world.village_admin


def test_only_the_city_record_import_changes_hukou(world, api) -> None:
    p = services.add_person(world.staff_a, {"name": "户籍人", "id_number": make_id(), "hukou_address": "旧地址"})
    buf = xlsx([["户籍人", p.id_number, "500112002001", "重庆市渝北区新地址1号"]],
               head=["姓名", "身份证号", "户籍地区划代码", "户籍地址"])
    # A community pool import does not touch 户籍地.
    upload(api(world.staff_a), buf, dry_run="false")
    p.refresh_from_db()
    assert p.hukou_address == "旧地址"
    buf.seek(0)
    report = spreadsheets.import_workbook(buf, user=None, pool=None, mode="city", dry_run=False)
    assert report.written and report.to_update == 1
    p.refresh_from_db()
    assert p.hukou_address == "重庆市渝北区新地址1号" and p.pool == world.a
    assert p.events.filter(kind="hukou_updated").count() == 1
