"""Stations and their villager groups, ballots handed to each station, and the double entry of
ballots (A and B) with its differences listed and resolved — through the API, with what is stored."""
from __future__ import annotations

from typing import Any

import pytest
from elections.models import Event, Voter

from boundaries.levels import Level
from boundaries.models import AdminUnit
from polling import cards, scanning, services
from polling.models import BallotEntry, BoxCount, Station, Vote, VoterCard

from .factory import polled, polling_day

pytestmark = pytest.mark.django_db


def groups_of(unit: Any) -> list[AdminUnit]:
    groups = list(AdminUnit.objects.filter(parent=unit, level=Level.NEIGHBOURHOOD).order_by("code")[:3])
    assert len(groups) == 3, "the demo community has groups"
    return groups


def test_station_groups_assigned_listed_and_followed_by_unprinted_cards(demo: Any, actors: Any) -> None:
    day = polling_day(demo.community, voters=6)
    g1, g2, g3 = groups_of(demo.community)
    Voter.objects.filter(pk__in=[v.pk for v in day.voters[:2]]).update(group=g1)
    Voter.objects.filter(pk__in=[v.pk for v in day.voters[2:4]]).update(group=g2)
    c = actors.client("village_staff")
    url = f"/api/polling/elections/{day.election.pk}/"
    r = c.post(url + "stations/", {"kind": "station", "name": "第二投票站", "groups": [g1.pk]}, format="json")
    assert r.status_code == 201, r.content
    second = Station.objects.get(pk=r.json()["id"])
    assert list(second.groups.all()) == [g1]
    # a group votes at one station only
    r = c.post(url + "stations/", {"kind": "station", "name": "第三投票站", "groups": [g1.pk]}, format="json")
    assert r.status_code == 409 and r.json()["code"] == "group_assigned" and g1.name in r.json()["detail"]
    assert not Station.objects.filter(name="第三投票站").exists()
    # a unit outside the community, or the community itself, is not a group
    for bad in (demo.neighbour_community.pk, demo.community.pk, "x"):
        r = c.post(f"/api/polling/stations/{day.station.pk}/groups/", {"groups": [bad]}, format="json")
        assert r.status_code in (400, 404) and r.json()["code"] in ("group_not_found", "invalid_parameter")
    cards.ensure_cards(demo.village_staff, day.election)
    assert VoterCard.objects.get(voter=day.voters[0]).station == second
    assert VoterCard.objects.get(voter=day.voters[2]).station is None
    # the station's groups change: the unprinted cards follow
    r = c.post(f"/api/polling/stations/{day.station.pk}/groups/", {"groups": [g2.pk, g3.pk]}, format="json")
    assert r.status_code == 200, r.content
    assert [g["name"] for g in r.json()["groups"]] == [g2.name, g3.name]
    assert VoterCard.objects.get(voter=day.voters[2]).station == day.station
    body = c.get(url).json()
    listed = {s["name"]: [g["name"] for g in s["groups"]] for s in body["stations"]}
    assert listed["第一投票站"] == [g2.name, g3.name] and listed["第二投票站"] == [g1.name]
    assert {g["name"]: g["voters"] for g in body["groups"]}[g1.name] == 2 and body["ungrouped"] == 2
    # once printed, the cards name their station: the group cannot move any more
    VoterCard.objects.filter(voter=day.voters[2]).update(document_id=_a_document(demo))
    r = c.post(f"/api/polling/stations/{day.station.pk}/groups/", {"groups": [g3.pk]}, format="json")
    assert r.status_code == 409 and r.json()["code"] == "cards_printed"
    assert set(day.station.groups.all()) == {g2, g3}
    # others' stations are not found; residents may not write
    assert actors.client("neighbour_staff").post(f"/api/polling/stations/{day.station.pk}/groups/", {"groups": []},
                                                  format="json").status_code == 404
    assert actors.client("resident").post(f"/api/polling/stations/{day.station.pk}/groups/", {"groups": []},
                                           format="json").status_code == 403
    assert Event.objects.filter(election=day.election, kind="station_groups").count() == 1


def _a_document(demo: Any) -> int:
    from core.documents.models import Document

    return int(Document.objects.create(token="test-cards", unit=demo.community, kind="polling.voter_cards", title="选民证").pk)


def test_ballots_allocated_per_station_and_shown_beside_the_scans(demo: Any, actors: Any) -> None:
    day = polling_day(demo.community, voters=6)
    staff = demo.village_staff
    vote = services.open_vote(staff, day.election)
    cards.ensure_cards(staff, day.election)
    for card in VoterCard.objects.filter(election=day.election).order_by("id")[:2]:
        scanning.issue(staff, vote, day.centre, cards.payload(card.token))
    c = actors.client("village_staff")
    url = f"/api/polling/votes/{vote.pk}/box/"
    r = c.post(url, {"station": day.centre.pk, "allocated": 10, "spoiled": 1}, format="json")
    assert r.status_code == 200 and r.json()["allocated"] == 10
    for bad, code in (({"allocated": 3, "spoiled": 4}, "spoiled_over_allocated"), ({"allocated": -1}, "invalid_count"),
                      ({"allocated": "十"}, "invalid_count")):
        r = c.post(url, {"station": day.centre.pk, **bad}, format="json")
        assert r.status_code == 400 and r.json()["code"] == code and "选票数" in r.json()["detail"]
    box = BoxCount.objects.get(vote=vote, station=day.centre)
    assert (box.allocated, box.spoiled) == (10, 1)
    boxes = {b["station"]: b for b in c.get(f"/api/polling/votes/{vote.pk}/").json()["boxes"]}
    assert (boxes[day.centre.pk]["allocated"], boxes[day.centre.pk]["spoiled"], boxes[day.centre.pk]["issued"]) == (10, 1, 2)


def test_double_entry_differences_listed_conclude_refused_until_resolved(demo: Any, actors: Any) -> None:
    day, vote = polled(demo, voters=6, voted=4)
    d = [str(x.pk) for x in day.candidates["director"]]
    m = [str(x.pk) for x in day.candidates["member"]]
    c = actors.client("village_staff")
    url = f"/api/polling/votes/{vote.pk}/"
    for box, n in ((day.centre, 4), (day.station, 0), (day.mobile, 0)):
        assert c.post(url + "box/", {"station": box.pk, "returned": n}, format="json").status_code == 200
    paper = [{"director": [d[0]], "member": [m[0], m[1]]}] * 3 + [{"director": [d[1]], "member": [m[2]]}]
    for i, marks in enumerate(paper):
        r = c.post(url + "ballots/", {"station": day.centre.pk, "number": i + 1, "marks": marks, "entry": "A"}, format="json")
        assert r.status_code == 201 and r.json()["other"] is None
    # clerk B: ballot 2 misread (a different member), ballot 4 not entered yet
    for i, marks in enumerate(paper[:3]):
        b_marks = {"director": [d[0]], "member": [m[0], m[2]]} if i == 1 else marks
        r = c.post(url + "ballots/", {"station": day.centre.pk, "number": i + 1, "marks": b_marks, "entry": "B"}, format="json")
        assert r.status_code == 201
        assert r.json()["other"]["differences"] == ([] if i != 1 else [
            {"post": "member", "kind": "委员", "a": f"{day.candidates['member'][0].name}、{day.candidates['member'][1].name}",
             "b": f"{day.candidates['member'][0].name}、{day.candidates['member'][2].name}"}])
    diff = c.get(url).json()["differences"]
    assert [(x["station"], x["number"]) for x in diff] == [("中心会场", 2), ("中心会场", 4)]
    assert diff[0]["posts"][0]["kind"] == "委员" and diff[1]["posts"][0]["b"] is None
    r = c.post(url + "conclude/", {}, format="json")
    assert r.status_code == 409 and r.json()["code"] == "entries_differ"
    assert "2 张" in r.json()["detail"] and "中心会场第 2 张" in r.json()["detail"]
    assert Vote.objects.get(pk=vote.pk).status == "open"
    # resolving a ballot B has not entered is refused; B enters it, then ballot 2 is resolved: A was right
    r = c.post(url + "resolve/", {"station": day.centre.pk, "number": 4, "keep": "A"}, format="json")
    assert r.status_code == 409 and r.json()["code"] == "entry_missing"
    c.post(url + "ballots/", {"station": day.centre.pk, "number": 4, "marks": paper[3], "entry": "B"}, format="json")
    r = c.post(url + "resolve/", {"station": day.centre.pk, "number": 2, "keep": "C"}, format="json")
    assert r.status_code == 400 and r.json()["code"] == "invalid_entry"
    r = c.post(url + "resolve/", {"station": day.centre.pk, "number": 2, "keep": "A"}, format="json")
    assert r.status_code == 200 and r.json()["differences"] == []
    assert BallotEntry.objects.get(vote=vote, number=2, entry="B").marks == paper[1]
    assert "以录入A为准" in Event.objects.filter(election=day.election, kind="ballot_resolved").get().text
    r = c.post(url + "conclude/", {}, format="json")
    assert r.status_code == 200, r.content
    v = Vote.objects.get(pk=vote.pk)
    assert v.status == "counted" and v.outcome["cast"] == 4
    assert sorted(e["id"] for e in v.outcome["elected"]) == sorted([d[0], m[0], m[1]])
