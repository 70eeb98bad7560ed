"""Households (户), the destination directory, transfer notices, 安置 with a move, the pool list's
filters and the workbook import as a job: the API the map client's population screens use."""
from __future__ import annotations

import datetime as dt
import io

import pytest
from core.jobs.models import Job
from core.notices.models import Message
from django.core.files.storage import default_storage
from openpyxl import Workbook

from population.codes import EventKind
from population.models import Household, Person, PersonEvent

from .conftest import make_id

pytestmark = pytest.mark.django_db
URL = "/api/population/"


def pooled(pool, name: str, birth: dt.date = dt.date(1980, 5, 17), **kw) -> Person:
    p = Person(pool=pool, name=name, **kw)
    p.set_id_number(make_id(birth=birth))
    p.save()
    return p


def test_directory_finds_communities_outside_the_jurisdiction(world, api) -> None:
    r = api(world.staff_a).get(URL + "pools/", {"q": world.c.name[:3]})
    assert r.status_code == 200
    hit = next(x for x in r.json()["results"] if x["id"] == world.c.pk)
    assert hit["town"] == world.other_town.name and hit["code"] == world.c.code
    assert api(world.staff_a).get(URL + "pools/", {"q": ""}).json()["results"] == []
    assert api(world.resident).get(URL + "pools/", {"q": "社区"}).status_code == 403


def test_transfer_notices_reach_the_receiving_clerks_and_the_sender(world, api) -> None:
    p = pooled(world.a, "通知测试")
    r = api(world.staff_a).post(URL + f"people/{p.pk}/transfer-out/", {"reason": "搬家", "to_pool": world.b.pk}, format="json")
    assert r.status_code == 200, r.json()
    got = Message.objects.get(account=world.staff_b)
    assert got.notice.subject == "居住人口转入待接收" and "通知测试" in got.notice.body
    assert not Message.objects.filter(account=world.staff_a).exists()
    t = r.json()["transfer"]
    assert t["created_by_name"] == (world.staff_a.display_name or world.staff_a.username)
    r = api(world.staff_b).post(URL + f"transfers/{t['id']}/reject/", {"reason": "查无此人"}, format="json")
    assert r.status_code == 200
    assert Message.objects.get(account=world.staff_a).notice.subject == "转出人员已退回"


def test_history_names_the_clerk(world, api) -> None:
    p = pooled(world.a, "历史测试")
    api(world.staff_a).post(URL + f"people/{p.pk}/place/", {"house": world.houses_a[0].pk, "relation": "owner"}, format="json")
    events = api(world.staff_a).get(URL + f"people/{p.pk}/history/").json()["results"]
    assert events[0]["actor_display"] == (world.staff_a.display_name or world.staff_a.username)


def test_place_elsewhere_needs_a_reason_and_can_take_the_household(world, api) -> None:
    c = api(world.staff_a)
    head = pooled(world.a, "户主甲")
    wife = pooled(world.a, "妻子乙", birth=dt.date(1982, 1, 2))
    r = c.post(URL + "households/", {"pool": world.a.pk, "head": head.pk}, format="json")
    assert r.status_code == 201, r.json()
    hh = r.json()
    assert hh["number"].startswith(world.a.code) and hh["member_count"] == 1
    r = c.post(URL + f"households/{hh['id']}/members/", {"person": wife.pk, "relation_to_head": "12"}, format="json")
    assert r.status_code == 200 and r.json()["relation_to_head_label"] == "妻"
    # A second head is refused.
    r = c.post(URL + f"households/{hh['id']}/members/", {"person": wife.pk, "relation_to_head": "02"}, format="json")
    assert r.status_code == 400 and r.json()["code"] == "household_has_head"
    first, second = world.houses_a[0], world.houses_a[1]
    r = c.post(URL + f"households/{hh['id']}/move/", {"house": first.pk, "reason": "购房入住"}, format="json")
    assert r.status_code == 200, r.json()
    assert set(Person.objects.filter(household_id=hh["id"]).values_list("house_id", flat=True)) == {first.pk}
    # Moving the head elsewhere without a reason is refused; with one, the household follows.
    r = c.post(URL + f"people/{head.pk}/place/", {"house": second.pk, "relation": "owner"}, format="json")
    assert r.status_code == 400 and r.json()["code"] == "reason_required"
    r = c.post(URL + f"people/{head.pk}/place/", {"house": second.pk, "relation": "owner", "reason": "换房",
                                                  "with_household": True}, format="json")
    assert r.status_code == 200, r.json()
    assert set(Person.objects.filter(household_id=hh["id"]).values_list("house_id", flat=True)) == {second.pk}
    assert Household.objects.get(pk=hh["id"]).house_id == second.pk
    assert PersonEvent.objects.filter(person=wife, kind=EventKind.PLACED, to_house=second, reason="换房").exists()
    detail = c.get(URL + f"households/{hh['id']}/").json()
    assert {m["name"] for m in detail["members"]} == {"户主甲", "妻子乙"}
    r = c.post(URL + f"people/{wife.pk}/leave-household/", {"reason": "分户"}, format="json")
    assert r.status_code == 200 and Person.objects.get(pk=wife.pk).household_id is None


def test_households_are_scoped(world, api) -> None:
    head = pooled(world.a, "户主丙")
    hh = api(world.staff_a).post(URL + "households/", {"pool": world.a.pk, "head": head.pk}, format="json").json()
    other = api(world.staff_b)
    assert other.get(URL + f"households/{hh['id']}/").status_code == 404
    assert other.post(URL + f"households/{hh['id']}/move/", {"house": world.house_b.pk, "reason": "x理由"},
                      format="json").status_code == 404
    assert hh["id"] not in [x["id"] for x in other.get(URL + "households/").json()["results"]]
    assert api(world.supervisor).post(URL + "households/", {"pool": world.a.pk}, format="json").status_code == 403
    # A house of another community is refused for this household.
    r = api(world.town_admin).post(URL + f"households/{hh['id']}/move/", {"house": world.house_b.pk, "reason": "搬家"},
                                   format="json")
    assert r.status_code == 400 and r.json()["code"] == "house_outside_pool"


def test_pool_list_filters_age_hukou_placed(world, api) -> None:
    today = dt.date.today()
    old = pooled(world.a, "筛选老人", birth=today.replace(year=today.year - 82), hukou_code=world.a.code)
    young = pooled(world.a, "筛选少年", birth=today.replace(year=today.year - 10) - dt.timedelta(days=3),
                   hukou_code="510104000000")
    Person.objects.filter(pk=old.pk).update(house=world.houses_a[0], house_relation="owner")
    c = api(world.staff_a)

    def ids(**params) -> set[int]:
        return {p["id"] for p in c.get(URL + "people/", {"q": "筛选", **params}).json()["results"]}

    assert ids() == {old.pk, young.pk}
    assert ids(age_min=80) == {old.pk}
    assert ids(age_min=0, age_max=14) == {young.pk}
    assert ids(hukou="local") == {old.pk}
    assert ids(hukou="other") == {young.pk}
    assert ids(placed="yes") == {old.pk} and ids(placed="no") == {young.pk}
    assert c.get(URL + "people/", {"hukou": "elsewhere"}).status_code == 400


def _workbook(rows: list[list[str]]) -> bytes:
    from population.spreadsheets import EXPORT_HEADERS

    wb = Workbook()
    ws = wb.active
    ws.append(EXPORT_HEADERS[:8])
    for r in rows:
        ws.append(r)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_import_job_checks_then_writes_the_same_file(world, api) -> None:
    from core.jobs.runner import execute
    from django.core.files.uploadedfile import SimpleUploadedFile

    number = make_id()
    data = _workbook([["导入甲", number, "男", "1980-05", "汉族", "", world.a.code, "重庆市渝北区某路1号"]])
    c = api(world.staff_a)
    r = c.post(URL + "import-jobs/", {"file": SimpleUploadedFile("p.xlsx", data), "pool": world.a.pk, "dry_run": "true"},
               format="multipart")
    assert r.status_code == 202, r.json()
    check = Job.objects.get(pk=r.json()["id"])
    execute(check.pk, pulse=False)
    check.refresh_from_db()
    assert check.status == "done", check.error
    assert check.result["ok"] and check.result["rows"] == 1 and not check.result["written"]
    assert not Person.objects.filter(name="导入甲").exists()
    # Another clerk cannot write this clerk's checked file.
    r = api(world.staff_b).post(URL + "import-jobs/", {"checked": check.pk, "pool": world.b.pk, "dry_run": False}, format="json")
    assert r.status_code == 400 and r.json()["code"] == "import_check_missing"
    r = c.post(URL + "import-jobs/", {"checked": check.pk, "pool": world.a.pk, "dry_run": False}, format="json")
    assert r.status_code == 202, r.json()
    write = Job.objects.get(pk=r.json()["id"])
    execute(write.pk, pulse=False)
    write.refresh_from_db()
    assert write.status == "done" and write.result["written"], write.result
    assert Person.objects.get(name="导入甲").pool_id == world.a.pk
    assert not default_storage.exists(check.params["file"])
    assert api(world.supervisor).post(URL + "import-jobs/", {"checked": check.pk}, format="json").status_code == 403
