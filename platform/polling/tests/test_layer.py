"""The polling supervision layer (投票进度): the town sees turnout per community as ballots are issued
and the result once counted; residents are refused; a neighbouring community's staff do not see it."""
from __future__ import annotations

import gzip
import math
from typing import Any

import mapbox_vector_tile
import pytest
from django.db import connection
from elections.codes import Stage
from elections.models import Election

from polling import cards, counting, freshness, scanning, services
from polling.models import VoterCard

from .factory import polling_day

pytestmark = pytest.mark.django_db(transaction=True)


def tile_path(unit: Any, z: int = 13) -> str:
    p = unit.geom.point_on_surface
    n = 1 << z
    x = int((p.x + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(p.y))) / math.pi) / 2 * n)
    return f"/tiles/election_polling/{z}/{x}/{y}.mvt"


def features(resp: Any) -> dict[str, dict[str, Any]]:
    if resp.status_code == 204:
        return {}
    assert resp.status_code == 200, resp.content
    body = gzip.decompress(resp.content) if resp.get("Content-Encoding") == "gzip" else resp.content
    layer = mapbox_vector_tile.decode(body).get("election_polling", {"features": []})
    return {f["properties"]["code"]: f["properties"] for f in layer["features"]}


def test_turnout_then_result_on_the_town_map(demo: Any, actors: Any, monkeypatch: Any) -> None:
    demo.reset()
    monkeypatch.setattr(freshness, "TURNOUT_BUMP_SECONDS", 0.0)
    day = polling_day(demo.community, voters=20)
    staff = demo.village_staff
    town = actors.client("town_supervisor")
    path = tile_path(demo.community)
    code = demo.community.code
    assert code not in features(town.get(path))  # no vote yet
    vote = services.open_vote(staff, day.election)
    cards.ensure_cards(staff, day.election)
    assert features(town.get(path))[code]["issued"] == 0
    for card in VoterCard.objects.filter(election=day.election).order_by("id")[:11]:
        scanning.issue(staff, vote, day.centre, cards.payload(card.token))
    seen = features(town.get(path, HTTP_ACCEPT_ENCODING="gzip"))[code]
    assert seen["issued"] == 11 and seen["turnout"] == 55.0 and seen["counted"] is False
    Election.objects.filter(pk=day.election.pk).update(stage=Stage.COUNTING)
    for box, n in ((day.centre, 11), (day.station, 0), (day.mobile, 0)):
        counting.set_returned(staff, vote, box, n)
    counting.set_totals(staff, vote, {"director": {str(day.candidates["director"][0].pk): 11}})
    counting.conclude(staff, vote)
    seen = features(town.get(path))[code]
    assert seen["counted"] is True and seen["valid"] is True and seen["elected"] == 1
    assert code not in features(actors.client("neighbour_staff").get(path))
    for name in ("resident", "anonymous"):
        assert actors.client(name).get(path).status_code == 403
    with connection.cursor() as c:
        c.execute("SELECT count(*) FROM maptiles_tileversion WHERE source = 'polling:turnout'")
        assert c.fetchone()[0] == 1
