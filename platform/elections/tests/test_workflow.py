"""The election's steps through the API: the pool import with its reasons, the one-roll check, additions
and removals, publication after review (PDF with the election committee's seal), objections, the
candidates and the joint review, and the stage order."""
from __future__ import annotations

import datetime as dt
import subprocess
import tempfile
from types import SimpleNamespace
from typing import Any

import pytest
from core.jobs.models import JobStatus
from core.notices.models import Message
from core.workflow.models import State
from django.utils import timezone

from elections.codes import CandidateStatus, ObjectionStatus, Stage, VoterStatus
from elections.models import Candidate, Conflict, Election, Event, Vetting, Voter

from .conftest import published, run_job

pytestmark = pytest.mark.django_db


def test_pool_preview_says_who_is_in_and_out_and_why(world: SimpleNamespace, election: Election, actors: Any) -> None:
    r = actors.client("village_staff").get(f"/api/elections/{election.pk}/pool-preview/")
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["eligible"] == 8
    out = {p["name"]: p["reasons"] for p in body["excluded_people"]}
    assert any("未满18周岁" in x for x in out["少年甲"])
    assert out["剥权乙"] == ["依照法律被剥夺政治权利"]
    assert any("需本人申请" in x for x in out["外来丙"])
    assert out["迁入丁"] == [f"已在{world.b.name}的选民名单上"]
    assert not Voter.objects.filter(election=election).exists()  # the preview writes nothing


def test_pool_import_registers_the_eligible_and_flags_the_other_roll(world: SimpleNamespace, election: Election,
                                                                       actors: Any) -> None:
    job = run_job("elections.import_pool", actors.village_staff, election.unit, election=election.pk,
                  skip=[world.adults[0].pk])
    assert job.status == JobStatus.DONE, job.error
    assert job.result["added"] == 7 and job.result["conflicts"] == 1
    names = set(Voter.objects.filter(election=election, status=VoterStatus.ON_ROLL).values_list("name", flat=True))
    assert names == {f"居民{i}" for i in range(1, 8)}
    c = Conflict.objects.get(election=election)
    assert c.name == "迁入丁" and c.other == world.eb
    # Shown to the neighbouring community (its timeline, a message) and to the town.
    assert Event.objects.filter(election=world.eb, kind="conflict", text__contains="迁入丁").exists()
    r = actors.client("village_staff").get(f"/api/elections/{election.pk}/conflicts/")
    assert r.json()[0]["other_community"] == world.b.name
    assert actors.client("neighbour_staff").get(f"/api/elections/{election.pk}/conflicts/").status_code == 404
    sup = actors.client("town_staff").get("/api/elections/supervision/?round=2026").json()
    assert {e["unit_name"] for e in sup["elections"]} >= {world.a.name, world.b.name}
    counts = actors.client("village_staff").get(f"/api/elections/{election.pk}/").json()["counts"]
    assert counts["total"] == 7 and counts["male"] + counts["female"] == 7


def test_add_and_remove_with_reasons(world: SimpleNamespace, election: Election, actors: Any) -> None:
    c = actors.client("village_staff")
    url = f"/api/elections/{election.pk}/voters/"
    r = c.post(url, {"id_number": world.outsider_id, "category": "resident_accepted", "reason": "本人申请",
                     "residence_years": 3}, format="json")
    assert r.status_code == 400 and r.json()["code"] == "acceptance_required"
    r = c.post(url, {"id_number": world.outsider_id, "category": "resident_accepted", "reason": "本人申请",
                     "residence_years": 3, "acceptance": "2026年11月村民代表会议同意"}, format="json")
    assert r.status_code == 201, r.content
    assert r.json()["name"] == "外来丙" and r.json()["id_masked"].startswith("500112")
    r = c.post(url, {"id_number": world.mover_id, "reason": "补登"}, format="json")
    assert r.status_code == 409 and r.json()["code"] == "on_other_roll"
    assert world.b.name in r.json()["detail"]
    assert Conflict.objects.filter(election=election, name="迁入丁").exists()  # kept although refused
    v = Voter.objects.get(election=election, name="外来丙")
    r = c.post(f"/api/elections/voters/{v.pk}/remove/", {"reason": ""}, format="json")
    assert r.status_code == 400
    r = c.post(f"/api/elections/voters/{v.pk}/remove/", {"reason": "本人撤回申请"}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "removed"


def test_publication_after_review_prints_the_roll_with_the_seal(world: SimpleNamespace, election: Election,
                                                                  actors: Any) -> None:
    e = published(election, actors)
    assert e.roll_post.state == State.PUBLISHED and e.roll_post.attachments.filter(kind="pdf").exists()
    doc = e.roll_document
    assert doc.seals.filter(kind="election_committee").exists()
    with doc.file.open("rb") as fh, tempfile.NamedTemporaryFile(suffix=".pdf") as tmp:
        tmp.write(fh.read())
        tmp.flush()
        text = subprocess.run(["pdftotext", tmp.name, "-"], capture_output=True, text=True, check=True).stdout
    assert "选民名单" in text and "居民3" in text and "选举委员会" in text
    assert "外来丙" not in text
    # The published roll no longer changes except through objections.
    r = actors.client("village_staff").post(f"/api/elections/{e.pk}/voters/",
                                            {"id_number": world.outsider_id, "reason": "x"}, format="json")
    assert r.status_code == 409 and r.json()["code"] == "stage_order"


def test_rejected_announcement_returns_the_roll_to_registration(world: SimpleNamespace, election: Election,
                                                                 actors: Any) -> None:
    from core.jobs.runner import execute
    from core.workflow import services as workflow

    from elections import announce

    run_job("elections.import_pool", actors.village_staff, election.unit, election=election.pk)
    execute(announce.submit_roll(actors.village_staff, election).pk, pulse=False)
    election.refresh_from_db()
    assert election.stage == Stage.ROLL_REVIEW
    workflow.reject(election.roll_post, actors.village_reviewer, "小组名称有误")
    election.refresh_from_db()
    assert election.stage == Stage.REGISTRATION


def test_objection_from_the_app_decided_and_told(world: SimpleNamespace, election: Election, actors: Any,
                                                 django_capture_on_commit_callbacks: Any) -> None:
    e = published(election, actors)
    resident = actors.client("resident")
    listing = resident.get("/api/elections/app/").json()
    assert listing[0]["id"] == e.pk and listing[0]["objections_open"] is True
    assert actors.client("neighbour_resident").post(f"/api/elections/app/{e.pk}/objections/", {
        "kind": "add", "subject_name": "外来丙", "text": "x"}, format="json").status_code == 404
    r = resident.post(f"/api/elections/app/{e.pk}/objections/", {
        "kind": "add", "subject_name": "外来丙", "text": "外来丙在本社区居住五年，已经村民代表会议同意"}, format="json")
    assert r.status_code == 201, r.content
    o = r.json()
    assert o["decide_by"] == (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    staff = actors.client("village_staff")
    r = staff.post(f"/api/elections/{e.pk}/advance/", {"to": "nomination"}, format="json")
    assert r.status_code == 409 and r.json()["code"] == "objections_pending"
    with django_capture_on_commit_callbacks(execute=True):
        r = staff.post(f"/api/elections/objections/{o['id']}/decide/", {
            "upheld": True, "decision": "经核实居住满一年并经同意，列入名单",
            "voter": {"id_number": world.outsider_id, "category": "resident_accepted", "residence_years": 5,
                      "acceptance": "村民代表会议同意"}}, format="json")
    assert r.status_code == 200, r.content
    assert r.json()["status"] == ObjectionStatus.UPHELD
    assert Voter.objects.filter(election=e, name="外来丙", source="objection").exists()
    msg = Message.objects.filter(account=actors.resident, notice__subject="选民名单异议处理结果").first()
    assert msg is not None and "异议成立" in msg.notice.body


def test_candidates_joint_review_and_stage_order(world: SimpleNamespace, election: Election, actors: Any) -> None:
    e = published(election, actors)
    staff = actors.client("village_staff")
    assert staff.post(f"/api/elections/{e.pk}/advance/", {"to": "candidates"}, format="json").json()["code"] == "stage_order"
    assert staff.post(f"/api/elections/{e.pk}/advance/", {"to": "nomination"}, format="json").status_code == 200
    voters = list(Voter.objects.filter(election=e, status=VoterStatus.ON_ROLL).order_by("id"))
    plan = [("director", voters[0], 30), ("director", voters[1], 20), ("deputy", voters[2], 25), ("deputy", voters[3], 15),
            ("member", voters[4], 40), ("member", voters[5], 35), ("member", voters[6], 30)]
    ids = []
    for post, v, n in plan:
        r = staff.post(f"/api/elections/{e.pk}/candidates/", {"voter": v.pk, "post": post, "nominations": n}, format="json")
        assert r.status_code == 201, r.content
        ids.append(r.json()["id"])
    # Residents' committee: 5 seats by default (1 director, 1 deputy, 3 members); members need more than 3.
    r = staff.post(f"/api/elections/{e.pk}/formal-list/", {"candidates": ids}, format="json")
    assert r.status_code == 400 and r.json()["code"] == "list_unlawful" and "委员应选 3 名" in r.json()["detail"]
    more = [staff.post(f"/api/elections/{e.pk}/candidates/", {"voter": voters[i].pk, "post": "member", "nominations": 10},
                       format="json").json()["id"] for i in (0,)]
    r = staff.post(f"/api/elections/{e.pk}/formal-list/", {"candidates": ids + more}, format="json")
    assert r.status_code == 200, r.content
    assert staff.post(f"/api/elections/{e.pk}/submit-review/").status_code == 200
    e.refresh_from_db()
    assert e.stage == Stage.JOINT_REVIEW
    assert Vetting.objects.filter(candidate__election=e).count() == 8 * 3
    # The village cannot answer for a department; the town does.
    v0 = Vetting.objects.filter(candidate__election=e).first()
    assert staff.post(f"/api/elections/vettings/{v0.pk}/answer/", {"passed": True}, format="json").status_code == 403
    assert staff.post(f"/api/elections/{e.pk}/advance/", {"to": "polling"}, format="json").json()["code"] == "review_open"
    town = actors.client("town_staff")
    for v in Vetting.objects.filter(candidate__election=e):
        ok = not (v.candidate.name == voters[6].name and v.department.name == "公安")
        r = town.post(f"/api/elections/vettings/{v.pk}/answer/", {"passed": ok, "reason": "" if ok else "有违法记录"},
                      format="json")
        assert r.status_code == 200, r.content
    assert Candidate.objects.get(election=e, voter=voters[6]).status == CandidateStatus.REJECTED
    assert Candidate.objects.filter(election=e, status=CandidateStatus.APPROVED).count() == 7
    # Three members approved for three seats: no longer more candidates than seats, so the election stops.
    e.refresh_from_db()
    assert e.stopped
    stop = e.stops.get()
    assert "委员应选 3 名" in stop.reason and stop.rule
    assert staff.post(f"/api/elections/{e.pk}/advance/", {"to": "polling"}, format="json").json()["code"] == "election_stopped"
    r = actors.client("town_staff").post(f"/api/elections/stops/{stop.pk}/authorise/",
                                         {"reason": "依法补充提名后继续"}, format="json")
    assert r.status_code == 200, r.content
    assert staff.post(f"/api/elections/{e.pk}/advance/", {"to": "polling"}, format="json").status_code == 200
