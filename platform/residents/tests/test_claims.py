"""Binding 我的社区: the claim answers the same whether a record matched or not; staff confirm."""
from __future__ import annotations

from typing import Any

import pytest
from core.testing import Actors
from population.models import Person

from residents.models import CommunityClaim

pytestmark = pytest.mark.django_db

ID = "500112199001011234"


def _valid_id(base17: str) -> str:
    from population.ids import check_digit

    return base17 + check_digit(base17)


@pytest.fixture
def person(demo: Any) -> Person:
    p = Person(name="张三", pool=demo.community)
    p.set_id_number(_valid_id("50011219900101123"))
    p.set_phone("13800138000")
    p.save()
    return p


def _claim(actors: Actors, who: str, community: int, name: str, idn: str, phone: str) -> Any:
    return actors.client(who).post("/api/residents/me/", {"community": community, "name": name, "id_number": idn,
                                                          "phone": phone}, format="json")


def test_no_oracle_and_staff_confirm(actors: Actors, demo: Any, person: Person) -> None:
    idn = _valid_id("50011219900101123")
    good = _claim(actors, "neighbour_resident", demo.community.pk, "张三", idn, "13800138000")
    wrong = _claim(actors, "resident", demo.community.pk, "李四", idn, "13800138000")
    assert good.status_code == wrong.status_code == 202
    assert good.json().keys() == wrong.json().keys() and good.json()["status"] == wrong.json()["status"] == "submitted"
    me = actors.client("neighbour_resident").get("/api/residents/me/").json()
    assert me["claim"]["status"] == "pending" and "person" not in me["claim"] and "matched" not in str(me)
    # Community staff see the match (masked) and confirm; the neighbouring village's staff see nothing.
    rows = actors.client("village_staff").get("/api/residents/claims/").json()
    by_name = {r["name"]: r for r in rows}
    assert by_name["张三"]["matched"] and by_name["张三"]["person"]["id_masked"] == person.id_masked
    assert not by_name["李四"]["matched"] and by_name["李四"]["person"] is None
    assert actors.client("neighbour_staff").get("/api/residents/claims/").json() == []
    claim_id = by_name["张三"]["id"]
    assert actors.client("neighbour_staff").post(f"/api/residents/claims/{claim_id}/confirm/").status_code == 404
    r = actors.client("village_staff").post(f"/api/residents/claims/{by_name['李四']['id']}/confirm/")
    assert r.status_code == 400 and r.json()["code"] == "no_match"
    r = actors.client("village_staff").post(f"/api/residents/claims/{claim_id}/confirm/")
    assert r.status_code == 200 and r.json()["status"] == "confirmed"
    assert type(demo.neighbour_resident).objects.get(pk=demo.neighbour_resident.pk).unit_id == demo.community.pk
    r = actors.client("village_staff").post(f"/api/residents/claims/{claim_id}/confirm/")
    assert r.status_code == 409


def test_claims_are_for_residents_with_well_formed_data(actors: Actors, demo: Any) -> None:
    assert _claim(actors, "village_staff", demo.community.pk, "张三", ID, "13800138000").status_code == 403
    r = _claim(actors, "resident", demo.community.pk, "张三", "123", "13800138000")
    assert r.status_code == 400 and r.json()["code"] == "id_format"
    r = _claim(actors, "resident", demo.town.pk, "张三", _valid_id("50011219900101123"), "13800138000")
    assert r.status_code == 400 and r.json()["code"] == "community_required"
    for _ in range(5):
        _claim(actors, "resident", demo.community.pk, "王五", _valid_id("50011219900101123"), "13800138000")
    r = _claim(actors, "resident", demo.community.pk, "王五", _valid_id("50011219900101123"), "13800138000")
    assert r.status_code == 429
    assert CommunityClaim.objects.filter(user=demo.resident, status="pending").count() == 1
