"""The demo round's polling day: finished elections are counted through the real services, so the
town's 投票进度 layer shows their turnout and result on first start; loading twice gives the same."""
from __future__ import annotations

from typing import Any

import pytest
from elections import demo as elections_demo
from elections.codes import Stage
from elections.models import Event
from population import demo as population_demo

from polling.models import BoxCount, Issuance, Station, Vote, VoterCard

from .test_layer import features, tile_path

pytestmark = pytest.mark.django_db


def test_finished_elections_counted_and_on_the_map(demo: Any, actors: Any) -> None:
    population_demo.generate("tiny")
    counts = elections_demo.generate(seed=2026)
    assert counts["polled"] >= 1 and counts["counted"] >= 1
    counted = list(Vote.objects.filter(status="counted").select_related("election__unit"))
    assert len(counted) == counts["counted"]
    for vote in counted:
        e = vote.election
        assert e.stage in (Stage.RESULTS, Stage.HANDOVER, Stage.ARCHIVED)  # the stage the demo gave it, restored
        issued = Issuance.objects.filter(vote=vote).count()
        assert issued * 2 > e.voters_count  # more than half came: a valid vote
        assert vote.outcome["valid"] is True and vote.outcome["issued"] == issued
        assert vote.outcome["cast"] == sum(BoxCount.objects.filter(vote=vote).values_list("returned", flat=True))
        assert vote.outcome["elected"] and not vote.outcome["runoff_required"]
        # made by the services: stations, cards for the whole roll, the count in the timeline
        assert Station.objects.filter(election=e).count() == 3
        assert VoterCard.objects.filter(election=e).count() == e.voters_count
        assert Event.objects.filter(election=e, kind="count").exists()

    # the district's supervisor sees turnout and result per community on the map
    e = counted[0].election
    seen = features(actors.client("district_admin").get(tile_path(e.unit)))[e.unit.code]
    issued = Issuance.objects.filter(vote__election=e).count()
    assert seen["issued"] == issued and seen["counted"] is True and seen["valid"] is True
    assert seen["turnout"] == round(100 * issued / e.voters_count, 1) > 50
    assert seen["elected"] == len(counted[0].outcome["elected"])

    # loading again replaces the round with the same records
    first = sorted((v.election.unit.code, v.outcome["cast"], len(v.outcome["elected"])) for v in counted)
    assert elections_demo.generate(seed=2026)["counted"] == counts["counted"]
    again = sorted((v.election.unit.code, v.outcome["cast"], len(v.outcome["elected"]))
                   for v in Vote.objects.filter(status="counted").select_related("election__unit"))
    assert again == first
    # elections on polling day have their vote open, with the morning's ballots issued
    for vote in Vote.objects.filter(election__stage=Stage.POLLING):
        assert vote.status == "open" and 0 < Issuance.objects.filter(vote=vote).count() < vote.election.voters_count
