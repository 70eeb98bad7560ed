"""Transfers between pools, the city record, people in houses, counts and statistics."""
from __future__ import annotations

import pytest
from core.errors import DomainError

from population import services, stats
from population.codes import EventKind, PersonStatus
from population.models import BuildingResidents, Person, PersonEvent, Transfer

from .conftest import make_id

pytestmark = pytest.mark.django_db
URL = "/api/population/"


def city_person(name: str = "陈静", **kw) -> Person:
    """Someone in the city record only (pool NULL), as the city import writes them."""
    p = Person(name=name, hukou_code="500112002001", hukou_address="重庆市渝北区某路")
    p.set_id_number(kw.get("id_number") or make_id(male=False))
    p.save()
    return p


def test_transfer_in_from_city_record_by_id_and_name(world, api) -> None:
    number = make_id(male=False)
    p = city_person(id_number=number)
    c = api(world.staff_a)
    hits = c.post(URL + "city-record/search/", {"id_number": number}, format="json").json()["results"]
    assert [h["id"] for h in hits] == [p.pk] and hits[0]["transferable"] and "*" in hits[0]["id_number"]
    hits = c.post(URL + "city-record/search/", {"name": "陈静"}, format="json").json()["results"]
    assert p.pk in [h["id"] for h in hits]
    # Not found by exact or prefix: the trigram fuzzy fallback finds the near miss.
    hits = c.post(URL + "city-record/search/", {"name": "陈静儿"}, format="json").json()["results"]
    assert p.pk in [h["id"] for h in hits]
    r = c.post(URL + f"city-record/{p.pk}/transfer-in/", {"reason": "实际居住", "house": world.houses_a[0].pk,
                                                          "house_relation": "tenant"}, format="json")
    assert r.status_code == 200, r.json()
    p.refresh_from_db()
    assert p.pool == world.a and p.house == world.houses_a[0]
    kinds = list(p.events.order_by("id").values_list("kind", flat=True))
    assert kinds == [EventKind.TRANSFER_IN, EventKind.PLACED]
    assert p.events.get(kind=EventKind.TRANSFER_IN).actor == world.staff_a
    # Now in A's pool: B cannot take them (one pool at a time), nothing changes.
    r = api(world.staff_b).post(URL + f"city-record/{p.pk}/transfer-in/", {"reason": "也住这里"}, format="json")
    assert r.status_code == 409 and r.json()["code"] == "in_other_pool"
    p.refresh_from_db()
    assert p.pool == world.a
    # Supervisors (read-only) cannot search the city record.
    r = api(world.supervisor).post(URL + "city-record/search/", {"name": "陈静"}, format="json")
    assert r.status_code == 403


def test_transfer_out_to_neighbour_then_accept(world, api) -> None:
    p = services.add_person(world.staff_a, {"name": "周强", "id_number": make_id()})
    services.place(world.staff_a, p, world.houses_a[1], "owner")
    r = api(world.staff_a).post(URL + f"people/{p.pk}/transfer-out/", {"reason": "搬到乙社区", "to_pool": world.b.pk},
                                format="json")
    assert r.status_code == 200, r.json()
    p.refresh_from_db()
    assert p.pool is None and p.house is None
    # B's incoming list shows them; A no longer sees them; a third pool cannot grab them meanwhile.
    incoming = api(world.staff_b).get(URL + "transfers/").json()
    assert [t["person"]["id"] for t in incoming["results"]] == [p.pk]
    assert api(world.staff_a).get(URL + "transfers/").json()["count"] == 0
    assert api(world.staff_a).get(URL + "transfers/", {"direction": "outgoing"}).json()["count"] == 1
    assert api(world.staff_a).get(URL + f"people/{p.pk}/").status_code == 404
    r = api(world.staff_c).post(URL + f"city-record/{p.pk}/transfer-in/", {"reason": "抢先转入"}, format="json")
    assert r.json()["code"] == "transfer_pending"
    t = Transfer.objects.get()
    assert api(world.staff_a).post(URL + f"transfers/{t.pk}/accept/", {}, format="json").status_code == 404
    r = api(world.staff_b).post(URL + f"transfers/{t.pk}/accept/", {"house": world.house_b.pk, "house_relation": "owner"},
                                format="json")
    assert r.status_code == 200, r.json()
    p.refresh_from_db()
    assert p.pool == world.b and p.house == world.house_b
    t.refresh_from_db()
    assert t.status == "accepted" and t.decided_by == world.staff_b
    # Residence history: A's house, then B's house.
    hist = api(world.staff_b).get(URL + f"people/{p.pk}/history/").json()["results"]
    kinds = [e["kind"] for e in reversed(hist)]
    assert kinds == ["added", "placed", "unplaced", "transfer_out", "transfer_accepted", "placed"]
    assert api(world.staff_b).post(URL + f"transfers/{t.pk}/accept/", {}, format="json").json()["code"] == "transfer_closed"


def test_reject_returns_person_and_out_of_city(world) -> None:
    p = services.add_person(world.staff_a, {"name": "吴敏", "id_number": make_id()})
    t = services.transfer_out(world.staff_a, p, "误报", to_pool=world.b)
    with pytest.raises(DomainError) as exc:
        services.reject_transfer(world.staff_b, t, "")
    assert exc.value.code == "reason_required"
    services.reject_transfer(world.staff_b, t, "不在本社区居住")
    p.refresh_from_db()
    assert p.pool == world.a
    assert services.transfer_out(world.staff_a, p, "迁往成都", out_of_city=True) is None
    p.refresh_from_db()
    assert p.pool is None and p.status == PersonStatus.LEFT_CITY
    assert p.events.filter(kind=EventKind.LEFT_CITY, reason="迁往成都").exists()
    with pytest.raises(DomainError) as exc:
        services.transfer_out(world.staff_a, p, "再转", out_of_city=True)
    assert exc.value.code == "not_in_pool"


def test_place_checks_jurisdiction_and_pool(world, api) -> None:
    p = services.add_person(world.staff_a, {"name": "郑洁", "id_number": make_id()})
    c = api(world.staff_a)
    r = c.post(URL + f"people/{p.pk}/place/", {"house": world.house_b.pk, "relation": "owner"}, format="json")
    assert r.status_code == 403 and r.json()["code"] == "house_outside_jurisdiction"
    # The town sees both communities, but an A-pool person cannot live in a B house.
    r = api(world.town_admin).post(URL + f"people/{p.pk}/place/", {"house": world.house_b.pk, "relation": "owner"},
                                   format="json")
    assert r.status_code == 400 and r.json()["code"] == "house_outside_pool"
    r = c.post(URL + f"people/{p.pk}/place/", {"house": 10**9, "relation": "owner"}, format="json")
    assert r.status_code == 404
    r = c.post(URL + f"people/{p.pk}/place/", {"house": world.houses_a[0].pk, "relation": "owner"}, format="json")
    assert r.status_code == 200
    res = r.json()["residence"]
    assert res["building"]["id"] == world.ba.pk and res["neighbourhood"]["id"] == world.na.pk
    assert PersonEvent.objects.filter(person=p, kind=EventKind.PLACED).count() == 1


def test_building_residents_and_counts(world, api) -> None:
    before = BuildingResidents.objects.filter(building=world.ba).values_list("residents", flat=True).first() or 0
    people = [services.add_person(world.staff_a, {"name": f"住户{i}", "id_number": make_id(), "phone": "13800000000"})
              for i in range(3)]
    for i, p in enumerate(people):
        services.place(world.staff_a, p, world.houses_a[i % 2], "family")
    assert BuildingResidents.objects.get(building=world.ba).residents == before + 3
    r = api(world.staff_a).get(URL + f"buildings/{world.ba.pk}/houses/")
    assert r.status_code == 200
    body = r.json()
    assert body["resident_count"] == 3
    first = next(h for h in body["houses"] if h["id"] == world.houses_a[0].pk)
    assert first["resident_count"] == 2 and first["residents"][0]["phone"] == "138****0000"
    assert "13800000000" not in r.content.decode()
    assert api(world.staff_b).get(URL + f"buildings/{world.ba.pk}/houses/").status_code == 404
    # The town above sees the same residents (scoped through the building's community).
    assert api(world.town_admin).get(URL + f"buildings/{world.ba.pk}/houses/").json()["resident_count"] == 3
    services.unplace(world.staff_a, people[0], "搬走")
    assert BuildingResidents.objects.get(building=world.ba).residents == before + 2
    assert stats.resident_counts_by_building(world.a)[world.ba.pk] == before + 2
    Person.objects.filter(pk=people[1].pk).delete()
    assert BuildingResidents.objects.get(building=world.ba).residents == before + 1


def test_statistics(world, api) -> None:
    import datetime as dt

    services.add_person(world.staff_a, {"name": "老人", "id_number": make_id(birth=dt.date(1940, 1, 1)),
                                        "tags": ["elderly_alone"], "hukou_code": world.a.code})
    kid = services.add_person(world.staff_a, {"name": "小孩", "id_number": make_id(birth=dt.date(2018, 6, 1), male=False)})
    services.place(world.staff_a, kid, world.houses_a[0], "family")
    r = api(world.town_admin).get(URL + f"stats/{world.town.pk}/")
    assert r.status_code == 200
    s = r.json()
    assert s["population"] >= 2 and s["registered_here"] >= 1
    bands = {b["band"]: b for b in s["age_sex"]}
    assert bands["80+"]["male"] >= 1 and bands["0-14"]["female"] >= 1
    assert next(t for t in s["tags"] if t["tag"] == "elderly_alone")["count"] >= 1
    assert s["buildings"] > 0 and s["residents_in_buildings"] >= 1
    b = api(world.staff_a).get(URL + f"stats/{world.ba.pk}/").json()
    assert b["population"] >= 1
    assert api(world.staff_a).get(URL + f"stats/{world.town.pk}/").status_code == 404
