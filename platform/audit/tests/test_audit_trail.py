"""The audit trail: who, when, from where, what changed — and who may read it."""
from __future__ import annotations

from typing import Any

import pytest
from core import testing
from django.test import Client
from rest_framework.test import APIClient

from audit.context import acting_as, reason
from audit.models import Action, AuditEvent
from boundaries.models import CommitteeRecord

pytestmark = pytest.mark.django_db


def token_client(user: Any, ip: str = "192.0.2.10") -> APIClient:
    return testing.token_client(user, REMOTE_ADDR=ip)


def test_api_change_records_actor_ip_before_after(demo: Any) -> None:
    admin = demo.village_admin
    staff = demo.village_staff
    r = token_client(admin).patch(f"/api/users/{staff.pk}/", {"display_name": "张三"}, format="json")
    assert r.status_code == 200
    event = AuditEvent.objects.filter(model="accounts.User", object_id=str(staff.pk)).latest("id")
    assert event.action == Action.UPDATE
    assert event.actor == admin and event.actor_name == admin.username  # a token user, not "system"
    assert event.ip == "192.0.2.10"
    assert event.before == {"display_name": staff.display_name} and event.after == {"display_name": "张三"}
    assert event.unit_path == demo.community.path


def test_create_and_delete_record_full_snapshots_without_secrets(demo: Any) -> None:
    client = token_client(demo.village_admin)
    r = client.post("/api/organisations/", {"name": "五星路社区志愿者服务队", "unit": demo.community.pk}, format="json")
    assert r.status_code == 201
    created = AuditEvent.objects.get(model="accounts.Organisation", object_id=str(r.json()["id"]),
                                     action=Action.CREATE)
    assert created.after["name"] == "五星路社区志愿者服务队" and created.before is None
    assert client.delete(f"/api/organisations/{r.json()['id']}/").status_code == 204
    deleted = AuditEvent.objects.get(model="accounts.Organisation", object_id=str(r.json()["id"]),
                                     action=Action.DELETE)
    assert deleted.before["name"] == "五星路社区志愿者服务队" and deleted.after is None
    user_events = AuditEvent.objects.filter(model="accounts.User")
    assert not any("pbkdf2" in str(e.before) + str(e.after) for e in user_events)


def test_masked_fields_and_reasons(demo: Any) -> None:
    record = CommitteeRecord.objects.get(unit=demo.community)
    with acting_as(demo.village_admin, "198.51.100.1"), reason("换届后更新办公电话"):
        record.phone = "023-67000000"
        record.save()
    event = AuditEvent.objects.filter(model="adminunits.CommitteeRecord").latest("id")
    assert event.before == {"phone": "***"} and event.after == {"phone": "***"}  # changed, value not kept
    assert event.reason == "换届后更新办公电话" and event.ip == "198.51.100.1"


def test_session_user_is_the_actor(demo: Any) -> None:
    client = Client(REMOTE_ADDR="203.0.113.5")
    client.force_login(demo.town_admin)
    r = client.patch(f"/api/users/{demo.village_staff.pk}/", {"display_name": "李四"},
                     content_type="application/json")
    assert r.status_code == 200
    event = AuditEvent.objects.filter(model="accounts.User").latest("id")
    assert event.actor == demo.town_admin and event.ip == "203.0.113.5"


def test_readable_by_admins_of_the_unit_and_above_only(demo: Any) -> None:
    token_client(demo.village_admin).patch(f"/api/users/{demo.village_staff.pk}/", {"display_name": "王五"},
                                           format="json")
    event = AuditEvent.objects.filter(model="accounts.User").latest("id")
    for reader in (demo.village_admin, demo.town_admin, demo.district_admin):
        assert token_client(reader).get(f"/api/audit/{event.pk}/").status_code == 200
    assert token_client(demo.neighbour_admin).get(f"/api/audit/{event.pk}/").status_code == 404
    assert token_client(demo.village_staff).get(f"/api/audit/{event.pk}/").status_code == 403
    listed = token_client(demo.town_admin).get("/api/audit/?model=accounts.User").json()
    assert event.pk in {e["id"] for e in listed["results"]}
