"""A polling-day election for tests: an election of the demo community at the polling stage with a
roll, posts, approved candidates, stations and both seals — set up directly in the database (the
steps before polling day belong to the elections app and are tested there)."""
from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from typing import Any

from core.documents.models import Seal, SealKind
from core.testing import seal_png
from django.core.files.base import ContentFile
from elections.codes import Body, CandidateStatus, Stage
from elections.models import Candidate, Election, Post, Voter

from polling import cards, scanning, services
from polling.models import Station, StationKind, Vote, VoterCard

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "秀英建国桂兰志强淑珍海燕明华丽娟国平玉梅文军春花德明晓红"


def name(i: int) -> str:
    return SURNAMES[i % len(SURNAMES)] + GIVEN[(i * 2) % len(GIVEN)] + GIVEN[(i * 7 + 1) % len(GIVEN)]


def seals(unit: Any) -> None:
    for kind in (SealKind.COMMITTEE, SealKind.ELECTION_COMMITTEE):
        if not Seal.objects.filter(unit=unit, kind=kind, active=True).exists():
            s = Seal(unit=unit, kind=kind, width=400, height=400, transparent=True, sha256="x")
            s.image.save(f"test-{kind}.png", ContentFile(seal_png(400)), save=False)
            s.save()


@dataclass
class PollingDay:
    election: Election
    voters: list[Voter]
    candidates: dict[str, list[Candidate]]
    centre: Station
    station: Station
    mobile: Station
    extra: dict[str, Any] = field(default_factory=dict)


def polling_day(unit: Any, *, voters: int = 20, stage: str = Stage.POLLING, round: str = "2026T",
                with_seals: bool = True) -> PollingDay:
    e = Election.objects.create(unit=unit, round=round, body=Body.RESIDENTS, election_day=dt.date(2026, 5, 10),
                                stage=stage, rule_province="500000")
    roll = Voter.objects.bulk_create([
        Voter(election=e, name=name(i), gender="2" if i % 2 else "1",
              id_hash=hashlib.sha256(f"{e.pk}:{i}".encode()).digest(), id_masked=f"500112********{i:04d}"[-18:])
        for i in range(voters)])
    Election.objects.filter(pk=e.pk).update(voters_count=voters)
    e.voters_count = voters
    posts = {kind: Post.objects.create(election=e, kind=kind, seats=seats)
             for kind, seats in (("director", 1), ("member", 2))}
    cands = {"director": [Candidate.objects.create(election=e, post=posts["director"], voter=roll[i], name=roll[i].name,
                                                   gender=roll[i].gender, status=CandidateStatus.APPROVED) for i in (0, 1)],
             "member": [Candidate.objects.create(election=e, post=posts["member"], voter=roll[i], name=roll[i].name,
                                                 gender=roll[i].gender, status=CandidateStatus.APPROVED) for i in (2, 3, 4)]}
    centre = Station.objects.create(election=e, kind=StationKind.CENTRE, name="中心会场")
    station = Station.objects.create(election=e, kind=StationKind.STATION, name="第一投票站")
    mobile = Station.objects.create(election=e, kind=StationKind.MOBILE, name="流动票箱")
    if with_seals:
        seals(unit)
    return PollingDay(e, roll, cands, centre, station, mobile)



def polled(demo: Any, *, voters: int = 20, voted: int) -> tuple[PollingDay, Vote]:
    """The demo community's polling day after ``voted`` of its voters were issued their ballots at the
    centre (scanned by the community clerk), moved on to counting."""
    day = polling_day(demo.community, voters=voters)
    staff = demo.village_staff
    vote = services.open_vote(staff, day.election)
    cards.ensure_cards(staff, day.election)
    for card in VoterCard.objects.filter(election=day.election).order_by("id")[:voted]:
        scanning.issue(staff, vote, day.centre, cards.payload(card.token))
    Election.objects.filter(pk=day.election.pk).update(stage=Stage.COUNTING)
    return day, vote
