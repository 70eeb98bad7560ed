"""Cross-jurisdiction: every election endpoint tried by the standard actors (core.testing). Outsiders get
404 (the election's existence does not leak) or 403, read-only roles 403 on writes, and nothing
changes. And an exception: while an election is stopped, the village cannot take any step through any
API call — only the town's guidance body authorises the next one."""
from __future__ import annotations

import io
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest
from core.workflow.models import State
from openpyxl import Workbook

from elections import services
from elections.codes import Stage
from elections.models import Candidate, Conflict, Election, Event, Objection, Post, Stop, Vetting, Voter

from .conftest import published

pytestmark = pytest.mark.django_db

OUTSIDERS = ("neighbour_staff", "other_town_admin", "resident", "neighbour_resident", "anonymous")
READERS = ("village_staff", "town_staff", "town_supervisor")


def _state(e: Election) -> tuple[Any, ...]:
    e.refresh_from_db()
    return (e.stage, e.stopped, e.calendar, e.committee, Voter.objects.filter(election=e, status="on_roll").count(),
            Event.objects.filter(election=e).count(), Stop.objects.filter(election=e, status="open").count(),
            Objection.objects.filter(election=e).values_list("status", flat=True).first(),
            Candidate.objects.filter(election=e).count(), list(Vetting.objects.filter(candidate__election=e)
                                                              .values_list("passed", flat=True)),
            Conflict.objects.filter(election=e).count(), Post.objects.filter(election=e).count())


def _xlsx() -> io.BytesIO:
    wb = Workbook()
    wb.active.append(["姓名", "身份证号"])
    wb.active.append(["某人", "500112198001010011"])
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    out.name = "roll.xlsx"
    return out


@pytest.fixture
def full(world: SimpleNamespace, election: Election, actors: Any) -> SimpleNamespace:
    """An election with one of everything: voters, an objection, a candidate, a vetting, a stop."""
    e = published(election, actors)
    voter = Voter.objects.filter(election=e).first()
    objection = Objection.objects.create(election=e, kind="remove", voter=voter, subject_name=voter.name, text="x",
                                         objector_name="某人", received_on=e.roll_published_at.date(),
                                         decide_by=e.roll_published_at.date())
    candidate = Candidate.objects.create(election=e, post=e.posts.get(kind="director"), voter=voter, name=voter.name,
                                         gender=voter.gender, nominations=3)
    vetting = Vetting.objects.create(candidate=candidate, department=world.depts[0])
    return SimpleNamespace(e=e, voter=voter, objection=objection, candidate=candidate, vetting=vetting)


def _writes(f: SimpleNamespace, stop_id: int | None = None) -> list[tuple[str, str, Callable[[], Any]]]:
    e = f.e.pk
    calls = [
        ("post", "/api/elections/", lambda: {"round": "2027", "election_day": "2027-06-01", "unit": f.e.unit_id}),
        ("patch", f"/api/elections/{e}/", lambda: {"committee": [{"name": "篡改", "role": "主任"}]}),
        ("post", f"/api/elections/{e}/advance/", lambda: {"to": "nomination"}),
        ("post", f"/api/elections/{e}/voters/", lambda: {"id_number": "500112198001010011", "reason": "x"}),
        ("post", f"/api/elections/voters/{f.voter.pk}/remove/", lambda: {"reason": "x"}),
        ("post", f"/api/elections/{e}/import-pool/", lambda: {}),
        ("multipart", f"/api/elections/{e}/import-excel/", lambda: {"file": _xlsx()}),
        ("post", f"/api/elections/{e}/submit-roll/", lambda: {}),
        ("post", f"/api/elections/{e}/objections/", lambda: {"kind": "add", "subject_name": "某", "text": "x",
                                                             "objector_name": "某"}),
        ("post", f"/api/elections/objections/{f.objection.pk}/decide/", lambda: {"upheld": True, "decision": "x"}),
        ("post", f"/api/elections/{e}/candidates/", lambda: {"voter": f.voter.pk, "post": "member", "nominations": 5}),
        ("delete", f"/api/elections/candidates/{f.candidate.pk}/", lambda: None),
        ("post", f"/api/elections/{e}/formal-list/", lambda: {"candidates": [f.candidate.pk]}),
        ("post", f"/api/elections/{e}/submit-review/", lambda: {}),
        ("post", f"/api/elections/vettings/{f.vetting.pk}/answer/", lambda: {"passed": True, "reason": ""}),
        ("post", f"/api/elections/{e}/stops/", lambda: {"kind": "other", "reason": "x"}),
        ("post", f"/api/elections/app/{e}/objections/", lambda: {"kind": "add", "subject_name": "某", "text": "x"}),
    ]
    if stop_id is not None:
        calls.append(("post", f"/api/elections/stops/{stop_id}/authorise/", lambda: {"reason": "x"}))
    return calls


def _call(client: Any, method: str, url: str, data: Any) -> Any:
    if method == "multipart":
        return client.post(url, data, format="multipart")
    if method == "delete":
        return client.delete(url)
    return getattr(client, method)(url, data, format="json")


READS = ("/api/elections/{e}/", "/api/elections/{e}/timeline/", "/api/elections/{e}/voters/",
         "/api/elections/{e}/conflicts/", "/api/elections/{e}/objections/", "/api/elections/{e}/candidates/",
         "/api/elections/{e}/vettings/", "/api/elections/{e}/stops/")


def test_reads_inside_and_outside_the_jurisdiction(full: SimpleNamespace, actors: Any) -> None:
    for name in READERS:
        c = actors.client(name)
        for url in READS:
            r = c.get(url.format(e=full.e.pk))
            assert r.status_code == 200, (name, url, r.content[:200])
        assert any(x["id"] == full.e.pk for x in c.get("/api/elections/").json()["results"])
        assert any(x["id"] == full.e.pk for x in c.get("/api/elections/supervision/").json()["elections"])
    for name in OUTSIDERS:
        c = actors.client(name)
        for url in (*READS, "/api/elections/{e}/pool-preview/"):
            r = c.get(url.format(e=full.e.pk))
            assert r.status_code in (401, 403, 404), (name, url, r.status_code)
            assert "code" in r.json()
        r = c.get("/api/elections/")
        assert r.status_code in (401, 403) or all(x["id"] != full.e.pk for x in r.json()["results"]), name
        r = c.get("/api/elections/supervision/")
        assert r.status_code in (401, 403) or all(x["id"] != full.e.pk for x in r.json()["elections"]), name
    # The pool (personal data) is previewed by writers only.
    assert actors.client("town_supervisor").get(f"/api/elections/{full.e.pk}/pool-preview/").status_code == 403
    # Residents see their own community's published elections in 民政易, nobody else's.
    assert [x["id"] for x in actors.client("resident").get("/api/elections/app/").json()] == [full.e.pk]
    assert actors.client("neighbour_resident").get("/api/elections/app/").json() == []


@pytest.mark.parametrize("name", [*OUTSIDERS, "town_supervisor", "village_reviewer"])
def test_no_write_from_outside_or_read_only_roles(full: SimpleNamespace, actors: Any, name: str) -> None:
    stop = services.report_stop(actors.village_staff, full.e, kind="other", reason="测试")
    before = _state(full.e)
    c = actors.client(name)
    for method, url, data in _writes(full, stop.pk):
        if name == "resident" and url.startswith("/api/elections/app/"):
            continue  # the resident's own objection is the one write they may make (tried below)
        r = _call(c, method, url, data())
        assert r.status_code in (401, 403, 404, 409), (name, method, url, r.status_code, r.content[:200])
        assert _state(full.e) == before, (name, method, url)


def test_the_village_cannot_bypass_a_stop_through_any_call(full: SimpleNamespace, actors: Any) -> None:
    stop = services.report_stop(actors.village_staff, full.e, kind="meeting_invalid", reason="选民会议到会人数不足")
    before = _state(full.e)
    for name in ("village_staff", "village_admin", "village_reviewer", "resident"):
        c = actors.client(name)
        for method, url, data in _writes(full, stop.pk):
            if url == "/api/elections/" and method == "post":
                continue  # creating another round's election is not a step of this one
            r = _call(c, method, url, data())
            assert r.status_code in (403, 404, 409), (name, method, url, r.status_code, r.content[:300])
            if r.status_code == 409:
                assert r.json()["code"] in ("election_stopped", "stage_order", "already_nominated"), (url, r.json())
            assert _state(full.e) == before, (name, method, url)
    # The roll's announcement cannot be (re)published through the publication workflow either.
    post = full.e.roll_post
    r = actors.client("village_reviewer").post(f"/api/publication/posts/{post.pk}/actions/withdraw/",
                                               {"reason": "绕过"}, format="json")
    full.e.refresh_from_db()
    assert full.e.stopped
    # Only the town's guidance body lifts it, with a reason; then the next step is possible.
    town = actors.client("town_staff")
    assert town.post(f"/api/elections/stops/{stop.pk}/authorise/", {"reason": ""}, format="json").status_code == 400
    assert town.post(f"/api/elections/stops/{stop.pk}/authorise/", {"reason": "已重新召开会议"},
                     format="json").status_code == 200
    full.e.refresh_from_db()
    if r.status_code == 200:  # the withdrawal stopped it again: the town authorises that one too
        assert full.e.stopped
        for s in Stop.objects.filter(election=full.e, status="open"):
            assert town.post(f"/api/elections/stops/{s.pk}/authorise/", {"reason": "重新公布"},
                             format="json").status_code == 200
        full.e.refresh_from_db()
    assert not full.e.stopped
    assert [e.kind for e in full.e.events.order_by("id")][-1] == "authorise"
    assert full.e.roll_post.state in (State.PUBLISHED, State.WITHDRAWN)


def test_stage_guard_applies_to_polling_calls(full: SimpleNamespace) -> None:
    from core.errors import DomainError

    with pytest.raises(DomainError) as err:
        services.ensure_writable(full.e, "counting")
    assert err.value.code == "stage_order"
    Election.objects.filter(pk=full.e.pk).update(stage=Stage.ARCHIVED)
    full.e.refresh_from_db()
    with pytest.raises(DomainError) as err:
        services.ensure_writable(full.e, "polling")
    assert err.value.code == "election_archived"
