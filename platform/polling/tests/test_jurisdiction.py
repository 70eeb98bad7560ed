"""Polling endpoints across jurisdictions: the neighbouring community's staff, another town and
residents neither see nor change this community's polling day; the town reads it; the ballot is
printed with the candidates, the write-in column and the election committee's seal."""
from __future__ import annotations

import subprocess
from typing import Any

import pytest

from polling import cards, services
from polling.models import Station, VoterCard

from .factory import polling_day

pytestmark = pytest.mark.django_db


def test_outside_the_jurisdiction_nothing_is_seen_or_changed(demo: Any, actors: Any) -> None:
    day = polling_day(demo.community)
    vote = services.open_vote(demo.village_staff, day.election)
    cards.ensure_cards(demo.village_staff, day.election)
    card = VoterCard.objects.filter(election=day.election).first()
    e = day.election.pk
    reads = [f"/api/polling/elections/{e}/", f"/api/polling/votes/{vote.pk}/", f"/api/polling/elections/{e}/cards/"]
    writes = [(f"/api/polling/elections/{e}/stations/", {"kind": "station", "name": "越权站"}),
              (f"/api/polling/votes/{vote.pk}/check/", {"station": day.centre.pk, "code": cards.payload(card.token)}),  # type: ignore[union-attr]
              (f"/api/polling/votes/{vote.pk}/issue/", {"station": day.centre.pk, "code": cards.payload(card.token)}),  # type: ignore[union-attr]
              (f"/api/polling/cards/{card.pk}/reprint/", {"reason": "遗失"})]  # type: ignore[union-attr]
    for name in ("neighbour_staff", "other_town_admin"):
        c = actors.client(name)
        for url in reads:
            assert c.get(url).status_code == 404, (name, url)
        for url, body in writes:
            assert c.post(url, body, format="json").status_code == 404, (name, url)
        assert e not in [x["id"] for x in c.get("/api/polling/elections/").json()["results"]]
    for name in ("resident", "anonymous"):
        c = actors.client(name)
        for url in reads:
            assert c.get(url).status_code in (401, 403), (name, url)
        for url, body in writes:
            assert c.post(url, body, format="json").status_code in (401, 403), (name, url)
    assert actors.client("town_supervisor").get(reads[0]).status_code == 200
    assert actors.client("town_supervisor").post(*writes[0], format="json").status_code == 403
    assert not Station.objects.filter(name="越权站").exists()
    assert VoterCard.objects.filter(election=day.election).count() == len(day.voters)


def test_ballot_printed_with_candidates_write_in_and_seal(demo: Any, actors: Any) -> None:
    day = polling_day(demo.community)
    vote = services.open_vote(demo.village_staff, day.election)
    r = actors.client("village_staff").post(f"/api/polling/votes/{vote.pk}/ballot/", {}, format="json")
    assert r.status_code == 200, r.content
    from core.documents.models import Document

    doc = Document.objects.get(pk=r.json()["document"])
    assert list(doc.seals.values_list("kind", flat=True)) == ["election_committee"]
    text = subprocess.run(["pdftotext", doc.file.path, "-"], capture_output=True, text=True, check=True).stdout
    flat = text.replace(" ", "").replace("\n", "")
    for c in day.candidates["director"] + day.candidates["member"]:
        assert c.name in flat
    assert "另选他人" in flat and "应选1名" in flat and "重庆市村民委员会选举办法" in flat
