"""The election's lifecycle: creating it, its calendar, moving it through the stages, exceptions (stops)
that only the town's election guidance body lifts, and the guard every write of both election apps
calls first (``ensure_writable``). The roll, objections and candidates are in their own files
(``roll.py``, ``objections.py``, ``candidates.py``) and go through the same guard.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from audit import registry
from core import roles
from core.errors import DomainError
from core.rules import RuleNotFound, province_of
from core.scoping import in_scope
from django.db import transaction
from django.utils import timezone

from boundaries.levels import Kind, Level

from . import calendar, lawbook
from .codes import STAGE_ORDER, STEP_STAGES, Body, Mode, Stage, StopKind, StopStatus, stage_index
from .models import Election, Event, Post, Stop

# -- the guard ---------------------------------------------------------------------------------------


def ensure_writable(election: Election, step: str) -> None:
    """Refuse a write to ``election`` unless it may happen now: not stopped by an exception the town has
    not yet authorised, not archived (frozen), and ``step`` belongs to the election's current stage.

    Every write in ``elections`` and ``polling`` calls this first, inside its transaction and on the
    locked row (``lock(election)``), so a stop recorded concurrently is seen."""
    if election.stage == Stage.ARCHIVED:
        raise DomainError("election_archived", "该选举已归档，不能再修改。", status_code=409)
    if election.stopped and step != "authorise":
        stop = election.stops.filter(status=StopStatus.OPEN).order_by("created_at").first()
        why = f"：{stop.get_kind_display()}（{stop.reason}）" if stop else ""
        raise DomainError("election_stopped", f"该选举因异常情况已暂停{why}，须经镇街选举指导机构批准后才能继续。",
                          status_code=409)
    allowed = STEP_STAGES.get(step)
    if allowed is None:
        raise DomainError("unknown_step", f"未知的选举步骤：{step}。")
    if election.stage not in allowed:
        labels = "、".join(Stage(s).label for s in allowed)
        raise DomainError("stage_order", f"当前阶段为“{Stage(election.stage).label}”，该操作只能在“{labels}”阶段进行。",
                          status_code=409)


def lock(election: Election) -> Election:
    """The election's row, locked for the rest of the transaction (writes on one election queue)."""
    return Election.objects.select_for_update().select_related("unit").get(pk=election.pk)


def ensure_may_write(user: Any, election: Election) -> None:
    """A writer of the election's own community (or of a unit above it)."""
    if not roles.can_write(user):
        raise DomainError("read_only", "您的角色不能办理选举事务。", status_code=403)
    if not in_scope(user, election.unit):
        raise DomainError("out_of_scope", "该选举不在您的管辖范围内。", status_code=404)


# -- the timeline ----------------------------------------------------------------------------------------


def log(election: Election, kind: str, text: str, *, user: Any = None, rule: str = "") -> Event:
    return Event.objects.create(election=election, kind=kind, stage=election.stage, text=text[:500], rule=rule[:300],
                                actor=user if roles.is_signed_in(user) else None,
                                actor_name=(getattr(user, "display_name", "") or getattr(user, "username", ""))
                                if roles.is_signed_in(user) else "系统")


# -- creating an election --------------------------------------------------------------------------------


def province(unit: Any) -> str:
    return province_of(unit.code)


def body_for(unit: Any) -> str:
    return Body.VILLAGE if unit.kind == Kind.VILLAGE else Body.RESIDENTS


def check_posts(posts: dict[str, int], *, body: str, prov: str, on: dt.date) -> list[lawbook.Applied]:
    """The committee's size within the law's range, one director."""
    seats = lawbook.need("seats", body=body, province=prov, on=on)
    low, high = (int(v) for v in seats.value)
    total = sum(posts.values())
    ok = low <= total <= high
    applied = [lawbook.Applied(seats, ok, f"职数合计 {total} 人（应为 {low} 至 {high} 人）")]
    if not ok:
        raise DomainError("seats_out_of_range", f"职数合计 {total} 人，{seats.title}（{seats.citation}）。",
                          extra={"rule": seats.key, "citation": str(seats.citation)})
    if posts.get("director") != 1:
        raise DomainError("one_director", "应设主任 1 名。")
    return applied


def check_mode(mode: str, *, body: str, prov: str, on: dt.date) -> None:
    r = lawbook.rule("modes", body=body, province=prov, on=on)
    if mode not in Mode.values or (r is not None and mode not in r.value):
        cite = f"（{r.citation}）" if r else ""
        raise DomainError("invalid_mode", f"{Body(body).label}不能采用“{Mode(mode).label if mode in Mode.values else mode}”"
                          f"的选举方式{cite}。")


def refuse_calendar(verdict: calendar.Verdict) -> None:
    if verdict.ok:
        return
    message, citation = verdict.first_error()
    raise DomainError("calendar_unlawful", f"日程不符合规定：{message}" + (f"（{citation}）" if citation else "") + "。",
                      extra={"errors": verdict.errors, "citation": citation})


@transaction.atomic
def create_election(user: Any, unit: Any, *, round: str, election_day: dt.date, mode: str = Mode.DIRECT,
                    posts: dict[str, int] | None = None, plan: dict[str, dt.date] | None = None,
                    committee: list[dict[str, str]] | None = None) -> Election:
    if not roles.can_write(user):
        raise DomainError("read_only", "您的角色不能办理选举事务。", status_code=403)
    if unit is None or unit.level != Level.COMMUNITY:
        raise DomainError("not_a_community", "换届选举以村或社区为单位组织。")
    if not in_scope(user, unit):
        raise DomainError("out_of_scope", "该村(社区)不在您的管辖范围内。", status_code=403)
    round = (round or "").strip()
    if not round or len(round) > 20:
        raise DomainError("round_required", "请填写换届届次（如 2026）。")
    body, prov = body_for(unit), province(unit)
    try:
        ruleset, version = lawbook.ruleset_of(body=body, province=prov, on=election_day)
    except RuleNotFound:
        raise DomainError("no_rules", "选举日没有适用的选举规则。") from None
    if election_day <= timezone.localdate():
        raise DomainError("election_day_past", "选举日应在今天之后。")
    check_mode(mode, body=body, prov=prov, on=election_day)
    posts = posts or {"director": 1, "deputy": 1, "member": 3 if body == Body.VILLAGE else 5}
    check_posts(posts, body=body, prov=prov, on=election_day)
    full = {**calendar.default_plan(election_day, body=body, province=prov, today=timezone.localdate()), **(plan or {})}
    refuse_calendar(calendar.evaluate(election_day=election_day, body=body, province=prov, plan=full))
    if Election.objects.filter(unit=unit, round=round).exists():
        raise DomainError("election_exists", f"{unit.name}已有 {round} 年换届选举。", status_code=409)
    election = Election.objects.create(
        unit=unit, round=round, body=body, mode=mode, election_day=election_day, rule_province=prov,
        rule_set=ruleset, rule_version=version, created_by=user,
        calendar={k: v.isoformat() for k, v in full.items()}, committee=_committee(committee))
    Post.objects.bulk_create([Post(election=election, kind=k, seats=v) for k, v in posts.items() if v])
    log(election, "created", f"创建{election.round}年{election.get_body_display()}换届选举，选举日 {election_day.isoformat()}",
        user=user, rule=f"{ruleset}（{version}）")
    return election


def _committee(members: list[dict[str, str]] | None) -> list[dict[str, str]]:
    out = []
    for m in members or []:
        name = str(m.get("name", "")).strip()[:50]
        if name:
            out.append({"name": name, "role": str(m.get("role", "委员")).strip()[:20] or "委员"})
    return out


@transaction.atomic
def update_setup(user: Any, election: Election, *, plan: dict[str, dt.date] | None = None,
                 committee: list[dict[str, str]] | None = None, posts: dict[str, int] | None = None) -> Election:
    ensure_may_write(user, election)
    e = lock(election)
    ensure_writable(e, "setup")
    on, prov = e.election_day, e.rule_province
    if posts is not None:
        check_posts(posts, body=e.body, prov=prov, on=on)
        e.posts.all().delete()
        Post.objects.bulk_create([Post(election=e, kind=k, seats=v) for k, v in posts.items() if v])
    if plan is not None:
        full = {**calendar.parse_plan(e.calendar), **plan}
        refuse_calendar(calendar.evaluate(election_day=on, body=e.body, province=prov, plan=full))
        e.calendar = {k: v.isoformat() for k, v in full.items()}
    if committee is not None:
        e.committee = _committee(committee)
    e.save()
    log(e, "setup", "修改选举日程/职数/选举委员会", user=user)
    return e


# -- stages --------------------------------------------------------------------------------------------


def next_stage(stage: str) -> str:
    i = stage_index(stage)
    if i + 1 >= len(STAGE_ORDER):
        raise DomainError("last_stage", "已是最后阶段。", status_code=409)
    return STAGE_ORDER[i + 1]


def set_stage(e: Election, to: str, *, user: Any, text: str = "", rule: str = "") -> None:
    before = e.stage
    e.stage = to
    e.save(update_fields=["stage", "updated_at"])
    log(e, "stage", text or f"进入“{Stage(to).label}”阶段", user=user, rule=rule)
    registry.record("update", e, e.unit.path, before={"stage": before}, after={"stage": to},
                    reason=text or f"进入{Stage(to).label}", actor=user)


#: Stages entered by their own step (the roll's review and publication, the joint review's answers),
#: never by a plain "next stage".
ENTERED_BY_STEP: dict[str, str] = {Stage.ROLL_REVIEW: "请提交选民名单审核", Stage.ROLL_PUBLISHED: "选民名单经审核发布后进入该阶段",
                   Stage.JOINT_REVIEW: "请提交正式候选人名单联审",
                   Stage.ARCHIVED: "请在“归档”中勾选已移交的纸质档案并生成归档包，完成后自动归档"}


@transaction.atomic
def advance(user: Any, election: Election, to: str) -> Election:
    """Move to the next stage (``to`` must be it): each stage's own conditions are checked first."""
    ensure_may_write(user, election)
    e = lock(election)
    ensure_writable(e, "advance")
    expected = next_stage(e.stage)
    if to != expected:
        raise DomainError("stage_order", f"只能进入下一阶段“{Stage(expected).label}”。", status_code=409)
    if to in ENTERED_BY_STEP:
        raise DomainError("stage_by_step", ENTERED_BY_STEP[to] + "。", status_code=409)
    from . import candidates, objections

    if to == Stage.NOMINATION:
        objections.ensure_all_decided(e)
    elif to == Stage.CANDIDATES:
        candidates.ensure_nominations(e)
    elif to == Stage.POLLING:
        candidates.ensure_reviewed(e)
    set_stage(e, to, user=user)
    return e


# -- exceptions ----------------------------------------------------------------------------------------


def stop(election: Election, *, kind: str, reason: str, user: Any = None, rule: str = "") -> Stop:
    """Stop the election (异常情况): every step is refused until the town authorises the next one. Called
    by the services when a rule fails and by staff who report an invalid meeting or election. The
    caller holds the election's lock (or this takes it)."""
    if kind not in StopKind.values:
        raise DomainError("invalid_kind", "未知的异常类型。")
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("reason_required", "请说明异常情况。")
    e = lock(election)
    if e.stage == Stage.ARCHIVED:
        raise DomainError("election_archived", "该选举已归档，不能再修改。", status_code=409)
    s = Stop.objects.create(election=e, kind=kind, stage=e.stage, reason=reason[:500], rule=rule[:300],
                            created_by=user if roles.is_signed_in(user) else None)
    e.stopped = True
    e.save(update_fields=["stopped", "updated_at"])
    log(e, "stop", f"异常情况（{s.get_kind_display()}）：{reason}", user=user, rule=rule)
    election.stopped = True
    _tell_town(e, f"{e.unit.name}换届选举出现异常情况", f"{s.get_kind_display()}：{reason}。须镇街选举指导机构批准后方可继续。")
    return s


@transaction.atomic
def report_stop(user: Any, election: Election, *, kind: str, reason: str) -> Stop:
    ensure_may_write(user, election)
    e = lock(election)
    ensure_writable(e, "stop")
    return stop(e, kind=kind, reason=reason, user=user)


@transaction.atomic
def authorise(user: Any, stop_row: Stop, *, reason: str) -> Stop:
    """The town's election guidance body authorises the next step after a stop, with a reason."""
    if not roles.can_guide_elections(user):
        raise DomainError("not_guidance_body", "只有镇街选举指导机构才能批准异常情况后的下一步。", status_code=403)
    e = lock(stop_row.election)
    if not in_scope(user, e.unit):
        raise DomainError("out_of_scope", "该选举不在您的管辖范围内。", status_code=404)
    if e.stage == Stage.ARCHIVED:
        raise DomainError("election_archived", "该选举已归档，不能再修改。", status_code=409)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("reason_required", "请填写批准意见。")
    s = Stop.objects.select_for_update().get(pk=stop_row.pk)
    if s.status != StopStatus.OPEN:
        raise DomainError("already_authorised", "该异常情况已处理。", status_code=409)
    s.status = StopStatus.AUTHORISED
    s.authorised_by = user
    s.authorised_at = timezone.now()
    s.authorisation = reason[:500]
    s.save()
    e.stopped = e.stops.filter(status=StopStatus.OPEN).exists()
    e.save(update_fields=["stopped", "updated_at"])
    log(e, "authorise", f"镇街选举指导机构批准继续：{reason}", user=user)
    return s


def _tell_town(e: Election, subject: str, body: str) -> None:
    """An in-app message to the staff of the town above the election (the guidance body)."""
    from accounts.models import User
    from core.notices import notify

    town = e.unit.parent
    if town is None:
        return
    people = [u for u in User.objects.filter(unit=town, is_active=True) if roles.can_guide_elections(u)]
    if people:
        transaction.on_commit(lambda: notify(people, subject, body, link=f"/map/#elections/{e.pk}", unit=town))
