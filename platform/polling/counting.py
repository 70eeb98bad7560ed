"""Counting (计票、验票): ballots found per box, ballots entered one by one (optionally twice, by two
clerks, with the differences shown) or totals per candidate from the paper tally sheet, then the
outcome — computed by THE outcome function (``outcome.evaluate``) and kept on the vote. An invalid
vote stops the election (an exception the town must authorise); seats left go to a run-off, a new
vote with its own ballots and threshold."""
from __future__ import annotations

from collections import Counter
from typing import Any

from core.errors import DomainError
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone
from elections import services as elections
from elections.codes import StopKind, VoterStatus
from elections.models import Voter

from . import freshness, outcome
from .models import BallotEntry, BoxCount, Issuance, Station, Vote, VoteStatus
from .scanning import step_of


def _writable_vote(user: Any, vote: Vote) -> Vote:
    elections.ensure_may_write(user, vote.election)
    e = elections.lock(vote.election)
    elections.ensure_writable(e, "counting")
    v = Vote.objects.select_for_update().get(pk=vote.pk)
    v.election = e
    if v.status != VoteStatus.OPEN:
        raise DomainError("vote_counted", "本次投票已计票完毕，不能再修改。", status_code=409)
    return v


def _post_ids(vote: Vote) -> dict[str, dict[str, Any]]:
    return {str(p["id"]): p for p in vote.posts}


def clean_marks(vote: Vote, marks: Any) -> dict[str, list[Any]]:
    """Marks as the outcome function reads them; refuses unknown posts or candidates."""
    if not isinstance(marks, dict):
        raise DomainError("invalid_marks", "所选应为对象：职务 → 候选人。")
    posts = _post_ids(vote)
    out: dict[str, list[Any]] = {}
    for pid, sel in marks.items():
        post = posts.get(str(pid))
        if post is None or not isinstance(sel, list) or len(sel) > 50:
            raise DomainError("invalid_marks", f"没有职务 {pid}，或所选不是列表。")
        ids = {str(c["id"]) for c in post["candidates"]}
        clean: list[Any] = []
        for m in sel:
            if isinstance(m, dict):
                name = str(m.get("write_in") or "").strip()
                if not name or len(name) > 40:
                    raise DomainError("invalid_marks", "另选他人须写明姓名（不超过40字）。")
                clean.append({"write_in": name, **({"gender": str(m["gender"])} if m.get("gender") else {})})
            elif str(m) in ids:
                clean.append(str(m))
            else:
                raise DomainError("invalid_marks", f"{post['kind']}没有候选人 {m}。")
        out[str(pid)] = clean
    return out


@transaction.atomic
def set_returned(user: Any, vote: Vote, station: Station, returned: int) -> BoxCount:
    v = _writable_vote(user, vote)
    if station.election_id != v.election_id:
        raise DomainError("station_not_found", "该投票站不属于本次选举。", status_code=404)
    if not isinstance(returned, int) or isinstance(returned, bool) or not 0 <= returned <= 1_000_000:
        raise DomainError("invalid_count", "收回选票数应为非负整数。")
    box, _ = BoxCount.objects.select_for_update().get_or_create(vote=v, station=station)
    box.returned = returned
    box.save(update_fields=["returned"])
    elections.log(v.election, "box_returned", f"{station.name}开箱：收回选票 {returned} 张", user=user)
    return box


@transaction.atomic
def enter_ballot(user: Any, vote: Vote, station: Station, *, number: int, marks: Any, void: bool = False,
                 entry: str = "A") -> BallotEntry:
    v = _writable_vote(user, vote)
    if station.election_id != v.election_id:
        raise DomainError("station_not_found", "该投票站不属于本次选举。", status_code=404)
    if entry not in ("A", "B"):
        raise DomainError("invalid_entry", "录入轮次应为 A 或 B。")
    if not isinstance(number, int) or isinstance(number, bool) or not 1 <= number <= 1_000_000:
        raise DomainError("invalid_number", "选票序号应为正整数。")
    try:
        with transaction.atomic():
            return BallotEntry.objects.create(vote=v, station=station, number=number, entry=entry,
                                              marks={} if void else clean_marks(v, marks), void=bool(void),
                                              entered_by=user)
    except IntegrityError:
        raise DomainError("ballot_entered", f"{station.name}第 {number} 张选票（{entry}）已录入。", status_code=409) from None


def counterpart(ballot: BallotEntry) -> dict[str, Any] | None:
    """How a ballot just entered compares with the other clerk's entry of the same paper ballot:
    None when that was not entered yet, else the differences post by post (empty: they agree)."""
    other = BallotEntry.objects.filter(vote_id=ballot.vote_id, station_id=ballot.station_id, number=ballot.number,
                                       entry="B" if ballot.entry == "A" else "A").first()
    if other is None:
        return None
    a, b = (ballot, other) if ballot.entry == "A" else (other, ballot)
    return {"differences": compare(ballot.vote, a, b)}


@transaction.atomic
def set_totals(user: Any, vote: Vote, totals: Any) -> Vote:
    """Totals per candidate from the paper tally sheet (instead of ballot-by-ballot entry)."""
    v = _writable_vote(user, vote)
    if not isinstance(totals, dict):
        raise DomainError("invalid_totals", "汇总应为对象：职务 → {候选人: 票数}。")
    posts = _post_ids(v)
    clean: dict[str, dict[str, int]] = {}
    for pid, votes in totals.items():
        post = posts.get(str(pid))
        if post is None or not isinstance(votes, dict):
            raise DomainError("invalid_totals", f"没有职务 {pid}。")
        ids = {str(c["id"]) for c in post["candidates"]}
        clean[str(pid)] = {}
        for cid, n in votes.items():
            if str(cid) not in ids and not str(cid).startswith("write_in:"):
                raise DomainError("invalid_totals", f"{post['kind']}没有候选人 {cid}。")
            if not isinstance(n, int) or isinstance(n, bool) or not 0 <= n <= 1_000_000:
                raise DomainError("invalid_totals", "票数应为非负整数。")
            clean[str(pid)][str(cid)] = n
    v.totals = clean
    v.save(update_fields=["totals"])
    return v


def _names(post: dict[str, Any] | None, marks: list[Any]) -> list[str]:
    names = {str(c["id"]): c["name"] for c in (post or {}).get("candidates", [])}
    return [f"另选：{m['write_in']}" if isinstance(m, dict) else names.get(str(m), str(m)) for m in marks]


def compare(vote: Vote, first: BallotEntry | None, second: BallotEntry | None) -> list[dict[str, Any]]:
    """Where two entries of one paper ballot differ, post by post (names, not ids, so the clerks can
    read them against the paper); an entry missing or void is a difference of the whole ballot."""
    if first is None or second is None:
        return [{"post": None, "kind": "整张选票", "a": None if first is None else "已录入",
                 "b": None if second is None else "已录入"}]
    if first.void or second.void:
        if first.void == second.void:
            return []
        return [{"post": None, "kind": "整张选票", "a": "无效票" if first.void else "有效票",
                 "b": "无效票" if second.void else "有效票"}]
    posts = _post_ids(vote)
    out = []
    for pid in sorted(set(first.marks) | set(second.marks), key=lambda p: list(posts).index(p) if p in posts else 99):
        a, b = first.marks.get(pid, []), second.marks.get(pid, [])
        if sorted(map(str, a)) != sorted(map(str, b)):
            post = posts.get(pid)
            out.append({"post": pid, "kind": post["kind"] if post else pid,
                        "a": "、".join(_names(post, a)) or "未选", "b": "、".join(_names(post, b)) or "未选"})
    return out


def differences(vote: Vote) -> list[dict[str, Any]]:
    """Ballots entered twice (A and B) whose entries differ, or entered once only — which ballot (box
    and number) and, post by post, what each clerk entered."""
    rows: dict[tuple[int, int], dict[str, BallotEntry]] = {}
    for b in BallotEntry.objects.filter(vote=vote).select_related("station"):
        rows.setdefault((b.station_id, b.number), {})[b.entry] = b
    if not any("B" in r for r in rows.values()):
        return []
    out = []
    for (station_id, number), r in sorted(rows.items()):
        first, second = r.get("A"), r.get("B")
        posts = compare(vote, first, second)
        if posts:
            out.append({"station": next(iter(r.values())).station.name, "station_id": station_id, "number": number,
                        "a": first.marks if first else None, "b": second.marks if second else None,
                        "void_a": first.void if first else None, "void_b": second.void if second else None,
                        "posts": posts})
    return out


@transaction.atomic
def resolve(user: Any, vote: Vote, station: Station, *, number: int, keep: str) -> BallotEntry:
    """The clerks read the paper ballot again and say which entry was right: the other entry is made
    the same (both entries were made, so each ballot was still read twice; the correction is logged
    with what it replaced)."""
    v = _writable_vote(user, vote)
    if keep not in ("A", "B"):
        raise DomainError("invalid_entry", "请选择以录入A或录入B为准。")
    other = "B" if keep == "A" else "A"
    rows = {b.entry: b for b in BallotEntry.objects.select_for_update().filter(vote=v, station=station, number=number)}
    right, wrong = rows.get(keep), rows.get(other)
    if right is None or wrong is None:
        missing = other if right is not None else keep
        raise DomainError("entry_missing", f"{station.name}第 {number} 张选票尚未录入{missing}，请先录入。", status_code=409)
    diff = compare(v, right, wrong)
    if not diff:
        return wrong
    was = "无效票" if wrong.void else "；".join(f"{d['kind']}：{d['b']}" for d in diff)
    wrong.marks, wrong.void, wrong.entered_by = right.marks, right.void, user
    wrong.save(update_fields=["marks", "void", "entered_by"])
    elections.log(v.election, "ballot_resolved", f"{station.name}第 {number} 张选票核对：以录入{keep}为准，"
                  f"更正录入{other}（原为 {was}）", user=user)
    return wrong


def outcome_input(vote: Vote) -> dict[str, Any]:
    """What the outcome function is given for this vote, from the records."""
    e = vote.election
    registered = Voter.objects.filter(election=e, status=VoterStatus.ON_ROLL).count()
    issued = dict(Issuance.objects.filter(vote=vote).values_list("station").annotate(n=Count("id")))
    boxes = []
    for box in BoxCount.objects.filter(vote=vote).select_related("station").order_by("station_id"):
        entry: dict[str, Any] = {"id": str(box.station_id), "name": box.station.name, "issued": issued.get(box.station_id, 0)}
        if box.returned is not None:
            entry["returned"] = box.returned
        boxes.append(entry)
    data: dict[str, Any] = {"registered": registered, "runoff": vote.runoff, "boxes": boxes, "posts": vote.posts,
                            "on": e.election_day.isoformat()}
    if vote.totals is not None:
        data["totals"] = vote.totals
    else:
        data["ballots"] = [{"box": str(b.station_id), "marks": b.marks, "void": b.void}
                           for b in BallotEntry.objects.filter(vote=vote, entry="A").only("station_id", "marks", "void")]
    return data


def preview(vote: Vote) -> dict[str, Any]:
    """The outcome of what has been entered so far (nothing written)."""
    return outcome.evaluate(outcome_input(vote), province=vote.election.unit.code)


@transaction.atomic
def conclude(user: Any, vote: Vote) -> Vote:
    """Count: the outcome is computed, kept and logged; an invalid vote stops the election."""
    v = _writable_vote(user, vote)
    if diff := differences(v):
        which = "、".join(f"{d['station']}第 {d['number']} 张" for d in diff[:5]) + ("等" if len(diff) > 5 else "")
        raise DomainError("entries_differ", f"录入A与录入B不一致（{len(diff)} 张：{which}），请核对纸质选票后更正，"
                          "两次录入一致后才能确认计票结果。", status_code=409, extra={"differences": len(diff)})
    missing = [b.station.name for b in BoxCount.objects.filter(vote=v, returned__isnull=True).select_related("station")]
    if missing:
        raise DomainError("box_not_counted", f"尚未登记收回选票数：{'、'.join(missing)}。")
    result = outcome.evaluate(outcome_input(v), province=v.election.unit.code)
    v.outcome, v.status, v.counted_at, v.counted_by = result, VoteStatus.COUNTED, timezone.now(), user
    v.save(update_fields=["outcome", "status", "counted_at", "counted_by"])
    freshness.turnout_changed(now=True)
    e = v.election
    if not result["valid"]:
        why = next(c for c in result["conclusions"] if c["code"] in ("box_overflow", "turnout_short", "cast_exceeds_registered"))
        elections.log(e, "count", f"第{v.number}次投票计票：{why['text']}", user=user, rule=why["rule"]["citation"])
        elections.stop(e, kind=StopKind.ELECTION_INVALID, reason=why["text"], user=user, rule=why["rule"]["citation"])
    else:
        names = "、".join(f"{x['name']}" for x in result.get("elected", [])) or "无人"
        elections.log(e, "count", f"第{v.number}次投票计票：当选 {names}" + ("；不足名额另行选举" if result.get("runoff_required") else ""),
                      user=user)
    return v


@transaction.atomic
def start_runoff(user: Any, vote: Vote) -> Vote:
    """The run-off (另行选举) on the seats a counted vote left, among its run-off candidates."""
    elections.ensure_may_write(user, vote.election)
    e = elections.lock(vote.election)
    elections.ensure_writable(e, "counting")
    v = Vote.objects.select_for_update().get(pk=vote.pk)
    if v.status != VoteStatus.COUNTED or not v.outcome or not v.outcome.get("runoff_required"):
        raise DomainError("no_runoff", "该次投票没有需要另行选举的名额。", status_code=409)
    if Vote.objects.filter(election=e, number__gt=v.number).exists():
        raise DomainError("runoff_exists", "另行选举已经开始。", status_code=409)
    genders = {str(c["id"]): c for p in v.posts for c in p["candidates"]}
    posts = []
    for p in v.outcome["posts"]:
        if not p["runoff_seats"]:
            continue
        cands = [{"id": c["id"], "name": c["name"], "gender": genders.get(c["id"], {}).get("gender", ""),
                  "person": genders.get(c["id"], {}).get("person", c["name"])} for c in p["runoff_candidates"]]
        posts.append({"id": p["id"], "kind": p["kind"], "seats": p["runoff_seats"], "candidates": cands,
                      **({"women_only": True} if p.get("runoff_women_only") else {})})
    new = Vote.objects.create(election=e, number=v.number + 1, runoff=True, posts=posts)
    BoxCount.objects.bulk_create([BoxCount(vote=new, station=s) for s in Station.objects.filter(election=e)])
    freshness.turnout_changed(now=True)
    elections.log(e, "runoff", f"另行选举（第{new.number}次投票）：" + "；".join(
        f"{p['kind']}{p['seats']}名" for p in posts), user=user)
    return new


def tally_summary(vote: Vote) -> dict[str, Any]:
    """Counts for the counting screen: ballots entered per box and entry."""
    per: Counter[tuple[int, str]] = Counter()
    for station_id, entry in BallotEntry.objects.filter(vote=vote).values_list("station_id", "entry"):
        per[(station_id, entry)] += 1
    issued = dict(Issuance.objects.filter(vote=vote).values_list("station").annotate(n=Count("id")))
    return {"boxes": [{"station": b.station_id, "name": b.station.name, "kind": b.station.kind,
                       "allocated": b.allocated, "spoiled": b.spoiled, "issued": issued.get(b.station_id, 0),
                       "returned": b.returned, "entered": per[(b.station_id, "A")], "entered_b": per[(b.station_id, "B")]}
                      for b in BoxCount.objects.filter(vote=vote).select_related("station").order_by("station_id")],
            "step": step_of(vote)}
