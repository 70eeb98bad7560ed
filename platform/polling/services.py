"""Preparing polling day: polling stations, the vote and its ballots, proxies. Every write checks the
caller (``elections.services.ensure_may_write``), locks the election and passes the one guard
``elections.services.ensure_writable`` first, in one transaction."""
from __future__ import annotations

from typing import Any

from core import rules
from core.documents.render import render_pdf
from core.errors import DomainError
from django.db import transaction
from elections import services as elections
from elections.codes import CandidateStatus, VoterStatus
from elections.models import Candidate, Election, Voter

from boundaries.levels import Level
from boundaries.models import AdminUnit

from . import freshness
from .models import BoxCount, CardStatus, Proxy, ProxyStatus, Station, StationKind, Vote, VoterCard

POST_ORDER = {"director": 0, "deputy": 1, "member": 2}


def province(election: Election) -> str:
    return rules.province_of(election.unit.code)


def rule(election: Election, name: str) -> rules.Rule:
    try:
        return rules.get(f"polling.{name}", province=election.unit.code, on=election.election_day)
    except rules.RuleNotFound:
        raise DomainError("rule_missing", f"本地区没有适用的投票规则（polling.{name}）。") from None


def _writable(user: Any, election: Election, step: str = "polling") -> Election:
    elections.ensure_may_write(user, election)
    e = elections.lock(election)
    elections.ensure_writable(e, step)
    return e


# -- polling stations ------------------------------------------------------------------------------------


@transaction.atomic
def add_station(user: Any, election: Election, *, kind: str, name: str, groups: list[int] | None = None) -> Station:
    e = _writable(user, election)
    if kind not in StationKind.values:
        raise DomainError("invalid_kind", "投票站类型应为中心会场、投票站或流动票箱。")
    name = (name or "").strip()
    if not name or len(name) > 50:
        raise DomainError("name_required", "请填写投票站名称（不超过50字）。")
    if Station.objects.filter(election=e, name=name).exists():
        raise DomainError("duplicate_station", "已有同名投票站。", status_code=409)
    found = _groups(e, groups or [], station=None)
    station = Station.objects.create(election=e, kind=kind, name=name)
    station.groups.set(found)
    for vote in Vote.objects.filter(election=e, status="open"):
        BoxCount.objects.get_or_create(vote=vote, station=station)
    elections.log(e, "station", f"设立{station.get_kind_display()}：{name}"
                  + (f"（{'、'.join(g.name for g in found)}）" if found else ""), user=user)
    return station


def _groups(e: Election, ids: list[int], *, station: Station | None) -> list[AdminUnit]:
    """The villager/resident groups ``ids`` of the election's community, each voting at one station
    only: a voter card names one station, so a group assigned twice would leave it ambiguous."""
    found = list(AdminUnit.objects.filter(pk__in=ids, parent=e.unit, level=Level.NEIGHBOURHOOD).order_by("code"))
    if len(found) != len(set(ids)):
        raise DomainError("group_not_found", "所选村(居)民小组不属于本村(社区)。")
    taken = (Station.groups.through.objects.filter(station__election=e, adminunit__in=found)
             .exclude(station=station).select_related("station", "adminunit").first())
    if taken is not None:
        raise DomainError("group_assigned", f"{taken.adminunit.name}已分配到{taken.station.name}，"
                          "一个小组只在一个投票站投票。", status_code=409)
    return found


@transaction.atomic
def set_station_groups(user: Any, station: Station, groups: list[int]) -> Station:
    """Which groups vote at ``station``. Voter cards carry their station: the cards of voters whose
    group moves follow it — unless they were already printed, since the paper would then name the
    old station (reprinting them is the way, after the change)."""
    e = _writable(user, station.election)
    s = Station.objects.select_for_update().get(pk=station.pk, election=e)
    found = _groups(e, groups, station=s)
    before = set(s.groups.values_list("pk", flat=True))
    after = {g.pk for g in found}
    moved = before ^ after
    if moved:
        affected = VoterCard.objects.filter(election=e, status=CardStatus.ACTIVE, voter__group_id__in=moved)
        if affected.filter(document__isnull=False).exists():
            raise DomainError("cards_printed", "这些小组的选民证已打印（证上印有投票站），不能再调整分组。", status_code=409)
        s.groups.set(found)
        # Removed groups vote anywhere (no station on the card); added groups vote here.
        affected.filter(voter__group_id__in=before - after).update(station=None)
        affected.filter(voter__group_id__in=after).update(station=s)
    names = "、".join(g.name for g in found) or "不限小组"
    elections.log(e, "station_groups", f"{s.name}的投票小组：{names}", user=user)
    return s


# -- the vote and its ballots ----------------------------------------------------------------------------


def ballot_posts(election: Election) -> list[dict[str, Any]]:
    """The posts and approved candidates in the order they are decided (主任 → 副主任 → 委员), as the
    outcome function reads them."""
    cands = list(Candidate.objects.filter(election=election, status=CandidateStatus.APPROVED)
                 .select_related("post", "voter").order_by("post_id", "id"))
    posts = sorted(election.posts.all(), key=lambda p: POST_ORDER.get(p.kind, 9))
    return [{"id": p.kind, "kind": p.get_kind_display(), "seats": p.seats, "candidates": [
        {"id": str(c.pk), "name": c.name, "gender": "female" if c.gender == "2" else "male", "person": f"voter:{c.voter_id}"}
        for c in cands if c.post_id == p.pk]} for p in posts]


@transaction.atomic
def open_vote(user: Any, election: Election) -> Vote:
    """The first vote of the election, on the approved candidates; its boxes are the stations."""
    e = _writable(user, election)
    existing = Vote.objects.filter(election=e, number=1).first()
    if existing is not None:
        return existing
    if not Station.objects.filter(election=e).exists():
        raise DomainError("no_station", "请先设立投票站（中心会场、投票站或流动票箱）。")
    posts = ballot_posts(e)
    if not any(p["candidates"] for p in posts):
        raise DomainError("no_candidates", "没有联审通过的正式候选人，不能制作选票。")
    vote = Vote.objects.create(election=e, number=1, posts=posts)
    BoxCount.objects.bulk_create([BoxCount(vote=vote, station=s) for s in Station.objects.filter(election=e)])
    freshness.turnout_changed(now=True)
    elections.log(e, "vote_open", "开始第1次投票", user=user)
    return vote


@transaction.atomic
def allocate(user: Any, vote: Vote, station: Station, *, allocated: int, spoiled: int = 0) -> BoxCount:
    """Ballots handed to a station (and spoiled there, unissued), recorded as issued to the box."""
    from .scanning import step_of

    e = _writable(user, vote.election, step_of(vote))
    if station.election_id != e.pk:
        raise DomainError("station_not_found", "该投票站不属于本次选举。", status_code=404)
    for v, what in ((allocated, "领取选票数"), (spoiled, "作废选票数")):
        if not isinstance(v, int) or isinstance(v, bool) or not 0 <= v <= 1_000_000:
            raise DomainError("invalid_count", f"{what}应为非负整数。")
    if spoiled > allocated:
        raise DomainError("spoiled_over_allocated", f"作废选票数（{spoiled}）不能多于领取选票数（{allocated}）。")
    box, _ = BoxCount.objects.select_for_update().get_or_create(vote=vote, station=station)
    box.allocated, box.spoiled = allocated, spoiled
    box.save(update_fields=["allocated", "spoiled"])
    elections.log(e, "allocate", f"{station.name}领取选票 {allocated} 张，作废 {spoiled} 张", user=user)
    return box


def print_ballot(user: Any, vote: Vote) -> Any:
    """The ballot of a vote (选票) with the election committee's seal: mark boxes per candidate,
    另选他人 lines, the instructions from the rule set. One sample sheet, printed as many times as
    needed; its verification QR proves it came from the platform."""
    from .scanning import step_of

    with transaction.atomic():
        e = _writable(user, vote.election, step_of(vote))
    overvote = rule(e, "overvote")
    posts = vote.posts
    title = f"{e.unit.name}{e.round}年{e.get_body_display()}换届选举选票" + ("（另行选举）" if vote.runoff else "")
    doc = render_pdf("polling/ballot.html", {
        "election": e, "vote": vote, "posts": posts, "write_in_lines": range(1),
        "instructions": [
            "请在候选人姓名下方的方格内划“○”；不同意的不划；另选他人的，在“另选他人”栏内写上其姓名并在下方方格内划“○”。",
            *[f"{p['kind']}应选 {p['seats']} 名，所选人数多于应选人数的，{'该职务的选票无效' if overvote.value == 'post_void' else '全票无效'}"
              f"（{overvote.citation}）。" for p in posts],
            "书写模糊无法辨认或者不按规定符号填写的，该栏无效。",
        ]}, unit=e.unit, seals=["election_committee"], kind="polling.ballot", title=title, user=user)
    Vote.objects.filter(pk=vote.pk).update(ballot_document=doc)
    return doc


# -- proxies (委托投票) -----------------------------------------------------------------------------------


@transaction.atomic
def record_proxy(user: Any, election: Election, *, principal: int, holder: int, relation: str,
                 document: str = "") -> Proxy:
    """A written authorisation recorded before polling day: both on the roll, a near relative, within
    the cap per holder. Locks the holder's roll entry so two clerks cannot push one past the cap."""
    e = _writable(user, election)
    relations = rule(e, "proxy_relation")
    cap = rule(e, "proxy_cap")
    if relation not in relations.value:
        raise DomainError("not_near_relative", f"受委托人应为委托人的近亲属（{'、'.join(relations.value)}）"
                          f"（{relations.citation}）。", extra={"rule": relations.key})
    if principal == holder:
        raise DomainError("proxy_self", "不能委托自己。")
    voters = {v.pk: v for v in Voter.objects.select_for_update().filter(election=e, pk__in=[principal, holder])}
    p, h = voters.get(principal), voters.get(holder)
    if p is None or h is None or p.status != VoterStatus.ON_ROLL or h.status != VoterStatus.ON_ROLL:
        raise DomainError("not_on_roll", "委托人和受委托人都应在本次选举的选民名单上。")
    if Proxy.objects.filter(principal=p, status=ProxyStatus.RECORDED).exists():
        raise DomainError("proxy_exists", f"{p.name}已委托他人投票。", status_code=409)
    if Proxy.objects.filter(holder=p, status=ProxyStatus.RECORDED).exists():
        raise DomainError("proxy_holder_away", f"{p.name}已接受他人委托，不能再委托他人。", status_code=409)
    held = Proxy.objects.filter(holder=h, status=ProxyStatus.RECORDED).count()
    if held >= int(cap.value):
        raise DomainError("proxy_cap", f"{h.name}已接受 {held} 人委托，{cap.title}（{cap.citation}，待核对）。",
                          status_code=409, extra={"rule": cap.key, "cap": cap.value})
    proxy = Proxy.objects.create(election=e, principal=p, holder=h, relation=relation, document=(document or "")[:50],
                                 recorded_by=user)
    elections.log(e, "proxy", f"登记委托投票：{p.name} 委托 {h.name}（{relation}）", user=user, rule=str(relations.citation))
    return proxy


@transaction.atomic
def cancel_proxy(user: Any, proxy: Proxy) -> Proxy:
    e = _writable(user, proxy.election)
    p = Proxy.objects.select_for_update().get(pk=proxy.pk)
    if p.status != ProxyStatus.RECORDED:
        raise DomainError("proxy_cancelled", "该委托已撤销。", status_code=409)
    if p.issuances.exists():
        raise DomainError("proxy_used", "该委托已用于领取选票，不能撤销。", status_code=409)
    p.status = ProxyStatus.CANCELLED
    p.save(update_fields=["status"])
    elections.log(e, "proxy_cancel", f"撤销委托投票：{p.principal.name} → {p.holder.name}", user=user)
    return p
