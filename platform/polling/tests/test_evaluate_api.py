"""``POST /api/polling/evaluate/outcome/``: the same function the counting uses, through HTTP; nothing
written, bad input a 400 with a code, anonymous refused."""
from __future__ import annotations

from typing import Any

import pytest
from audit.models import AuditEvent
from django.db import connection
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db
URL = "/api/polling/evaluate/outcome/"

BODY = {
    "registered": 100, "on": "2026-05-10",
    "boxes": [{"id": "main", "name": "中心会场", "issued": 50, "returned": 50}],
    "posts": [{"id": "director", "kind": "主任", "seats": 1,
               "candidates": [{"id": "a", "name": "张三", "gender": "female"}]}],
    "totals": {"director": {"a": 50}},
}


def test_exact_half_turnout_is_invalid_and_nothing_is_written(actors: Any) -> None:
    before = AuditEvent.objects.count()
    with CaptureQueriesContext(connection) as q:
        r = actors.client("village_staff").post(URL, BODY, format="json")
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["valid"] is False
    short = next(c for c in body["conclusions"] if c["code"] == "turnout_short")
    assert "第十五条" in short["rule"]["citation"]
    assert AuditEvent.objects.count() == before
    assert not [s for s in q.captured_queries if s["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
                and "authtoken" not in s["sql"]]


def test_residents_may_evaluate_too(actors: Any) -> None:
    r = actors.client("resident").post(URL, {**BODY, "boxes": [{"id": "m", "issued": 60, "returned": 60}],
                                             "totals": {"director": {"a": 31}}}, format="json")
    assert r.status_code == 200 and [e["id"] for e in r.json()["elected"]] == ["a"]


def test_bad_input_is_400_with_code(actors: Any) -> None:
    r = actors.client("village_staff").post(URL, {"registered": "many"}, format="json")
    assert r.status_code == 400 and r.json()["code"] == "invalid_outcome_input"
    r = actors.client("village_staff").post(URL, [1, 2], format="json")
    assert r.status_code == 400


def test_anonymous_is_refused(actors: Any) -> None:
    assert actors.client("anonymous").post(URL, BODY, format="json").status_code in (401, 403)
