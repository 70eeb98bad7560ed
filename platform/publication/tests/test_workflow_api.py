"""The review workflow and audiences through the publication API, with the standard actors."""
from __future__ import annotations

from typing import Any

import pytest
from audit.models import AuditEvent
from core.testing import Actors

from publication.models import Post

pytestmark = pytest.mark.django_db


def _create(actors: Actors, who: str = "village_staff", **extra: Any) -> dict[str, Any]:
    body = {"channel": "headline", "column": "updates", "title": "五星路社区开展邻里节", "body": "今天下午\n社区广场见", **extra}
    r = actors.client(who).post("/api/publication/posts/", body, format="json")
    assert r.status_code == 201, r.content
    return r.json()


def _act(actors: Actors, who: str, pk: int, action: str, reason: str = "", status: int = 200) -> dict[str, Any]:
    r = actors.client(who).post(f"/api/publication/posts/{pk}/actions/{action}/", {"reason": reason}, format="json")
    assert r.status_code == status, (who, action, r.content)
    return r.json()


def _feed_ids(actors: Actors, who: str) -> set[int]:
    r = actors.client(who).get("/api/publication/feed/")
    assert r.status_code == 200, r.content
    return {p["id"] for p in r.json()["results"]}


def test_village_post_widens_village_town_district(actors: Actors, demo: Any) -> None:
    post = _create(actors)
    pk = post["id"]
    assert post["state"] == "draft" and post["body"] == "<p>今天下午</p><p>社区广场见</p>"
    assert pk not in _feed_ids(actors, "resident")
    _act(actors, "village_staff", pk, "submit")
    # Only the village's own reviewer reviews a village item.
    for who in ("town_reviewer", "neighbour_staff", "village_staff", "district_reviewer"):
        _act(actors, who, pk, "approve", status=403 if who != "neighbour_staff" else 404)
    got = _act(actors, "village_reviewer", pk, "approve")
    assert got["state"] == "published" and got["audience"]["id"] == demo.community.pk
    assert pk in _feed_ids(actors, "resident")
    assert pk not in _feed_ids(actors, "neighbour_resident")
    assert pk in _feed_ids(actors, "town_staff")  # the town's jurisdiction
    assert pk not in _feed_ids(actors, "neighbour_staff")
    # Sent up: the town reviews; the audience stays the village until then.
    got = _act(actors, "village_staff", pk, "escalate")
    assert got["escalation"] == "pending" and got["escalation_unit"]["id"] == demo.town.pk
    assert pk not in _feed_ids(actors, "neighbour_resident")
    queue = actors.client("town_reviewer").get("/api/publication/posts/?box=queue").json()["results"]
    assert [p["id"] for p in queue] == [pk]
    assert {"approve_escalation", "reject_escalation"} <= set(queue[0]["actions"])
    _act(actors, "village_reviewer", pk, "approve_escalation", status=403)
    got = _act(actors, "town_reviewer", pk, "approve_escalation")
    assert got["audience"]["id"] == demo.town.pk and got["escalation"] == "none"
    assert pk in _feed_ids(actors, "neighbour_resident") and pk in _feed_ids(actors, "neighbour_staff")
    assert pk not in _feed_ids(actors, "other_town_admin")
    # The village can no longer send it further; the town passes it on to the district.
    _act(actors, "village_staff", pk, "escalate", status=403)
    _act(actors, "town_staff", pk, "escalate")
    _act(actors, "town_reviewer", pk, "approve_escalation", status=403)
    got = _act(actors, "district_reviewer", pk, "approve_escalation")
    assert got["audience"]["id"] == demo.district.pk
    assert pk in _feed_ids(actors, "other_town_admin")
    # The district cannot send it higher.
    _act(actors, "district_admin", pk, "escalate", status=409)
    timeline = actors.client("village_staff").get(f"/api/publication/posts/{pk}/timeline/").json()
    assert [e["action"] for e in timeline] == ["create", "submit", "approve", "publish", "escalate",
                                               "approve_escalation", "escalate", "approve_escalation"]
    assert timeline[2]["actor"] == demo.village_reviewer.display_name
    events = AuditEvent.objects.filter(model="publication.Post", object_id=str(pk))
    assert events.filter(after__workflow="approve_escalation").count() == 2


def test_rejected_escalation_keeps_the_audience(actors: Actors, demo: Any) -> None:
    pk = _create(actors)["id"]
    _act(actors, "village_staff", pk, "submit")
    _act(actors, "village_reviewer", pk, "approve")
    _act(actors, "village_staff", pk, "escalate")
    _act(actors, "town_reviewer", pk, "reject_escalation", status=400)  # a reason is required
    got = _act(actors, "town_reviewer", pk, "reject_escalation", reason="仅涉及本社区")
    assert got["escalation"] == "rejected" and got["escalation_reason"] == "仅涉及本社区"
    assert got["audience"]["id"] == demo.community.pk and got["state"] == "published"
    assert pk in _feed_ids(actors, "resident") and pk not in _feed_ids(actors, "neighbour_resident")


def test_rejection_tells_the_author_why_and_resubmission(actors: Actors) -> None:
    pk = _create(actors)["id"]
    _act(actors, "village_staff", pk, "submit")
    got = _act(actors, "village_reviewer", pk, "reject", reason="请补充活动时间")
    assert got["state"] == "rejected"
    mine = actors.client("village_staff").get("/api/publication/posts/?box=drafts").json()["results"]
    assert [(p["id"], p["rejection_reason"]) for p in mine] == [(pk, "请补充活动时间")]
    r = actors.client("village_staff").patch(f"/api/publication/posts/{pk}/", {"body": "下午三点"}, format="json")
    assert r.status_code == 200
    _act(actors, "village_staff", pk, "submit")
    _act(actors, "village_reviewer", pk, "approve")
    r = actors.client("village_staff").patch(f"/api/publication/posts/{pk}/", {"title": "改"}, format="json")
    assert r.status_code == 409 and r.json()["code"] == "not_editable"


def test_withdrawn_post_disappears_and_stays_in_audit(actors: Actors) -> None:
    pk = _create(actors)["id"]
    _act(actors, "village_staff", pk, "submit")
    _act(actors, "village_reviewer", pk, "approve")
    assert pk in _feed_ids(actors, "resident")
    _act(actors, "village_staff", pk, "withdraw", status=400)
    _act(actors, "village_staff", pk, "withdraw", reason="信息有误")
    assert pk not in _feed_ids(actors, "resident")
    assert actors.client("resident").get(f"/api/publication/feed/{pk}/").status_code == 404
    ev = AuditEvent.objects.get(model="publication.Post", object_id=str(pk), after__workflow="withdraw")
    assert ev.reason == "信息有误" and ev.before["state"] == "published" and ev.after["state"] == "withdrawn"


def test_self_review_and_role_checks(actors: Actors) -> None:
    pk = _create(actors, "village_admin")["id"]
    _act(actors, "village_admin", pk, "submit")
    r = actors.client("village_admin").post(f"/api/publication/posts/{pk}/actions/approve/", {}, format="json")
    assert r.status_code == 403 and "自己" in r.json()["detail"]
    # A reviewer cannot write; a resident cannot reach the management API at all.
    r = actors.client("village_reviewer").post("/api/publication/posts/", {"channel": "notice", "title": "x"}, format="json")
    assert r.status_code == 403
    assert actors.client("resident").get("/api/publication/posts/").status_code == 403
    assert actors.client("anonymous").get("/api/publication/feed/").status_code in (401, 403)
    _act(actors, "village_staff", pk, "fly", status=400)


def test_two_reviewers_at_once_one_wins(actors: Actors, demo: Any) -> None:
    """The second of two decisions on the same submission answers 409 and changes nothing."""
    from core.workflow import services as workflow

    pk = _create(actors)["id"]
    _act(actors, "village_staff", pk, "submit")
    stale = Post.objects.get(pk=pk)  # both reviewers loaded the submission
    _act(actors, "village_reviewer", pk, "approve")
    from core.errors import DomainError

    with pytest.raises(DomainError) as err:
        workflow.reject(stale, demo.village_admin, "重复")
    assert err.value.status_code == 409
    r = actors.client("village_admin").post(f"/api/publication/posts/{pk}/actions/reject/", {"reason": "晚了"},
                                            format="json")
    assert r.status_code == 409 and r.json()["code"] == "state_changed"
    assert Post.objects.get(pk=pk).state == "published"


def test_scheduled_publication(actors: Actors) -> None:
    import datetime as dt

    from django.utils import timezone

    later = timezone.now() + dt.timedelta(hours=2)
    pk = _create(actors, publish_at=later.isoformat())["id"]
    _act(actors, "village_staff", pk, "submit")
    got = _act(actors, "village_reviewer", pk, "approve")
    assert got["state"] == "published"
    assert pk not in _feed_ids(actors, "resident")
    assert Post.objects.readable_by(actors.resident, at=later + dt.timedelta(minutes=1)).filter(pk=pk).exists()


def test_major_matters_cannot_be_scheduled_later(actors: Actors) -> None:
    import datetime as dt

    from django.utils import timezone

    later = (timezone.now() + dt.timedelta(days=3)).isoformat()
    r = actors.client("village_staff").post("/api/publication/posts/", {"channel": "affairs", "category": "affairs",
                                                                        "title": "征地补偿方案", "major": True,
                                                                        "publish_at": later}, format="json")
    assert r.status_code == 400 and r.json()["code"] == "major_at_once" and "第三十条" in r.json()["detail"]


def test_sensitive_words_flag_the_draft(actors: Actors) -> None:
    from publication.models import SensitiveWord

    SensitiveWord.objects.create(word="快速致富")
    post = _create(actors, title="快速致富的门路", body="本周六网络赌场宣传")
    assert post["flagged_words"] == ["网络赌场", "快速致富"] or set(post["flagged_words"]) == {"网络赌场", "快速致富"}
    _act(actors, "village_staff", post["id"], "submit")
    queue = actors.client("village_reviewer").get("/api/publication/posts/?box=queue").json()["results"]
    assert set(queue[0]["flagged_words"]) == {"网络赌场", "快速致富"}


def test_read_counts_unique_readers(actors: Actors) -> None:
    pk = _create(actors)["id"]
    _act(actors, "village_staff", pk, "submit")
    _act(actors, "village_reviewer", pk, "approve")
    for who in ("resident", "resident", "village_staff"):
        assert actors.client(who).get(f"/api/publication/feed/{pk}/").status_code == 200
    assert Post.objects.get(pk=pk).read_count == 2
    assert actors.client("neighbour_resident").get(f"/api/publication/feed/{pk}/").status_code == 404
