"""The 2026 换届 round across Yubei, so the supervision map is alive on first start: every village and
community has an election at some stage — finished ones, ones on polling day, candidates in the joint
review, rolls under objection, a few just registering — and a few stopped by an exception (some of
them already authorised by the town). Rolls come from each community's population pool by the
eligibility rules, in one SQL statement.

The demo community (the first community with demo accounts) is left without an election so a clerk
can run one from the start; its neighbour's roll is published, so a person who moved there is
flagged when the demo community imports its pool.

Deterministic per (seed, unit code). Rows go in with bulk inserts (no audit events, like the other
demos), each election with the timeline a real one would have.
"""
from __future__ import annotations

import datetime as dt
import zlib
from typing import Any

import numpy as np
from accounts.models import User
from django.apps import apps
from django.db import connection, transaction
from django.utils import timezone

from boundaries.demo.plan import DISTRICT_CODE
from boundaries.levels import Kind, Level
from boundaries.models import AdminUnit

from . import calendar, lawbook
from .codes import STAGE_ORDER, Body, CandidateStatus, Stage, StopKind, StopStatus
from .models import Candidate, Election, Event, Post, Stop, Vetting, VettingDepartment, Voter

ROUND = "2026"
DEPARTMENTS = ("组织", "纪检监察", "公安", "民政", "信访")
# Share of elections per stage (the rest are finished: results, handover, archived).
STAGE_WEIGHTS: list[tuple[str, float]] = [
    (Stage.REGISTRATION, 0.08), (Stage.ROLL_REVIEW, 0.04), (Stage.ROLL_PUBLISHED, 0.12), (Stage.NOMINATION, 0.10),
    (Stage.CANDIDATES, 0.06), (Stage.JOINT_REVIEW, 0.10), (Stage.POLLING, 0.06), (Stage.COUNTING, 0.02),
    (Stage.RESULTS, 0.12), (Stage.HANDOVER, 0.10), (Stage.ARCHIVED, 0.20),
]
STOPS = [
    (StopKind.MEETING_INVALID, "推选村(居)民选举委员会的会议到会人数未过半数，会议无效"),
    (StopKind.RULE_FAILED, "联审后委员正式候选人不多于应选名额"),
    (StopKind.ELECTION_INVALID, "参加投票的选民未过半数，选举无效"),
]


def _rng(seed: int, code: str) -> np.random.Generator:
    return np.random.default_rng([seed, zlib.crc32(code.encode())])


def _stage(rng: np.random.Generator) -> str:
    stages, weights = zip(*STAGE_WEIGHTS, strict=True)
    p = np.array(weights) / sum(weights)
    return str(stages[int(rng.choice(len(stages), p=p))])


def _day(stage: str, rng: np.random.Generator, today: dt.date) -> dt.date:
    """Election day consistent with the stage: finished elections in the past, others ahead."""
    i = STAGE_ORDER.index(stage)
    if stage in (Stage.POLLING, Stage.COUNTING):
        return today
    if i > STAGE_ORDER.index(Stage.COUNTING):
        return today - dt.timedelta(days=int(rng.integers(5, 40)))
    ahead = {Stage.REGISTRATION: (25, 50), Stage.ROLL_REVIEW: (21, 24), Stage.ROLL_PUBLISHED: (15, 19),
             Stage.NOMINATION: (10, 14), Stage.CANDIDATES: (7, 9), Stage.JOINT_REVIEW: (3, 6)}[Stage(stage)]
    return today + dt.timedelta(days=int(rng.integers(ahead[0], ahead[1] + 1)))


@transaction.atomic  # the voters' rows go first: their references are checked at commit
def wipe(district: AdminUnit) -> None:
    if apps.is_installed("polling"):
        from polling import demo as polling_demo  # polling builds on elections, so it is imported late

        polling_demo.wipe(district, ROUND)
    demo = Election.objects.filter(unit__path__startswith=district.path, round=ROUND)
    # The demo's voters (hundreds of thousands) go in one statement: deleted through the ORM's
    # cascade they would be loaded, deleted and audited one by one (minutes). Everything else that
    # points at them belongs to the same elections and goes with them below.
    ids, params = demo.values("id").query.sql_with_params()
    with connection.cursor() as c:
        c.execute(f"DELETE FROM {Voter._meta.db_table} WHERE election_id IN ({ids})", params)
    demo.delete()
    VettingDepartment.objects.filter(unit__path__startswith=district.path, name__in=DEPARTMENTS).delete()


@transaction.atomic
def generate(seed: int = 2026, replace: bool = True) -> dict[str, int]:
    district = AdminUnit.objects.filter(code=DISTRICT_CODE).first()
    if district is None:
        return {"elections": 0}
    if replace:
        wipe(district)
    today = timezone.localdate()
    now = timezone.now()
    towns = list(AdminUnit.objects.filter(level=Level.TOWN, path__startswith=district.path).only("id", "code"))
    depts = VettingDepartment.objects.bulk_create([VettingDepartment(unit=t, name=n) for t in towns for n in DEPARTMENTS])
    depts_by_town: dict[int, list[VettingDepartment]] = {}
    for d in depts:
        depts_by_town.setdefault(d.unit_id, []).append(d)
    clerk_units = list(User.objects.filter(username__endswith="_staff", unit__level=Level.COMMUNITY)
                       .order_by("unit__code").values_list("unit__code", flat=True))
    keep_free = clerk_units[:1]  # the demo community: its clerk runs an election from the start
    neighbour = clerk_units[1:2]
    units = list(AdminUnit.objects.filter(level=Level.COMMUNITY, path__startswith=district.path)
                 .exclude(code__in=keep_free).only("id", "code", "kind", "parent_id", "name").order_by("code"))
    elections: list[Election] = []
    for u in units:
        rng = _rng(seed, u.code)
        stage = Stage.ROLL_PUBLISHED if u.code in neighbour else _stage(rng)
        day = _day(stage, rng, today)
        body = Body.VILLAGE if u.kind == Kind.VILLAGE else Body.RESIDENTS
        prov = "500000"
        plan = calendar.default_plan(day, body=body, province=prov, today=min(today, day - dt.timedelta(days=30)))
        ruleset, version = lawbook.ruleset_of(body=body, province=prov, on=day)
        published = plan[Stage.ROLL_PUBLISHED] if STAGE_ORDER.index(stage) >= STAGE_ORDER.index(Stage.ROLL_PUBLISHED) else None
        if published is not None and published > today:
            published = today - dt.timedelta(days=1)
        elections.append(Election(
            unit=u, round=ROUND, body=body, election_day=day, stage=stage, rule_province=prov, rule_set=ruleset,
            rule_version=version, calendar={k: v.isoformat() for k, v in plan.items()},
            committee=[{"name": "选举委员会主任", "role": "主任"}],
            roll_published_at=dt.datetime.combine(published, dt.time(9), tzinfo=now.tzinfo) if published else None))
    Election.objects.bulk_create(elections, batch_size=500)
    posts = []
    for e in elections:
        seats = 3 if e.body == Body.VILLAGE else 5
        posts += [Post(election=e, kind="director", seats=1), Post(election=e, kind="deputy", seats=1),
                  Post(election=e, kind="member", seats=seats - 2)]
    Post.objects.bulk_create(posts, batch_size=2000)
    voters = _rolls()
    candidates, vettings = _candidates(elections, depts_by_town)
    stops = _stops(elections, seed, now)
    events = _timelines(elections)
    polled: dict[str, int] = {}
    if apps.is_installed("polling"):
        # Polling day of the elections at or after it (stations, cards, ballots, the count), so the
        # 投票进度 layer shows turnout and results on first start.
        from polling import demo as polling_demo

        polled = polling_demo.generate(district, ROUND, seed=seed)
    return {"elections": len(elections), "voters": voters, "candidates": candidates, "vettings": vettings,
            "stops": stops, "events": events, "departments": len(depts), **polled}


def _rolls() -> int:
    """Each election's roll from its community's pool, by the eligibility rules: 户籍 here, 18 on election
    day, not deprived of political rights (the pool import's own criteria, as SQL for the whole district)."""
    with connection.cursor() as cur:
        cur.execute("""
            INSERT INTO elections_voter (election_id, person_id, name, gender, birth_date, id_hash, id_masked, group_id,
                                         category, status, source, reason, acceptance, added_at)
            SELECT e.id, p.id, p.name, p.sex, p.birth_date, p.id_hash, p.id_masked, b.parent_id,
                   'hukou_resident', 'on_roll', 'pool', '人口库导入', '', now()
            FROM elections_election e
            JOIN adminunits_adminunit u ON u.id = e.unit_id
            JOIN population_person p ON p.pool_id = e.unit_id
            LEFT JOIN adminunits_house h ON h.id = p.house_id
            LEFT JOIN adminunits_adminunit b ON b.id = h.building_id
            WHERE e.round = %s AND e.stage <> 'registration' AND p.status = 'active' AND p.hukou_code = u.code
              AND p.birth_date <= e.election_day - interval '18 years'
              AND NOT ('deprived_political_rights' = ANY (p.tags))""", [ROUND])
        n = cur.rowcount
        cur.execute("""UPDATE elections_election e SET voters_count = c.n
                       FROM (SELECT election_id, count(*) AS n FROM elections_voter WHERE status = 'on_roll'
                             GROUP BY election_id) c WHERE c.election_id = e.id AND e.round = %s""", [ROUND])
        cur.execute("ANALYZE elections_voter")
    return n


def _candidates(elections: list[Election], depts_by_town: dict[int, list[VettingDepartment]]) -> tuple[int, int]:
    after = [e for e in elections if STAGE_ORDER.index(e.stage) >= STAGE_ORDER.index(Stage.NOMINATION)]
    posts = {(p.election_id, p.kind): p for p in Post.objects.filter(election__in=after)}
    cands: list[Candidate] = []
    for e in after:
        people = list(Voter.objects.filter(election=e).order_by("id").values_list("id", "name", "gender")[:12])
        women = [p for p in people if p[2] == "2"]
        men = [p for p in people if p[2] == "1"]
        pool = (women[:3] + men + women[3:])[:8]
        if len(pool) < 4:
            continue
        status = (CandidateStatus.NOMINATED if e.stage == Stage.NOMINATION else CandidateStatus.FORMAL
                  if e.stage in (Stage.CANDIDATES, Stage.JOINT_REVIEW) else CandidateStatus.APPROVED)
        plan = [("director", 0), ("director", 3), ("deputy", 4), ("deputy", 1), ("member", 2), ("member", 5),
                ("member", 6), ("member", 7)]
        for rank, (kind, i) in enumerate(p for p in plan if p[1] < len(pool)):
            vid, name, gender = pool[i]
            cands.append(Candidate(election=e, post=posts[(e.pk, kind)], voter_id=vid, name=name, gender=gender,
                                   status=status, nominations=40 - rank * 3))
    Candidate.objects.bulk_create(cands, batch_size=2000)
    vets: list[Vetting] = []
    for c in cands:
        e = c.election
        if STAGE_ORDER.index(e.stage) < STAGE_ORDER.index(Stage.JOINT_REVIEW):
            continue
        for k, d in enumerate(depts_by_town.get(e.unit.parent_id or 0, [])):
            answered = e.stage != Stage.JOINT_REVIEW or (c.pk + k) % 3 != 0
            vets.append(Vetting(candidate=c, department=d, passed=True if answered else None,
                                reason="" if answered else "", answered_at=timezone.now() if answered else None))
    Vetting.objects.bulk_create(vets, batch_size=5000)
    return len(cands), len(vets)


def _stops(elections: list[Election], seed: int, now: dt.datetime) -> int:
    rows = []
    for e in elections:
        rng = _rng(seed + 1, e.unit.code)
        if e.stage in (Stage.REGISTRATION, Stage.ARCHIVED) or rng.random() > 0.12:
            continue
        kind, reason = STOPS[int(rng.integers(0, len(STOPS)))]
        authorised = rng.random() < 0.5
        rows.append(Stop(election=e, kind=kind, stage=e.stage, reason=reason, status=StopStatus.AUTHORISED if authorised
                         else StopStatus.OPEN, authorised_at=now if authorised else None,
                         authorisation="已依法重新召开会议，同意继续" if authorised else ""))
        if not authorised:
            e.stopped = True
    Stop.objects.bulk_create(rows)
    Election.objects.bulk_update([e for e in elections if e.stopped], ["stopped"])
    return len(rows)


def _timelines(elections: list[Election]) -> int:
    events: list[Event] = []
    for e in elections:
        events.append(Event(election=e, kind="created", stage=Stage.REGISTRATION, actor_name="系统",
                            text=f"创建{e.round}年{e.get_body_display()}换届选举，选举日 {e.election_day.isoformat()}",
                            rule=f"{e.rule_set}（{e.rule_version}）"))
        for s in STAGE_ORDER[1:STAGE_ORDER.index(e.stage) + 1]:
            events.append(Event(election=e, kind="stage", stage=s, actor_name="系统", text=f"进入“{Stage(s).label}”阶段"))
    Event.objects.bulk_create(events, batch_size=5000)
    return len(events)


def summary() -> dict[str, Any]:
    return {s: Election.objects.filter(round=ROUND, stage=s).count() for s in STAGE_ORDER}
