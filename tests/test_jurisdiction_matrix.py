"""Cross-jurisdiction matrix: a village/community user against the
neighbouring community, the town above and another town — list, detail, update, delete on units,
houses, committees, users, organisations and the audit trail. Nothing may leak or change.

Out-of-scope objects answer 404 (their existence is not revealed); writes a role may not make
answer 403/405. Every write attempt is followed by a check that the database did not change.
"""
from __future__ import annotations

import json
from typing import Any

import pytest
from accounts.models import Organisation, Role, User
from audit.models import AuditEvent
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from boundaries.levels import Level
from boundaries.models import AdminUnit, CommitteeRecord, House

pytestmark = pytest.mark.django_db

REFUSED = {403, 404, 405}


def client_for(user: User) -> APIClient:
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def all_pages(client: APIClient, url: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    while url:
        r = client.get(url)
        assert r.status_code == 200, r.content
        body = r.json()
        items += body.get("features", body.get("results", []))
        url = body.get("next")
    return items


def snapshot() -> tuple:
    """Everything the matrix could change, in one comparable value."""
    return (
        list(AdminUnit.objects.order_by("pk").values_list("pk", "name", "code", "parent_id", "boundary_version")),
        list(House.objects.order_by("pk").values_list("pk", "room", "floor")),
        list(User.objects.order_by("pk").values_list("pk", "role", "unit_id", "is_active", "display_name")),
        list(Organisation.objects.order_by("pk").values_list("pk", "name", "unit_id")),
        list(CommitteeRecord.objects.order_by("pk").values_list("pk", "name", "phone")),
    )


def target_unit(demo: Any, which: str) -> AdminUnit:
    return {"neighbour": demo.neighbour_community, "town": demo.town, "other_town": demo.other_town}[which]


TARGETS = ["neighbour", "town", "other_town"]


def test_unit_list_holds_only_the_own_subtree(demo: Any) -> None:
    client = client_for(demo.village_staff)
    features = all_pages(client, "/api/units/?geometry=false&page_size=5000")
    codes = {f["properties"]["code"] for f in features}
    assert demo.community.code in codes
    assert all(c.startswith(demo.community.code) for c in codes)
    expected = AdminUnit.objects.filter(path__startswith=demo.community.path).count()
    assert len(codes) == expected > 1
    # Filters cannot widen the scope either.
    in_town = all_pages(client, f"/api/units/?parent={demo.town.pk}&geometry=false")
    assert [f["properties"]["code"] for f in in_town] == [demo.community.code]
    for url in (f"/api/units/?subtree={demo.town.pk}",
                "/api/units/?level=2", "/api/units/?q=双龙湖", f"/api/units/?code={demo.neighbour_community.code}"):
        assert all_pages(client, url) == [], url


@pytest.mark.parametrize("which", TARGETS)
def test_unit_detail_and_actions_out_of_scope_are_404(demo: Any, which: str) -> None:
    client = client_for(demo.village_staff)
    unit = target_unit(demo, which)
    assert client.get(f"/api/units/{unit.pk}/").status_code == 404
    assert client.get(f"/api/units/{unit.pk}/ancestors/").status_code == 404
    tree = client.get(f"/api/units/tree/?root={unit.pk}")
    assert tree.status_code == 200 and tree.json() == []


@pytest.mark.parametrize("which", TARGETS)
@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_unit_writes_out_of_scope_change_nothing(demo: Any, which: str, method: str) -> None:
    client = client_for(demo.village_admin)
    unit = target_unit(demo, which)
    before = snapshot()
    # A well-formed request (its own boundary, unchanged): only the jurisdiction can refuse it.
    body = {"name": "改名", "reason": "越权测试", "geometry": json.loads(unit.geom.geojson)}
    r = getattr(client, method)(f"/api/units/{unit.pk}/", body, format="json")
    assert r.status_code in REFUSED, r.content
    assert snapshot() == before


@pytest.mark.parametrize("which", TARGETS)
def test_houses_and_committees_of_others_do_not_leak(demo: Any, which: str) -> None:
    client = client_for(demo.village_staff)
    unit = target_unit(demo, which)
    own = {h["id"] for h in all_pages(client, "/api/houses/?page_size=5000")}
    assert own == set(House.objects.filter(building__path__startswith=demo.community.path).values_list("pk", flat=True))
    foreign = House.objects.filter(building__path__startswith=unit.path).exclude(
        building__path__startswith=demo.community.path).first()
    if foreign is not None:  # the tiny demo has houses in the neighbour (and thus the town)
        assert client.get(f"/api/houses/{foreign.pk}/").status_code == 404
        assert client.get(f"/api/houses/?building={foreign.building_id}").json()["count"] == 0
        assert client.get(f"/api/units/{foreign.building_id}/houses/").status_code == 404
        before = snapshot()
        assert client.patch(f"/api/houses/{foreign.pk}/", {"room": "9999"}, format="json").status_code in REFUSED
        assert client.delete(f"/api/houses/{foreign.pk}/").status_code in REFUSED
        assert snapshot() == before
    committees = all_pages(client, "/api/committees/")
    assert [c["unit_code"] for c in committees] == [demo.community.code]
    other = CommitteeRecord.objects.filter(unit__path__startswith=unit.path).exclude(unit=demo.community).first()
    assert other is not None
    assert client.get(f"/api/committees/{other.pk}/").status_code == 404


def test_staff_may_not_manage_accounts_or_read_audit(demo: Any) -> None:
    for user in (demo.village_staff, demo.town_supervisor, demo.resident):
        client = client_for(user)
        before = snapshot()
        assert client.get("/api/users/").status_code == 403
        assert client.get("/api/audit/").status_code == 403
        r = client.post("/api/users/", {"username": "x_new", "password": "Abcdefgh12!x", "unit": user.unit_id,
                                        "role": Role.ADMIN, "login_type": "community"}, format="json")
        assert r.status_code == 403
        assert client.patch(f"/api/users/{user.pk}/", {"role": Role.ADMIN}, format="json").status_code == 403
        assert snapshot() == before


@pytest.mark.parametrize("which", TARGETS)
def test_village_admin_cannot_see_or_change_other_accounts(demo: Any, which: str) -> None:
    client = client_for(demo.village_admin)
    unit = target_unit(demo, which)
    listed = {u["username"] for u in all_pages(client, "/api/users/")}
    assert listed == set(User.objects.filter(unit__path__startswith=demo.community.path).values_list("username",
                                                                                                     flat=True))
    victim = User.objects.filter(unit__path__startswith=unit.path).exclude(unit__path__startswith=demo.community.path)
    victim = victim.first()
    assert victim is not None
    before = snapshot()
    assert client.get(f"/api/users/{victim.pk}/").status_code == 404
    assert client.patch(f"/api/users/{victim.pk}/", {"role": Role.RESIDENT}, format="json").status_code == 404
    assert client.delete(f"/api/users/{victim.pk}/").status_code == 404
    assert client.post(f"/api/users/{victim.pk}/set-password/", {"password": "Hijacked2026!x"},
                       format="json").status_code == 404
    # Nor create an account in, or move an own account to, a unit outside the subtree.
    r = client.post("/api/users/", {"username": "intruder", "password": "Intruder2026!x", "unit": unit.pk,
                                    "role": Role.ADMIN, "login_type": "community"}, format="json")
    assert r.status_code == 400
    own = demo.village_staff
    assert client.patch(f"/api/users/{own.pk}/", {"unit": unit.pk}, format="json").status_code == 400
    assert snapshot() == before


@pytest.mark.parametrize("which", TARGETS)
def test_organisations_of_others_do_not_leak(demo: Any, which: str) -> None:
    client = client_for(demo.village_admin)
    unit = target_unit(demo, which)
    names = {o["name"] for o in all_pages(client, "/api/organisations/")}
    assert names == set(Organisation.objects.filter(unit__path__startswith=demo.community.path).values_list(
        "name", flat=True))
    org = Organisation.objects.filter(unit=unit).first()
    assert org is not None
    before = snapshot()
    assert client.get(f"/api/organisations/{org.pk}/").status_code == 404
    assert client.patch(f"/api/organisations/{org.pk}/", {"name": "改名"}, format="json").status_code == 404
    assert client.delete(f"/api/organisations/{org.pk}/").status_code == 404
    assert client.post("/api/organisations/", {"name": "冒名机构", "unit": unit.pk}, format="json").status_code == 400
    assert snapshot() == before


@pytest.mark.parametrize("which", TARGETS)
def test_audit_events_of_others_do_not_leak(demo: Any, which: str) -> None:
    unit = target_unit(demo, which)
    # A change inside the target's jurisdiction, made by its own administrator.
    admin = {"neighbour": demo.neighbour_admin, "town": demo.town_admin, "other_town": demo.other_town_admin}[which]
    staff = User.objects.filter(unit=unit).exclude(pk=admin.pk).first() or admin
    r = client_for(admin).patch(f"/api/users/{staff.pk}/", {"display_name": "改名测试"}, format="json")
    assert r.status_code == 200, r.content
    event = AuditEvent.objects.filter(object_id=str(staff.pk), model="accounts.User").latest("at")
    client = client_for(demo.village_admin)
    assert client.get(f"/api/audit/{event.pk}/").status_code == 404
    assert all(e["unit_path"].startswith(demo.community.path) for e in all_pages(client, "/api/audit/"))
    assert client.delete(f"/api/audit/{event.pk}/").status_code in REFUSED
    assert client.patch(f"/api/audit/{event.pk}/", {"reason": "x"}, format="json").status_code in REFUSED
    assert AuditEvent.objects.filter(pk=event.pk, reason=event.reason).exists()


def test_upper_levels_read_their_whole_subtree(demo: Any) -> None:
    town = client_for(demo.town_supervisor)
    codes = {f["properties"]["code"] for f in all_pages(town, "/api/units/?geometry=false&level=3&page_size=500")}
    assert codes == set(AdminUnit.objects.filter(parent=demo.town).values_list("code", flat=True))
    assert town.get(f"/api/units/{demo.community.pk}/").status_code == 200
    assert town.get(f"/api/units/{demo.other_town.pk}/").status_code == 404
    district = client_for(demo.district_admin)
    r = district.get("/api/units/?geometry=false&level=3&page_size=1")
    assert r.json()["count"] == 412
    assert district.get("/api/units/?level=2&geometry=false").json()["count"] == 30
    buildings = AdminUnit.objects.filter(level=Level.BUILDING, path__startswith=demo.community.path).first()
    assert district.get(f"/api/units/{buildings.pk}/houses/").status_code == 200
