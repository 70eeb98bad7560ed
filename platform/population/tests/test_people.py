"""People: add, search, masking, reveal/audit, jurisdiction, locked fields, personal data at rest."""
from __future__ import annotations

import pytest
from audit.models import Action, AuditEvent
from django.db import connection

from population import crypto, services
from population.models import Person

from .conftest import make_id

pytestmark = pytest.mark.django_db

URL = "/api/population/"


def add(world, user, pool=None, **kw):
    data = {"name": kw.pop("name", "张三"), "id_number": kw.pop("id_number", None) or make_id(), **kw}
    return services.add_person(user, data, pool)


def test_add_person_returns_masked_record_and_stores_no_clear_id(world, api) -> None:
    number = make_id()
    r = api(world.staff_a).post(URL + "people/", {"name": "李四", "id_number": number, "phone": "13812345678",
                                                  "tags": ["veteran"]}, format="json")
    assert r.status_code == 201, r.json()
    body = r.json()
    assert body["id_number"] == number[:6] + "*" * 10 + number[-2:]
    assert body["phone"] == "138****5678"
    assert body["pool"]["id"] == world.a.pk and body["sex_label"] == "男"
    # A dump of the table holds neither the number nor the phone in clear.
    with connection.cursor() as cur:
        cur.execute("SELECT row_to_json(p)::text FROM population_person p")
        dump = " ".join(row[0] for row in cur.fetchall())
    assert number not in dump and "13812345678" not in dump
    p = Person.objects.get()
    assert p.id_number == number and p.phone == "13812345678"
    assert bytes(p.id_hash) == crypto.id_hash(number)


def test_bad_id_numbers_are_refused_and_nothing_written(world, api) -> None:
    good = make_id()
    bad_check = good[:17] + ("0" if good[17] != "0" else "1")
    c = api(world.staff_a)
    r = c.post(URL + "people/", {"name": "王五", "id_number": bad_check}, format="json")
    assert r.status_code == 400 and r.json()["code"] == "id_check_digit"
    assert bad_check not in r.content.decode()
    r = c.post(URL + "people/", {"name": "王五", "id_number": "500112198002300015"}, format="json")
    assert r.json()["code"] == "id_birth_date"
    assert not Person.objects.exists()


def test_duplicate_id_is_impossible(world, api) -> None:
    number = make_id()
    add(world, world.staff_a, id_number=number)
    r = api(world.staff_b).post(URL + "people/", {"name": "重复", "id_number": number}, format="json")
    assert r.status_code == 400 and r.json()["code"] == "duplicate_id"
    assert Person.objects.count() == 1


def test_search_is_scoped_and_pii_never_in_urls(world, api) -> None:
    number = make_id()
    add(world, world.staff_a, name="张伟", id_number=number, phone="13900001111", tags=["dibao"])
    add(world, world.staff_b, name="张伟强")
    add(world, world.staff_c, name="张伟")
    # Community staff see their pool only; the town sees both of its communities; not the other town.
    assert api(world.staff_a).get(URL + "people/", {"q": "张伟"}).json()["count"] == 1
    assert api(world.staff_b).get(URL + "people/", {"q": "张伟"}).json()["count"] == 1
    assert api(world.town_admin).get(URL + "people/", {"q": "张伟"}).json()["count"] == 2
    assert api(world.district_admin).get(URL + "people/", {"q": "张"}).json()["count"] == 3
    # Fuzzy (trigram) match on a misspelt name.
    assert api(world.town_admin).get(URL + "people/", {"q": "张伟强x"}).json()["count"] == 0
    assert api(world.town_admin).get(URL + "people/", {"q": "张伟强x", "fuzzy": "true"}).json()["count"] >= 1
    r = api(world.staff_a).get(URL + "people/", {"id_number": number})
    assert r.status_code == 400 and r.json()["code"] == "pii_in_url"
    c = api(world.staff_a)
    assert c.post(URL + "people/search/", {"id_number": number}, format="json").json()["count"] == 1
    assert api(world.staff_b).post(URL + "people/search/", {"id_number": number}, format="json").json()["count"] == 0
    assert c.post(URL + "people/search/", {"phone": "139 0000 1111"}, format="json").json()["count"] == 1
    assert c.get(URL + "people/", {"tag": "dibao"}).json()["count"] == 1
    assert c.get(URL + "people/", {"tag": "nope"}).json()["code"] == "tag_invalid"
    # A unit outside the user's jurisdiction is refused, not silently empty.
    assert c.get(URL + "people/", {"unit": world.b.pk}).status_code == 404


def test_search_by_address(world, api) -> None:
    p = add(world, world.staff_a, name="赵六", hukou_address="重庆市渝北区双龙湖街道百果路8号")
    services.place(world.staff_a, p, world.houses_a[0], "owner")
    c = api(world.staff_a)
    assert c.get(URL + "people/", {"address": "百果路"}).json()["count"] == 1
    assert c.get(URL + "people/", {"address": world.ba.name}).json()["count"] == 1
    assert c.get(URL + "people/", {"address": "不存在的路"}).json()["count"] == 0


def test_reveal_is_audited_and_role_limited(world, api) -> None:
    number = make_id()
    p = add(world, world.staff_a, id_number=number, phone="13812345678")
    r = api(world.staff_a).post(URL + f"people/{p.pk}/reveal/", {"reason": "核实低保申请"}, format="json")
    assert r.status_code == 200 and r.json()["id_number"] == number and r.json()["phone"] == "13812345678"
    ev = AuditEvent.objects.get(action=Action.REVEAL)
    assert ev.actor == world.staff_a and ev.reason == "核实低保申请" and ev.object_id == str(p.pk)
    assert ev.unit_path == world.a.path
    assert api(world.staff_a).post(URL + f"people/{p.pk}/reveal/", {}, format="json").json()["code"] == "reason_required"
    r = api(world.supervisor).post(URL + f"people/{p.pk}/reveal/", {"reason": "看看"}, format="json")
    assert r.status_code == 403 and r.json()["code"] == "reveal_forbidden"
    # Another community cannot even see the record.
    assert api(world.staff_b).post(URL + f"people/{p.pk}/reveal/", {"reason": "x" * 3}, format="json").status_code == 404
    assert AuditEvent.objects.filter(action=Action.REVEAL).count() == 1
    # The automatic create/update audit masks personal fields.
    created = AuditEvent.objects.filter(action=Action.CREATE, model="population.Person").first()
    assert created.after["id_cipher"] == "***" and number not in str(created.after)


def test_hukou_is_locked_for_community_staff(world, api) -> None:
    p = add(world, world.staff_a, hukou_address="重庆市渝北区某路1号")
    c = api(world.staff_a)
    r = c.patch(URL + f"people/{p.pk}/", {"hukou_address": "别处"}, format="json")
    assert r.status_code == 400 and r.json()["code"] == "hukou_locked"
    r = c.patch(URL + f"people/{p.pk}/", {"political_status": "01", "tags": ["party_member"]}, format="json")
    assert r.status_code == 200 and r.json()["political_status_label"] == "中共党员"
    assert c.patch(URL + f"people/{p.pk}/", {"ethnicity": "99"}, format="json").json()["code"] == "ethnicity_invalid"
    p.refresh_from_db()
    assert p.hukou_address == "重庆市渝北区某路1号"
    r = api(world.supervisor).patch(URL + f"people/{p.pk}/", {"name": "改名"}, format="json")
    assert r.status_code == 403


def test_population_disabled_in_internet_zone(world, api, settings) -> None:
    settings.POPULATION_ENABLED = False
    r = api(world.staff_a).get(URL + "people/")
    assert r.status_code == 404 and r.json()["code"] == "population_disabled"


def test_anonymous_is_refused(world, client) -> None:
    assert client.get(URL + "people/").status_code in (401, 403)


def test_openapi_schema_lists_population() -> None:
    # Only our URL patterns: the schema of the population API must build on its own.
    from django.urls import include, path
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator(patterns=[path("api/population/", include("population.api.urls"))]).get_schema(
        request=None, public=True
    )
    paths = schema["paths"]
    assert "/api/population/people/{id}/reveal/" in paths or "/api/population/people/{pk}/reveal/" in paths
    assert "/api/population/city-record/search/" in paths and "/api/population/stats/{unit_id}/" in paths


@pytest.mark.parametrize(
    ("who", "detail", "reveal", "stats_town"),
    [
        ("staff_a", 200, 200, 404),
        ("village_admin", 200, 200, 404),
        ("staff_b", 404, 404, 404),
        ("staff_c", 404, 404, 404),
        ("town_admin", 200, 200, 200),
        ("supervisor", 200, 403, 200),
        ("district_admin", 200, 200, 200),
        ("resident", 403, 403, 403),
    ],
)
def test_jurisdiction_matrix(world, api, who: str, detail: int, reveal: int, stats_town: int) -> None:
    """Staff of this community, of the neighbour, of another town; the town above; residents."""
    p = add(world, world.staff_a, name="矩阵")
    c = api(getattr(world, who))
    assert c.get(URL + f"people/{p.pk}/").status_code == detail
    assert c.post(URL + f"people/{p.pk}/reveal/", {"reason": "核对信息"}, format="json").status_code == reveal
    assert c.get(URL + f"stats/{world.town.pk}/").status_code == stats_town
    listed = c.get(URL + "people/", {"q": "矩阵"})
    assert listed.status_code == (403 if who == "resident" else 200)
    if listed.status_code == 200:
        assert listed.json()["count"] == (1 if detail == 200 else 0)
