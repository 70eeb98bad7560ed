"""The committee record (村(居)委会) is read by anyone of its jurisdiction and kept by its unit
administrators: scoped, validated and audited."""
from __future__ import annotations

import pytest
from audit.models import AuditEvent
from core.testing import token_client

from boundaries.models import CommitteeRecord

pytestmark = pytest.mark.django_db


def test_only_unit_admins_edit_their_committee(demo) -> None:
    record = CommitteeRecord.objects.get(unit=demo.community)
    url = f"/api/committees/{record.pk}/"
    body = {"phone": "023-67009999", "members": [{"post": "主任", "name": "李明"}]}
    for user in (demo.village_staff, demo.resident, demo.town_supervisor):
        assert token_client(user).patch(url, body, format="json").status_code == 403
    # Another community's administrator does not even find it.
    assert token_client(demo.neighbour_admin).patch(url, body, format="json").status_code == 404
    r = token_client(demo.village_admin).patch(url, body, format="json")
    assert r.status_code == 200, r.json()
    record.refresh_from_db()
    assert record.phone == "023-67009999" and record.members == [{"post": "主任", "name": "李明"}]
    assert AuditEvent.objects.filter(action="update", object_repr=record.name).exists()
    # The unit cannot be moved; a member needs a post and a name; no PUT, no DELETE.
    r = token_client(demo.village_admin).patch(url, {"unit": demo.neighbour_community.pk}, format="json")
    assert r.status_code == 200 and CommitteeRecord.objects.get(pk=record.pk).unit_id == demo.community.pk
    r = token_client(demo.village_admin).patch(url, {"members": [{"name": "王五"}]}, format="json")
    assert r.status_code == 400
    assert token_client(demo.village_admin).delete(url).status_code == 405
    # Residents still read their own committee.
    assert token_client(demo.resident).get(url).status_code == 200
