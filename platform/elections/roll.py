"""The roll (选民名单): registration from the population pool (人口库导入) with the reason each person is in
or out, additions and removals with a reason, one roll per person across the round, counts by group and
gender. The workbook import is ``roll_excel.py``; publication after review is ``announce.py``.

One roll per person: every write that adds voters takes the round's advisory lock first, so two
communities registering the same person at the same moment are serialised and the second one finds
the first one's entry (one indexed probe on ``voter_id_hash``). The person is then not registered and
a ``Conflict`` is recorded for this community, the other community and the town.
"""
from __future__ import annotations

import datetime as dt
import zlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from core import roles
from core.crypto import id_hash
from core.errors import DomainError
from django.db import connection, transaction
from django.db.models import Count, Q
from django.utils import timezone

from . import eligibility, services
from .codes import Category, Source, Stage, VoterStatus
from .models import Conflict, Election, Voter

DEPRIVED_TAG = "deprived_political_rights"
BATCH = 2000


def lock_round(round: str) -> None:
    """Serialise roll writes of one round across the district (see the module's docstring)."""
    with connection.cursor() as cur:
        cur.execute("SELECT pg_advisory_xact_lock(%s, %s)", [7_420_001, zlib.crc32(round.encode()) & 0x7FFFFFFF])


def on_other_rolls(election: Election, hashes: Iterable[bytes] | None = None, *, pool: int | None = None
                   ) -> dict[bytes, tuple[int, int, str]]:
    """id hash → (voter id, election id, community name) for the people on another roll of the round:
    of ``hashes``, or of the population pool ``pool`` (joined in the statement, no list sent). The roll
    entries are found by the ID-hash index first and only those few joined to their elections: joining
    first lets the planner scan every roll of the round (seconds at 2.2 M voters instead of ~0.3 s)."""
    where = ("v.id_hash IN (SELECT id_hash FROM population_person WHERE pool_id = %s)" if pool is not None
             else "v.id_hash = ANY(%s)")
    param: Any = pool if pool is not None else list(hashes or ())
    with connection.cursor() as cur:
        cur.execute(f"""
            WITH found AS MATERIALIZED (
                SELECT v.id_hash, v.id, v.election_id FROM elections_voter v
                WHERE v.status = 'on_roll' AND v.election_id <> %s AND {where})
            SELECT f.id_hash, f.id, f.election_id, u.name
            FROM found f JOIN elections_election e ON e.id = f.election_id
                 JOIN adminunits_adminunit u ON u.id = e.unit_id
            WHERE e.round = %s""", [election.pk, param, election.round])
        return {bytes(h): (vid, eid, name) for h, vid, eid, name in cur.fetchall()}


# -- 人口库导入 ------------------------------------------------------------------------------------------


@dataclass
class PoolRow:
    person_id: int
    name: str
    sex: str
    birth_date: dt.date
    age: int
    group_id: int | None
    id_hash: bytes
    id_masked: str
    category: str
    eligible: bool
    reasons: list[str] = field(default_factory=list)
    on_roll: bool = False  # already on this roll
    other: tuple[int, int, str] | None = None  # on another roll: (voter, election, community)

    def as_dict(self) -> dict[str, Any]:
        return {"person": self.person_id, "name": self.name, "gender": "男" if self.sex == "1" else "女",
                "age": self.age, "id_masked": self.id_masked, "category": Category(self.category).label,
                "eligible": self.eligible, "reasons": self.reasons, "on_roll": self.on_roll,
                "other_roll": self.other[2] if self.other else None}


def pool_rows(user: Any, e: Election) -> list[PoolRow]:
    """Every person of the community's pool with the eligibility verdict (eligibility.evaluate, the same
    function the evaluation endpoint answers with)."""
    from population.codes import PersonStatus
    from population.models import Person

    people = (Person.objects.visible_to(user).filter(pool=e.unit, status=PersonStatus.ACTIVE)
              .values_list("id", "name", "sex", "birth_date", "hukou_code", "tags", "id_hash", "id_masked",
                           "house__building__parent_id").order_by("id"))
    rows = list(people)
    hashes = [bytes(r[6]) for r in rows]
    others = on_other_rolls(e, pool=e.unit_id)
    here = {bytes(h) for h in Voter.objects.filter(election=e, status=VoterStatus.ON_ROLL).values_list("id_hash", flat=True)}
    out: list[PoolRow] = []
    for (pid, name, sex, birth, hukou, tags, _h, masked, group), h in zip(rows, hashes, strict=True):
        category = Category.HUKOU_RESIDENT if hukou == e.unit.code else Category.RESIDENT_ACCEPTED
        other = others.get(h)
        case = eligibility.Case(birth_date=birth, category=category, deprived_of_political_rights=DEPRIVED_TAG in (tags or ()),
                                on_other_roll=other is not None)
        v = eligibility.evaluate(case, election_day=e.election_day, body=e.body, province=e.rule_province)
        reasons = list(v.reasons)
        if other is not None:
            reasons = [r if r != "已在其他村(社区)的选民名单上" else f"已在{other[2]}的选民名单上" for r in reasons]
        out.append(PoolRow(pid, name, sex, birth, v.age, group, h, masked, category, v.eligible, reasons,
                           on_roll=h in here, other=other))
    return out


def preview(user: Any, e: Election, *, limit: int = 500) -> dict[str, Any]:
    """What an import from the pool would do, and why each person is in or out. Writes nothing."""
    services.ensure_may_write(user, e)
    rows = pool_rows(user, e)
    eligible = [r for r in rows if r.eligible and not r.on_roll]
    excluded = [r for r in rows if not r.eligible]
    reasons = Counter(reason.split("的选民名单上")[0] + ("的选民名单上" if "的选民名单上" in reason else "")
                      for r in excluded for reason in r.reasons)
    return {
        "pool": len(rows), "eligible": len(eligible), "excluded": len(excluded),
        "already_on_roll": sum(1 for r in rows if r.on_roll),
        "on_other_rolls": sum(1 for r in rows if r.other is not None),
        "reasons": [{"reason": k, "count": v} for k, v in reasons.most_common()],
        "excluded_people": [r.as_dict() for r in excluded[:limit]],
        "eligible_people": [r.as_dict() for r in eligible[:limit]],
        "note": "户籍不在本村(社区)的居住人员需本人申请并经村(居)民会议或代表会议同意后，在“添加选民”中逐一登记。",
    }


def import_pool(user: Any, election: Election, *, skip: Iterable[int] = (), job: Any = None) -> dict[str, int]:
    """Register the eligible people of the pool (except ``skip``, the people staff unticked), in one
    transaction; people on another roll are recorded as conflicts instead."""
    skip_ids = {int(s) for s in skip}
    with transaction.atomic():
        services.ensure_may_write(user, election)
        e = services.lock(election)
        services.ensure_writable(e, "roll")
        lock_round(e.round)
        rows = pool_rows(user, e)
        add = [r for r in rows if r.eligible and not r.on_roll and r.person_id not in skip_ids]
        total = len(add)
        if job is not None:
            job.progress(0, total, f"人口库中 {len(rows)} 人，符合条件待登记 {total} 人")
        now = timezone.now()
        copy_voters(((e.pk, r.person_id, r.name, r.sex, r.birth_date, r.id_hash, r.id_masked, r.group_id, r.category,
                      Source.POOL, "人口库导入", "", now) for r in add), total=total, job=job)
        conflicts = [r for r in rows if r.other is not None]
        _record_conflicts(user, e, [(r.name, r.id_masked, r.other) for r in conflicts if r.other], Source.POOL)
        excluded = sum(1 for r in rows if not r.eligible)
        refresh_count(e)
        services.log(e, "roll_import", f"人口库导入：登记 {total} 人，不符合条件 {excluded} 人，"
                     f"已在其他名单 {len(conflicts)} 人，人工排除 {len(skip_ids)} 人", user=user)
        _audit(e, user, "人口库导入", {"added": total, "excluded": excluded, "conflicts": len(conflicts)})
    return {"added": total, "excluded": excluded, "conflicts": len(conflicts), "skipped": len(skip_ids)}


COPY_COLUMNS = ("election_id", "person_id", "name", "gender", "birth_date", "id_hash", "id_masked", "group_id",
                "category", "source", "reason", "acceptance", "added_at")


def copy_voters(rows: Iterable[tuple[Any, ...]], *, total: int, job: Any = None) -> None:
    """Write roll entries with COPY (a 20,000-person roll in well under a second; Django's bulk insert
    spends seconds building the statement). Columns: COPY_COLUMNS; the status is on_roll."""
    cols = ", ".join((*COPY_COLUMNS, "status"))
    done = 0
    with connection.cursor() as cur, cur.cursor.copy(f"COPY elections_voter ({cols}) FROM STDIN") as cp:
        for row in rows:
            cp.write_row((*row, VoterStatus.ON_ROLL))
            done += 1
            if job is not None and done % BATCH == 0:
                job.progress(done, total)
    if job is not None:
        job.progress(total, total)


def refresh_count(e: Election) -> None:
    """Keep the election's voter count (the map layer and the lists read it, never count voters)."""
    n = Voter.objects.filter(election=e, status=VoterStatus.ON_ROLL).count()
    Election.objects.filter(pk=e.pk).update(voters_count=n, updated_at=timezone.now())
    e.voters_count = n


def _audit(e: Election, user: Any, what: str, counts: dict[str, int]) -> None:
    from audit import registry

    registry.record("update", e, e.unit.path, before=None, after={"roll": what, **counts}, reason=what, actor=user)


def _record_conflicts(user: Any, e: Election, found: list[tuple[str, str, tuple[int, int, str]]], source: str) -> None:
    if not found:
        return
    Conflict.objects.bulk_create([Conflict(election=e, other_id=o[1], other_voter_id=o[0], name=name, id_masked=masked,
                                           source=source) for name, masked, o in found])
    by_other: dict[int, list[str]] = {}
    for name, masked, o in found:
        by_other.setdefault(o[1], []).append(f"{name}（{masked}）")
    for other_id, names in by_other.items():
        other = Election.objects.select_related("unit").get(pk=other_id)
        text = f"{e.unit.name}登记选民时发现 {len(names)} 人已在本名单上，未重复登记：{'、'.join(names[:20])}"
        services.log(other, "conflict", text[:500], user=user)
    services.log(e, "conflict", f"{len(found)} 人已在其他村(社区)的选民名单上，未登记（一人只能在一地登记）", user=user)
    _notify_conflicts(e, found)


def _notify_conflicts(e: Election, found: list[tuple[str, str, tuple[int, int, str]]]) -> None:
    from accounts.models import User
    from core.notices import notify

    units = {e.unit_id, *(Election.objects.filter(pk__in={o[1] for _, _, o in found}).values_list("unit_id", flat=True))}
    if e.unit.parent_id:
        units.add(e.unit.parent_id)
    people = [u for u in User.objects.filter(unit_id__in=units, is_active=True).select_related("unit")
              if roles.can_write(u)]
    names = "、".join(f"{n}（{m}）→ {o[2]}" for n, m, o in found[:10])
    if people:
        transaction.on_commit(lambda: notify(people, "选民重复登记提示", f"{e.unit.name}：{len(found)} 人已在其他村(社区)"
                                             f"的选民名单上，未重复登记。{names}", link="/map/#elections", unit=e.unit))


# -- one person at a time -------------------------------------------------------------------------------


def _parse_id(raw: str) -> tuple[str, Any]:
    from population import ids

    rid = ids.parse_id(raw)
    return ids.mask_id(rid.number), rid


def add_voter(user: Any, election: Election, data: dict[str, Any], *, step: str = "roll",
              source: str = Source.MANUAL) -> Voter:
    """Add one person with a reason: a 户籍 resident missed by the import, a 户籍 resident living
    elsewhere who wishes to vote, or a non-户籍 resident accepted by the assembly (the decision recorded)."""
    try:
        with transaction.atomic():
            services.ensure_may_write(user, election)
            e = services.lock(election)
            services.ensure_writable(e, step)
            return add_locked(user, e, data, source=source)
    except OnOtherRoll as refused:
        # The refusal rolled the transaction back; the conflict itself is kept and told.
        with transaction.atomic():
            _record_conflicts(user, services.lock(election), [refused.found], source)
        raise


def add_locked(user: Any, e: Election, data: dict[str, Any], *, source: str) -> Voter:
    from population.models import Person

    reason = str(data.get("reason") or "").strip()
    if not reason:
        raise DomainError("reason_required", "请填写登记理由。")
    name = str(data.get("name") or "").strip()
    masked, rid = _parse_id(str(data.get("id_number") or ""))
    h = id_hash(rid.number)
    category = data.get("category") or Category.HUKOU_RESIDENT
    if category not in Category.values:
        raise DomainError("invalid_category", "请选择登记类别。")
    acceptance = str(data.get("acceptance") or "").strip()
    if category == Category.RESIDENT_ACCEPTED and not acceptance:
        raise DomainError("acceptance_required", "户籍不在本地的居住人员，请填写村(居)民会议或代表会议同意的记录。")
    person = Person.objects.filter(id_hash=h).only("id", "name", "pool_id").first()
    name = name or (person.name if person else "")
    if not name:
        raise DomainError("name_required", "请填写姓名。")
    lock_round(e.round)
    if Voter.objects.filter(election=e, id_hash=h, status=VoterStatus.ON_ROLL).exists():
        raise DomainError("already_on_roll", "此人已在本选民名单上。", status_code=409)
    other = on_other_rolls(e, [h]).get(h)
    years = data.get("residence_years")
    case = eligibility.Case(birth_date=rid.birth_date, category=category, on_other_roll=other is not None,
                            residence_years=float(years) if isinstance(years, int | float) else None,
                            applied_and_accepted=bool(acceptance), wishes_to_vote=True,
                            deprived_of_political_rights=bool(person and Person.objects.filter(
                                pk=person.pk, tags__contains=[DEPRIVED_TAG]).exists()))
    verdict = eligibility.evaluate(case, election_day=e.election_day, body=e.body, province=e.rule_province)
    if not verdict.eligible:
        failed = [a for a in verdict.applied if not a.ok]
        cite = f"（{failed[0].rule.citation}）" if failed else ""
        reasons = verdict.reason_text.replace("其他村(社区)", other[2]) if other else verdict.reason_text
        if other is not None:
            raise OnOtherRoll(f"不符合选民资格：{reasons}{cite}。", (name, masked, other))
        raise DomainError("not_eligible", f"不符合选民资格：{reasons}{cite}。", extra=verdict.as_dict())
    v = Voter.objects.create(election=e, person=person, name=name, gender=rid.sex, birth_date=rid.birth_date,
                             id_hash=h, id_masked=masked, category=category, source=source, reason=reason[:300],
                             acceptance=acceptance[:300], group_id=_group(data.get("group"), e))
    refresh_count(e)
    services.log(e, "voter_added", f"添加选民 {name}（{Category(category).label}）：{reason}", user=user)
    return v


class OnOtherRoll(DomainError):
    """The person is on another roll of the round: refused, and the conflict recorded and told."""

    def __init__(self, message: str, found: tuple[str, str, tuple[int, int, str]]) -> None:
        super().__init__("on_other_roll", message, status_code=409, extra={"other_roll": found[2][2]})
        self.found = found


def _group(raw: Any, e: Election) -> int | None:
    from boundaries.models import AdminUnit

    if raw in (None, ""):
        return None
    try:
        pk = int(str(raw))
    except ValueError:
        raise DomainError("invalid_group", "村(居)民小组不存在。") from None
    if not AdminUnit.objects.filter(pk=pk, parent=e.unit).exists():
        raise DomainError("invalid_group", "村(居)民小组不属于本村(社区)。")
    return pk


def remove_voter(user: Any, voter: Voter, reason: str, *, step: str = "roll") -> Voter:
    with transaction.atomic():
        services.ensure_may_write(user, voter.election)
        e = services.lock(voter.election)
        services.ensure_writable(e, step)
        return remove_locked(user, e, voter, reason)


def remove_locked(user: Any, e: Election, voter: Voter, reason: str) -> Voter:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("reason_required", "请填写移除理由。")
    v = Voter.objects.select_for_update().get(pk=voter.pk, election=e)
    if v.status != VoterStatus.ON_ROLL:
        raise DomainError("not_on_roll", "此人不在选民名单上。", status_code=409)
    if v.candidacies.exists():
        raise DomainError("is_candidate", "此人是候选人，不能从名单移除。", status_code=409)
    v.status = VoterStatus.REMOVED
    v.removed_at = timezone.now()
    v.reason = reason[:300]
    v.save()
    refresh_count(e)
    services.log(e, "voter_removed", f"移除选民 {v.name}：{reason}", user=user)
    return v


# -- counts --------------------------------------------------------------------------------------------


def counts(e: Election) -> dict[str, Any]:
    qs = Voter.objects.filter(election=e, status=VoterStatus.ON_ROLL)
    by = list(qs.values("group_id", "group__name").annotate(
        total=Count("id"), male=Count("id", filter=Q(gender="1")), female=Count("id", filter=Q(gender="2")))
        .order_by("group__name"))
    total = sum(r["total"] for r in by)
    return {
        "total": total, "male": sum(r["male"] for r in by), "female": sum(r["female"] for r in by),
        "groups": [{"group": r["group_id"], "name": r["group__name"] or "未分组", "total": r["total"],
                    "male": r["male"], "female": r["female"]} for r in by],
        "by_category": {Category(k).label: n for k, n in qs.values_list("category").annotate(n=Count("id"))},
    }


# -- the district-wide duplicate check ------------------------------------------------------------------


def duplicates(round: str, path: str = "", limit: int = 1000) -> list[dict[str, Any]]:
    """People on more than one roll of the round under ``path``. Two statements: the duplicated hashes
    from the roll entries alone (an index-only scan of ``voter_once_per_roll`` and one aggregate, no
    join per row), then the names and communities of those few."""
    ids = list(Election.objects.filter(round=round, unit__path__startswith=path).values_list("id", flat=True))
    if not ids:
        return []
    with connection.cursor() as cur:
        cur.execute("""SELECT id_hash FROM elections_voter WHERE status = 'on_roll' AND election_id = ANY(%s)
                       GROUP BY id_hash HAVING count(*) > 1 LIMIT %s""", [ids, limit])
        hashes = [h for (h,) in cur.fetchall()]
        if not hashes:
            return []
        cur.execute("""
            SELECT v.id_hash, array_agg(v.id ORDER BY v.id), array_agg(u.name ORDER BY v.id), min(v.name), min(v.id_masked)
            FROM elections_voter v
            JOIN elections_election e ON e.id = v.election_id
            JOIN adminunits_adminunit u ON u.id = e.unit_id
            WHERE v.status = 'on_roll' AND v.id_hash = ANY(%s) AND v.election_id = ANY(%s)
            GROUP BY v.id_hash""", [hashes, ids])
        return [{"voters": vids, "communities": names, "name": name, "id_masked": masked}
                for _h, vids, names, name, masked in cur.fetchall()]


def stage_allows_roll_changes(e: Election) -> bool:
    return e.stage == Stage.REGISTRATION
