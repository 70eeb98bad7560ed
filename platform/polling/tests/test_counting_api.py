"""Counting through the API: boxes reconciled, ballots entered one by one, the outcome computed by the
outcome function with its rules, an invalid vote stopping the election, the run-off as a new vote."""
from __future__ import annotations

from typing import Any

import pytest
from elections.models import Election

from polling import cards, scanning
from polling.models import Vote, VoterCard

from .factory import polled

pytestmark = pytest.mark.django_db


def test_ballots_entered_one_by_one_elect_with_rules_cited(demo: Any, actors: Any) -> None:
    day, vote = polled(demo, voted=12)
    c = actors.client("village_staff")
    d = [str(x.pk) for x in day.candidates["director"]]
    m = [str(x.pk) for x in day.candidates["member"]]
    url = f"/api/polling/votes/{vote.pk}/"
    for box in (day.centre, day.station, day.mobile):
        r = c.post(url + "box/", {"station": box.pk, "returned": 12 if box == day.centre else 0}, format="json")
        assert r.status_code == 200, r.content
    for i in range(12):
        marks = {"director": [d[0] if i < 7 else d[1]], "member": [m[0], m[1] if i < 7 else m[2]]}
        r = c.post(url + "ballots/", {"station": day.centre.pk, "number": i + 1, "marks": marks}, format="json")
        assert r.status_code == 201, r.content
    again = c.post(url + "ballots/", {"station": day.centre.pk, "number": 3, "marks": {}}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "ballot_entered"
    bad = c.post(url + "ballots/", {"station": day.centre.pk, "number": 13, "marks": {"director": ["999999"]}}, format="json")
    assert bad.status_code == 400
    preview = c.get(url).json()["preview"]
    assert preview["valid"] is True and preview["cast"] == 12
    r = c.post(url + "conclude/", {}, format="json")
    assert r.status_code == 200, r.content
    v = Vote.objects.get(pk=vote.pk)
    assert v.status == "counted"
    assert sorted(e["id"] for e in v.outcome["elected"]) == sorted([d[0], m[0], m[1]])
    elected = [x for x in v.outcome["conclusions"] if x["code"] == "elected"]
    assert all("第十五条" in x["rule"]["citation"] for x in elected)
    # counted: nothing more may be entered
    r = c.post(url + "ballots/", {"station": day.centre.pk, "number": 20, "marks": {}}, format="json")
    assert r.status_code == 409 and r.json()["code"] == "vote_counted"


def test_box_with_one_ballot_more_than_issued_invalidates_and_stops(demo: Any, actors: Any) -> None:
    day, vote = polled(demo, voted=12)
    c = actors.client("village_staff")
    url = f"/api/polling/votes/{vote.pk}/"
    for box, n in ((day.centre, 13), (day.station, 0), (day.mobile, 0)):
        c.post(url + "box/", {"station": box.pk, "returned": n}, format="json")
    d = str(day.candidates["director"][0].pk)
    assert c.post(url + "totals/", {"totals": {"director": {d: 13}}}, format="json").status_code == 200
    r = c.post(url + "conclude/", {}, format="json")
    assert r.status_code == 200, r.content
    outcome = r.json()["outcome"]
    assert outcome["valid"] is False
    overflow = next(x for x in outcome["conclusions"] if x["code"] == "box_overflow")
    assert overflow["rule"]["key"] == "polling.box_overflow"
    e = Election.objects.get(pk=day.election.pk)
    assert e.stopped is True
    stop = e.stops.get()
    assert stop.kind == "election_invalid" and "重庆市村民委员会选举办法" in stop.rule


def test_turnout_exactly_half_is_invalid(demo: Any, actors: Any) -> None:
    day, vote = polled(demo, voted=10)  # 20 on the roll
    c = actors.client("village_staff")
    url = f"/api/polling/votes/{vote.pk}/"
    for box, n in ((day.centre, 10), (day.station, 0), (day.mobile, 0)):
        c.post(url + "box/", {"station": box.pk, "returned": n}, format="json")
    c.post(url + "totals/", {"totals": {"director": {str(day.candidates["director"][0].pk): 10}}}, format="json")
    outcome = c.post(url + "conclude/", {}, format="json").json()["outcome"]
    assert outcome["valid"] is False
    assert any(x["code"] == "turnout_short" and "第十五条" in x["rule"]["citation"] for x in outcome["conclusions"])


def test_runoff_is_a_new_vote_on_the_seats_left(demo: Any, actors: Any) -> None:
    day, vote = polled(demo, voted=12)
    c = actors.client("village_staff")
    url = f"/api/polling/votes/{vote.pk}/"
    for box, n in ((day.centre, 12), (day.station, 0), (day.mobile, 0)):
        c.post(url + "box/", {"station": box.pk, "returned": n}, format="json")
    d = [str(x.pk) for x in day.candidates["director"]]
    m = [str(x.pk) for x in day.candidates["member"]]
    # director: 6 of 12 is exactly half — not elected; members: m0 elected, m1 (female) 6, m2 3
    c.post(url + "totals/", {"totals": {"director": {d[0]: 6, d[1]: 5}, "member": {m[0]: 10, m[1]: 6, m[2]: 3}}},
           format="json")
    counted = c.post(url + "conclude/", {}, format="json").json()
    assert counted["outcome"]["runoff_required"] is True
    r = c.post(url + "runoff/", {}, format="json")
    assert r.status_code == 201, r.content
    runoff = Vote.objects.get(pk=r.json()["id"])
    assert runoff.runoff and runoff.number == 2
    director = next(p for p in runoff.posts if p["id"] == "director")
    assert director["seats"] == 1 and {x["id"] for x in director["candidates"]} == {d[0], d[1]}
    assert c.post(url + "runoff/", {}, format="json").status_code == 409
    # the run-off is cast in the counting stage with the same cards, and its own one-third threshold
    card = VoterCard.objects.filter(election=day.election).order_by("id").first()
    assert card is not None
    assert scanning.issue(demo.village_staff, runoff, day.centre, cards.payload(card.token))["ballots"] == 1
