"""The demo's posts, the cadence rule set and the overdue list."""
from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from core.testing import Actors
from django.utils import timezone

from publication import cadence
from publication.models import Post

pytestmark = pytest.mark.django_db


def test_demo_posts_are_readable_by_the_demo_residents(actors: Actors, demo: Any) -> None:
    from publication import demo as pub_demo

    counts = pub_demo.generate()
    assert counts["posts"] > 50
    feed = actors.client("resident").get("/api/publication/feed/?limit=100").json()["results"]
    units = {p["unit"]["id"] for p in feed}
    assert demo.community.pk in units and demo.town.pk in units and demo.district.pk in units
    assert demo.neighbour_community.pk not in units
    assert feed[0]["pinned"] is True
    home = actors.client("resident").get("/api/publication/home/").json()
    for channel, size in (("headline", 10), ("notice", 5), ("affairs", 5)):
        listed = actors.client("resident").get(f"/api/publication/feed/?channel={channel}&limit={size}").json()
        assert [p["id"] for p in home[channel]] == [p["id"] for p in listed["results"]]
    assert len(home["affairs"]) == 5
    for channel, items in home.items():
        assert {p["channel"] for p in items} == {channel}
        assert all(p["unit"]["id"] != demo.neighbour_community.pk for p in items)
        pinned = [p["pinned"] for p in items]
        assert pinned == sorted(pinned, reverse=True)
        dates = [p["published_at"] for p in items if not p["pinned"]]
        assert dates == sorted(dates, reverse=True)
    queue = actors.client("village_reviewer").get("/api/publication/posts/?box=queue").json()["results"]
    assert len(queue) == 1 and queue[0]["state"] == "submitted"


def test_rule_set_carries_its_citation() -> None:
    r = cadence.rule("publication.general_interval_months")
    assert r.citation.instrument == "中华人民共和国村民委员会组织法" and r.citation.article == "第三十条"
    assert (r.value, r.confirmed) == (3, False)
    assert cadence.rule("publication.finance_interval_months").value == 1
    payload = cadence.rules_payload()
    assert [x["id"] for x in payload["rules"]] == ["general", "finance_monthly", "major"]
    assert payload["citation"] == "《中华人民共和国村民委员会组织法》（2018年修正）第三十条"


def test_months_before_clamps_the_day() -> None:
    assert cadence.months_before(dt.date(2026, 3, 31), 1) == dt.date(2026, 2, 28)
    assert cadence.months_before(dt.date(2026, 1, 15), 3) == dt.date(2025, 10, 15)


def test_overdue_list_for_the_town_supervisor(actors: Actors, demo: Any) -> None:
    from publication import demo as pub_demo

    pub_demo.generate()
    r = actors.client("town_supervisor").get("/api/publication/cadence/")
    assert r.status_code == 200
    body = r.json()
    assert "第三十条" in body["rules"]["citation"]
    statuses = {v["unit"]["id"]: v for v in body["villages"]}
    assert demo.community.pk in statuses and demo.neighbour_community.pk in statuses
    assert body["overdue_count"] == sum(1 for v in body["villages"] if v["status"] == "overdue") > 0
    assert any(v["status"] == "ok" for v in body["villages"])
    # Only the town's own villages; a village sees itself only; residents not at all.
    assert all(v["unit"]["code"].startswith(demo.town.code) for v in body["villages"])
    mine = actors.client("village_staff").get("/api/publication/cadence/").json()["villages"]
    assert [v["unit"]["id"] for v in mine] == [demo.community.pk]
    assert actors.client("resident").get("/api/publication/cadence/").status_code == 403
    # Publishing a finance item today puts an overdue village back on time.
    overdue = next(v for v in body["villages"] if "general" in v["overdue"])
    unit_id = overdue["unit"]["id"]
    Post.objects.filter(unit_id=unit_id, channel="affairs").update(published_at=dt.datetime.now(dt.UTC))
    again = actors.client("town_supervisor").get("/api/publication/cadence/").json()
    assert next(v for v in again["villages"] if v["unit"]["id"] == unit_id)["status"] == "ok"


def test_status_table_follows_publication(actors: Actors, demo: Any) -> None:
    from core.workflow import services as workflow
    from django.test import TestCase

    from boundaries.models import AdminUnit
    from publication import demo as pub_demo
    from publication import services
    from publication.models import AffairsProfile, CadenceStatus

    pub_demo.generate()
    assert CadenceStatus.objects.filter(unit__parent=demo.town, overdue=True).exists()
    assert CadenceStatus.objects.filter(unit__parent=demo.town, overdue=False).exists()
    # The demo community made to fall behind: old items only, finances quarterly.
    unit = demo.community
    Post.objects.filter(unit=unit, channel="affairs").update(published_at=timezone.now() - dt.timedelta(days=200))
    AffairsProfile.objects.filter(unit=unit).update(many_transactions=False)
    assert cadence.refresh(AdminUnit.objects.filter(pk=unit.pk)) == 1
    assert cadence.refresh(AdminUnit.objects.filter(pk=unit.pk)) == 0  # unchanged: nothing written
    assert CadenceStatus.objects.get(unit=unit).rules == "一般事项至少每季度公布一次"
    # Publishing a 村务公开 item through the workflow refreshes the village when the step commits.
    post = services.create_post(demo.village_staff, unit, {"channel": "affairs", "category": "party", "title": "党务"})
    workflow.submit(post, demo.village_staff)
    with TestCase.captureOnCommitCallbacks(execute=True):
        workflow.approve(Post.objects.get(pk=post.pk), demo.village_reviewer)
    status = CadenceStatus.objects.get(unit=unit)
    assert (status.overdue, status.rules) == (False, "")


def test_finance_monthly_only_where_many_transactions(demo: Any) -> None:
    from django.utils import timezone

    from boundaries.models import AdminUnit
    from publication.models import AffairsProfile

    unit = demo.community
    Post.objects.filter(unit=unit).delete()
    Post(unit=unit, channel="affairs", category="party", title="党务", state="published", audience_unit=unit,
         published_at=timezone.now() - dt.timedelta(days=10)).save()
    Post(unit=unit, channel="affairs", category="finance", title="财务", state="published", audience_unit=unit,
         published_at=timezone.now() - dt.timedelta(days=45)).save()
    qs = AdminUnit.objects.filter(pk=unit.pk)
    assert cadence.village_status(qs)[0].overdue == []
    AffairsProfile.objects.update_or_create(unit=unit, defaults={"many_transactions": True})
    assert cadence.village_status(qs)[0].overdue == ["finance_monthly"]
