"""The archive: the paper checklist, the package (every PDF, the roll, the counts, the timeline as
CSV/JSON, a manifest of SHA-256 digests), then the frozen election refusing every write path of the
polling API."""
from __future__ import annotations

import hashlib
import io
import json
import zipfile
from typing import Any

import pytest
from django.urls import URLPattern
from elections.codes import Stage
from elections.models import Election

from polling import archive, cards, scanning, services
from polling.models import (
    Announcement,
    Archive,
    BallotEntry,
    BoxCount,
    Issuance,
    Proxy,
    Station,
    Vote,
    VoterCard,
)

from .factory import polling_day

pytestmark = pytest.mark.django_db


def finished(demo: Any) -> Any:
    day = polling_day(demo.community)
    staff = demo.village_staff
    vote = services.open_vote(staff, day.election)
    cards.ensure_cards(staff, day.election)
    services.record_proxy(staff, day.election, principal=day.voters[10].pk, holder=day.voters[9].pk, relation="配偶")
    services.print_ballot(staff, vote)
    for card in VoterCard.objects.filter(election=day.election).order_by("id")[:12]:
        scanning.issue(staff, vote, day.centre, cards.payload(card.token))
    Election.objects.filter(pk=day.election.pk).update(stage=Stage.HANDOVER)
    return day, vote


def test_a_plain_next_stage_cannot_archive(demo: Any, actors: Any) -> None:
    """归档 is entered only through the archive step: a "next stage" would skip the paper checklist and
    the package, so the API refuses it and the client is not offered it."""
    day, _ = finished(demo)
    c = actors.client("village_staff")
    r = c.post(f"/api/elections/{day.election.pk}/advance/", {"to": "archived"}, format="json")
    assert r.status_code == 409 and r.json()["code"] == "stage_by_step"
    assert Election.objects.get(pk=day.election.pk).stage == Stage.HANDOVER
    assert not Archive.objects.filter(election=day.election, built_at__isnull=False).exists()
    detail = c.get(f"/api/elections/{day.election.pk}/").json()
    assert "advance" not in detail["actions"]


def test_checklist_then_package_then_frozen(demo: Any, actors: Any) -> None:
    day, vote = finished(demo)
    c = actors.client("village_staff")
    url = f"/api/polling/elections/{day.election.pk}/archive/"
    r = c.post(url, {"freeze": True}, format="json")
    assert r.status_code == 400 and r.json()["code"] == "paper_archive_incomplete"
    for key, _ in archive.CHECKLIST:
        assert c.post(url, {"item": key, "done": True}, format="json").status_code == 200
    r = c.post(url, {"freeze": True}, format="json")
    assert r.status_code == 200, r.content
    assert Election.objects.get(pk=day.election.pk).stage == Stage.ARCHIVED
    got = c.get(url + "package/")
    assert got.status_code == 200
    data = b"".join(got.streaming_content)  # type: ignore[attr-defined]
    assert hashlib.sha256(data).hexdigest() == Archive.objects.get(election=day.election).sha256
    z = zipfile.ZipFile(io.BytesIO(data))
    manifest = json.loads(z.read("manifest.json"))
    names = {f["name"] for f in manifest["files"]}
    assert {"roll.csv", "counts.json", "timeline.json", "timeline.csv"} <= names
    assert any(n.startswith("documents/polling.ballot") for n in names)
    for f in manifest["files"]:
        assert hashlib.sha256(z.read(f["name"])).hexdigest() == f["sha256"]
    roll = z.read("roll.csv").decode("utf-8-sig")
    assert day.voters[0].name in roll and "id_hash" not in roll
    timeline = json.loads(z.read("timeline.json"))
    assert any(t["kind"] == "proxy" for t in timeline)


def _write_routes() -> set[str]:
    out = set()
    from polling.api import urls

    for p in urls.urlpatterns:
        assert isinstance(p, URLPattern)
        view = p.callback.cls  # type: ignore[attr-defined]
        if hasattr(view, "post") and p.name not in ("evaluate-outcome",):
            out.add(p.name or "")
    return out


def test_an_archived_election_refuses_every_write_path(demo: Any, actors: Any) -> None:
    day, vote = finished(demo)
    Election.objects.filter(pk=day.election.pk).update(stage=Stage.ARCHIVED)
    c = actors.client("village_staff")
    e = day.election.pk
    card = VoterCard.objects.filter(election=day.election).first()
    proxy = Proxy.objects.get(election=day.election)
    code = cards.payload(card.token)  # type: ignore[union-attr]
    tables = (Station, VoterCard, Vote, BoxCount, Issuance, BallotEntry, Proxy, Announcement, Archive)
    before = {m.__name__: list(m.objects.order_by("pk").values()) for m in tables}
    v = f"/api/polling/votes/{vote.pk}/"
    calls = {
        "stations": (f"/api/polling/elections/{e}/stations/", {"kind": "station", "name": "新站"}),
        "cards": (f"/api/polling/elections/{e}/cards/", {}),
        "votes": (f"/api/polling/elections/{e}/votes/", {}),
        "proxies": (f"/api/polling/elections/{e}/proxies/", {"principal": day.voters[12].pk, "holder": day.voters[13].pk,
                                                             "relation": "配偶"}),
        "announcements": (f"/api/polling/elections/{e}/announcements/", {"kind": "candidates"}),
        "archive": (f"/api/polling/elections/{e}/archive/", {"item": "roll", "done": False}),
        "card-reprint": (f"/api/polling/cards/{card.pk}/reprint/", {"reason": "遗失"}),  # type: ignore[union-attr]
        "proxy-cancel": (f"/api/polling/proxies/{proxy.pk}/cancel/", {}),
        "station-groups": (f"/api/polling/stations/{day.station.pk}/groups/", {"groups": []}),
    }
    actions = {
        "ballot": {}, "box": {"station": day.centre.pk, "returned": 3}, "issue": {"station": day.centre.pk, "code": code},
        "ballots": {"station": day.centre.pk, "number": 1, "marks": {}}, "totals": {"totals": {}}, "conclude": {},
        "runoff": {}, "resolve": {"station": day.centre.pk, "number": 1, "keep": "A"},
    }
    refused = []
    for name, (url, body) in calls.items():
        r = c.post(url, body, format="json")
        assert r.status_code == 409 and r.json()["code"] == "election_archived", (name, r.status_code, r.content)
        refused.append(name)
    for action, body in actions.items():
        r = c.post(v + f"{action}/", body, format="json")
        assert r.status_code == 409 and r.json()["code"] == "election_archived", (action, r.status_code, r.content)
    r = c.post(f"/api/polling/elections/{e}/archive/", {"freeze": True}, format="json")
    assert r.status_code == 409 and r.json()["code"] == "election_archived"
    # every write route of the polling API was tried (the vote's actions above, "check" only reads)
    assert _write_routes() - {"vote-action", "archive-package", "elections", "election", "vote", "supervision"} <= set(refused)
    after = {m.__name__: list(m.objects.order_by("pk").values()) for m in tables}
    assert after == before
