"""Polling day for the demo round (elections.demo), so the town's 投票进度 map (``election_polling``)
and the supervision page show turnout and results on first start.

Every election of the round on polling day or later that has approved candidates and is not stopped
gets what its clerks would have made, through the same services they use — stations (the 投票站 with
half of the community's groups), the vote and its ballot posts, the voter cards, the ballots handed
to each station, the boxes opened, the tally sheet's totals and the count concluded by the one
outcome function. Only the issuances (one row per voter who came, tens of thousands across the
district) go in with one INSERT per election, as the other demos insert their bulk rows: a scan per
voter through ``scanning.issue`` would cost minutes.

The services run on the polling day the election had: its stage is set back to polling (then
counting) while its records are made, and restored afterwards. Finished elections are counted;
counting ones have their boxes opened but not yet concluded; polling ones have an open vote with the
morning's turnout. Deterministic per (seed, unit code).
"""
from __future__ import annotations

import datetime as dt
import zlib

import numpy as np
from accounts.models import Role, User
from core import roles
from django.db import connection
from django.db.models import Count
from django.utils import timezone
from elections.codes import CandidateStatus, Stage, StopKind
from elections.models import Candidate, Election, Post

from boundaries.levels import Level
from boundaries.models import AdminUnit

from . import cards, counting, services
from .models import CardStatus, StationKind, Vote, VoterCard

FINISHED = (Stage.RESULTS, Stage.HANDOVER, Stage.ARCHIVED)
STAGES = (Stage.POLLING, Stage.COUNTING, *FINISHED)


def _rng(seed: int, code: str) -> np.random.Generator:
    return np.random.default_rng([seed, zlib.crc32(f"polling:{code}".encode())])


def clerk_for(district: AdminUnit) -> User | None:
    """The account the demo's records are made by: a writer of the district (in scope everywhere)."""
    writers = [u for u in User.objects.filter(unit=district, is_active=True).select_related("unit").order_by("id")
               if roles.can_write(u)]
    # the bureau's staff rather than its system administrator, as in a real count
    return min(writers, key=lambda u: u.role != Role.STAFF, default=None)


def wipe(district: AdminUnit, round: str) -> None:
    """Issuances and entered ballots hold their station with PROTECT, and cards are referenced by the
    issuances: both go first, in SQL, so deleting the round's elections cascades through the rest
    without loading every card."""
    with connection.cursor() as cur:
        for table in ("polling_issuance", "polling_ballotentry"):
            cur.execute(f"""DELETE FROM {table} WHERE vote_id IN (
                SELECT v.id FROM polling_vote v JOIN elections_election e ON e.id = v.election_id
                JOIN adminunits_adminunit u ON u.id = e.unit_id WHERE e.round = %s AND starts_with(u.path, %s))""",
                        [round, district.path])
        cur.execute("""DELETE FROM polling_votercard WHERE election_id IN (
            SELECT e.id FROM elections_election e JOIN adminunits_adminunit u ON u.id = e.unit_id
            WHERE e.round = %s AND starts_with(u.path, %s))""", [round, district.path])


def generate(district: AdminUnit, round: str, seed: int = 2026) -> dict[str, int]:
    clerk = clerk_for(district)
    if clerk is None:
        return {"polled": 0}
    elections = list(Election.objects.filter(unit__path__startswith=district.path, round=round, stage__in=STAGES,
                                             stopped=False, candidates__status=CandidateStatus.APPROVED)
                     # an election stopped as invalid (turnout short) would need a vote that fails: left out
                     .exclude(stops__kind=StopKind.ELECTION_INVALID)
                     .select_related("unit").distinct().order_by("unit__code"))
    counts = {"polled": 0, "counted": 0, "issued": 0, "cards": 0}
    for e in filter(_every_seat_has_candidates, elections):
        issued, made, concluded = _poll(e, clerk, _rng(seed, e.unit.code))
        counts["polled"] += 1
        counts["counted"] += concluded
        counts["issued"] += issued
        counts["cards"] += made
    return counts


def _every_seat_has_candidates(e: Election) -> bool:
    """Only an election whose every post has at least as many approved candidates as seats reached a
    vote that could fill them (the demo round's smallest communities have a handful of voters and
    not enough candidates; counting them would leave seats for a run-off that never came)."""
    have = dict(Candidate.objects.filter(election=e, status=CandidateStatus.APPROVED).values_list("post")
                .annotate(n=Count("id")))
    return all(have.get(p.pk, 0) >= p.seats for p in Post.objects.filter(election=e))


def _set_stage(e: Election, stage: str) -> None:
    Election.objects.filter(pk=e.pk).update(stage=stage)
    e.stage = stage


def _poll(e: Election, clerk: User, rng: np.random.Generator) -> tuple[int, int, bool]:
    final = e.stage
    _set_stage(e, Stage.POLLING)
    groups = list(AdminUnit.objects.filter(parent=e.unit, level=Level.NEIGHBOURHOOD).order_by("code")
                  .values_list("id", flat=True))
    centre = services.add_station(clerk, e, kind=StationKind.CENTRE, name="中心会场")
    station = services.add_station(clerk, e, kind=StationKind.STATION, name="第一投票站", groups=groups[len(groups) // 2:])
    mobile = services.add_station(clerk, e, kind=StationKind.MOBILE, name="流动票箱")
    vote = services.open_vote(clerk, e)
    made = cards.ensure_cards(clerk, e)
    per_station = dict(VoterCard.objects.filter(election=e, status=CardStatus.ACTIVE)
                       .values_list("station").annotate(n=Count("id")))
    there = {centre.pk: per_station.get(None, 0), station.pk: per_station.get(station.pk, 0)}
    there[mobile.pk] = max(1, there[centre.pk] // 25)
    for s in (centre, station, mobile):
        spare = int(rng.integers(2, 8))
        services.allocate(clerk, vote, s, allocated=there[s.pk] + spare, spoiled=int(rng.integers(0, spare)))
    share = rng.uniform(0.25, 0.55) if final == Stage.POLLING else rng.uniform(0.68, 0.93)
    issued = _issue(e, vote, clerk, share, rng, centre=centre.pk, mobile=mobile.pk)
    if final == Stage.POLLING:
        _set_stage(e, final)
        return issued, made, False
    _set_stage(e, Stage.COUNTING)
    at = dict(vote.issuances.values_list("station").annotate(n=Count("id")))
    for s in (centre, station, mobile):
        counting.set_returned(clerk, vote, s, at.get(s.pk, 0))
    counting.set_totals(clerk, vote, _totals(vote, sum(at.values()), rng))
    if final != Stage.COUNTING:
        counting.conclude(clerk, vote)
    _set_stage(e, final)
    return issued, made, final != Stage.COUNTING


def _issue(e: Election, vote: Vote, clerk: User, share: float, rng: np.random.Generator, *, centre: int,
           mobile: int) -> int:
    """The voters who came (more than half, so the vote is valid), each with the ballot the scan at
    their station would have recorded: at the station on their card, else the centre; a few of those
    without a station voted at the mobile box. Times spread over the polling day from 8 o'clock."""
    card_rows = list(VoterCard.objects.filter(election=e, status=CardStatus.ACTIVE).order_by("id")
                     .values_list("id", "voter_id", "station_id"))
    n = len(card_rows)
    if not n:
        return 0
    came = max(int(n * share), n // 2 + 1) if share > 0.6 else int(n * share)
    chosen = sorted(rng.choice(n, size=min(came, n), replace=False).tolist())
    ids, voters, stations, minutes = [], [], [], []
    for i in chosen:
        card, voter, station = card_rows[i]
        ids.append(card)
        voters.append(voter)
        stations.append(station or (mobile if rng.random() < 0.04 else centre))
        minutes.append(int(rng.integers(0, 9 * 60)))
    start = timezone.make_aware(dt.datetime.combine(e.election_day, dt.time(8)))
    with connection.cursor() as cur:
        cur.execute("""
            INSERT INTO polling_issuance (vote_id, voter_id, card_id, station_id, clerk_id, clerk_name, at)
            SELECT %s, x.voter, x.card, x.station, %s, %s, %s + make_interval(mins => x.minute)
            FROM unnest(%s::bigint[], %s::bigint[], %s::bigint[], %s::int[]) AS x(card, voter, station, minute)""",
                    [vote.pk, clerk.pk, clerk.display_name or clerk.username, start, ids, voters, stations, minutes])
    return len(chosen)


def _totals(vote: Vote, cast: int, rng: np.random.Generator) -> dict[str, dict[str, int]]:
    """A tally sheet: the first ``seats`` candidates of each post win more than half of the ballots
    (the demo's candidates are listed in the order they were nominated), the others fewer than half,
    and no post has more marks than ballots × seats."""
    out: dict[str, dict[str, int]] = {}
    for post in vote.posts:
        seats, cands = int(post["seats"]), post["candidates"]
        winners, others = cands[:seats], cands[seats:]
        votes = {str(c["id"]): max(int(cast * rng.uniform(0.55, 0.85)), cast // 2 + 1) for c in winners}
        room = max(0, cast * seats - sum(votes.values()))
        for c in others:
            n = min(int(cast * rng.uniform(0.05, 0.4)), (cast - 1) // 2, room)
            votes[str(c["id"])] = n
            room -= n
        out[str(post["id"])] = votes
    return out
