"""Candidates: nominations (提名) with their counts, the formal list (正式候选人) by the rules — more
candidates than seats for every post, a woman among them — and the joint review (候选人联审) by the
departments configured for the town and the district, each answering pass or fail with a reason. The
list is final only when every department has answered on every candidate.
"""
from __future__ import annotations

from typing import Any

from core import roles
from core.errors import DomainError
from core.scoping import in_scope
from django.db import transaction
from django.utils import timezone

from . import lawbook, services
from .codes import CandidateStatus, Stage, StopKind, VoterStatus
from .models import Candidate, Election, Post, Vetting, VettingDepartment, Voter


def ensure_nominations(e: Election) -> None:
    if not e.candidates.exists():
        raise DomainError("no_nominations", "尚无候选人提名。", status_code=409)


def ensure_reviewed(e: Election) -> None:
    if not e.candidates.filter(status=CandidateStatus.APPROVED).exists() or Vetting.objects.filter(
            candidate__election=e, passed__isnull=True).exists():
        raise DomainError("review_open", "候选人联审尚未完成。", status_code=409)


@transaction.atomic
def nominate(user: Any, election: Election, *, voter_id: int, post: str, nominations: int) -> Candidate:
    services.ensure_may_write(user, election)
    e = services.lock(election)
    services.ensure_writable(e, "nomination")
    p = Post.objects.filter(election=e, kind=post).first()
    if p is None:
        raise DomainError("invalid_post", "本次选举没有该职位。")
    v = Voter.objects.filter(election=e, pk=voter_id, status=VoterStatus.ON_ROLL).first()
    if v is None:
        raise DomainError("voter_not_found", "候选人应为本选民名单上的选民。", status_code=404)
    if not isinstance(nominations, int) or nominations < 1 or nominations > 1_000_000:
        raise DomainError("invalid_nominations", "提名票数应为正整数。")
    if Candidate.objects.filter(election=e, post=p, voter=v).exists():
        raise DomainError("already_nominated", f"{v.name}已被提名为{p.get_kind_display()}候选人。", status_code=409)
    c = Candidate.objects.create(election=e, post=p, voter=v, name=v.name, gender=v.gender, nominations=nominations)
    services.log(e, "nomination", f"提名{p.get_kind_display()}候选人 {v.name}（{nominations} 票）", user=user)
    return c


@transaction.atomic
def withdraw_nomination(user: Any, candidate: Candidate) -> None:
    services.ensure_may_write(user, candidate.election)
    e = services.lock(candidate.election)
    services.ensure_writable(e, "nomination")
    services.log(e, "nomination_withdrawn", f"撤销提名：{candidate.name}", user=user)
    candidate.delete()


def check_list(e: Election, formal: list[Candidate]) -> list[lawbook.Applied]:
    """The formal list against the rules: for every post more candidates than seats; a woman among them."""
    applied: list[lawbook.Applied] = []
    exceed = lawbook.rule("candidates_exceed_seats", body=e.body, province=e.rule_province, on=e.election_day)
    if exceed is not None and exceed.value:
        for p in e.posts.all():
            n = sum(1 for c in formal if c.post_id == p.pk)
            applied.append(lawbook.Applied(exceed, n > p.seats,
                                           f"{p.get_kind_display()}应选 {p.seats} 名，正式候选人 {n} 名"))
    woman = lawbook.rule("woman_member", body=e.body, province=e.rule_province, on=e.election_day)
    if woman is not None and woman.value:
        women = sum(1 for c in formal if c.gender == "2")
        applied.append(lawbook.Applied(woman, women > 0, f"正式候选人中女性 {women} 名"))
    return applied


@transaction.atomic
def set_formal_list(user: Any, election: Election, candidate_ids: list[int]) -> list[lawbook.Applied]:
    """The clerk confirms the formal candidates (正式候选人); refused with the rule when it breaks one."""
    services.ensure_may_write(user, election)
    e = services.lock(election)
    services.ensure_writable(e, "candidates")
    ids = {int(i) for i in candidate_ids}
    all_candidates = list(Candidate.objects.filter(election=e))
    formal = [c for c in all_candidates if c.pk in ids]
    if len(formal) != len(ids):
        raise DomainError("candidate_not_found", "候选人不存在。", status_code=404)
    applied = check_list(e, formal)
    failed = [a for a in applied if not a.ok]
    if failed:
        raise DomainError("list_unlawful", "；".join(f"{a.detail}，不符合“{a.rule.title}”（{a.rule.citation}）"
                                                    for a in failed) + "。",
                          extra={"rules": [a.as_dict() for a in applied]})
    for c in all_candidates:
        c.status = CandidateStatus.FORMAL if c.pk in ids else CandidateStatus.NOMINATED
    Candidate.objects.bulk_update(all_candidates, ["status"])
    if e.stage == Stage.NOMINATION:
        services.set_stage(e, Stage.CANDIDATES, user=user, text=f"确定正式候选人 {len(formal)} 名")
    else:
        services.log(e, "formal_list", f"修改正式候选人名单（{len(formal)} 名）", user=user)
    return applied


def departments_for(e: Election) -> list[VettingDepartment]:
    """The active review departments of the towns and district above the election."""
    return list(VettingDepartment.objects.filter(unit__code__in=e.unit.ancestor_codes, active=True)
                .select_related("unit").order_by("unit__level", "id"))


@transaction.atomic
def submit_review(user: Any, election: Election) -> int:
    """Send the formal list to every department (联审): one open answer per candidate and department."""
    services.ensure_may_write(user, election)
    e = services.lock(election)
    services.ensure_writable(e, "candidates")
    if e.stage != Stage.CANDIDATES:
        raise DomainError("stage_order", "请先确定正式候选人。", status_code=409)
    formal = list(Candidate.objects.filter(election=e, status=CandidateStatus.FORMAL))
    if not formal:
        raise DomainError("no_formal", "尚未确定正式候选人。", status_code=409)
    depts = departments_for(e)
    if not depts:
        raise DomainError("no_departments", "镇街尚未配置候选人联审部门。", status_code=409)
    Vetting.objects.filter(candidate__election=e).delete()
    Vetting.objects.bulk_create([Vetting(candidate=c, department=d) for c in formal for d in depts])
    services.set_stage(e, Stage.JOINT_REVIEW, user=user,
                       text=f"正式候选人 {len(formal)} 名提交联审（{'、'.join(d.name for d in depts)}）")
    _tell_departments(e, depts)
    return len(formal) * len(depts)


def may_answer(user: Any, v: Vetting) -> bool:
    """A member of the department, or a writer of the unit the department belongs to (who records the
    department's written answer)."""
    dept = v.department
    if roles.is_resident(user) or not roles.is_signed_in(user):
        return False
    if dept.department_id is not None and getattr(user, "department_id", None) == dept.department_id:
        return True
    return roles.can_write(user) and getattr(user, "unit_id", None) == dept.unit_id


@transaction.atomic
def answer(user: Any, vetting: Vetting, *, passed: bool, reason: str) -> Vetting:
    e = services.lock(vetting.candidate.election)
    if not in_scope(user, e.unit):
        raise DomainError("out_of_scope", "该选举不在您的管辖范围内。", status_code=404)
    v = Vetting.objects.select_for_update().select_related("department", "candidate").get(pk=vetting.pk)
    if not may_answer(user, v):
        raise DomainError("not_reviewer", f"只有{v.department.name}可以答复该项联审。", status_code=403)
    services.ensure_writable(e, "joint_review")
    if v.passed is not None:
        raise DomainError("already_answered", "该部门已答复。", status_code=409)
    reason = (reason or "").strip()
    if not passed and not reason:
        raise DomainError("reason_required", "不通过时请写明理由。")
    v.passed, v.reason, v.answered_by, v.answered_at = passed, reason[:300], user, timezone.now()
    v.save()
    services.log(e, "vetting", f"{v.department.name}：{v.candidate.name} {'通过' if passed else '不通过'}"
                 + (f"（{reason}）" if reason else ""), user=user)
    if not Vetting.objects.filter(candidate__election=e, passed__isnull=True).exists():
        _finish(e, user)
    return v


def _finish(e: Election, user: Any) -> None:
    """Every department answered: each candidate is approved or not; the list is final."""
    formal = list(Candidate.objects.filter(election=e, status=CandidateStatus.FORMAL).prefetch_related("vettings"))
    for c in formal:
        c.status = CandidateStatus.APPROVED if all(v.passed for v in c.vettings.all()) else CandidateStatus.REJECTED
    Candidate.objects.bulk_update(formal, ["status"])
    approved = [c for c in formal if c.status == CandidateStatus.APPROVED]
    services.log(e, "vetting_done", f"联审完成：通过 {len(approved)} 名，未通过 {len(formal) - len(approved)} 名", user=user)
    _tell_clerks(e, len(approved), len(formal))
    failed = [a for a in check_list(e, approved) if not a.ok]
    if failed:
        a = failed[0]
        services.stop(e, kind=StopKind.RULE_FAILED, user=user, rule=str(a.rule.citation),
                      reason=f"联审后{a.detail}，不符合“{a.rule.title}”")


def _tell_departments(e: Election, depts: list[VettingDepartment]) -> None:
    from accounts.models import User
    from core.notices import notify

    units = {d.unit_id for d in depts}
    people = [u for u in User.objects.filter(unit_id__in=units, is_active=True) if roles.can_write(u)]
    if people:
        transaction.on_commit(lambda: notify(people, "候选人联审", f"{e.unit.name}正式候选人名单待联审。",
                                             link=f"/map/#elections/{e.pk}", unit=e.unit))


def _tell_clerks(e: Election, approved: int, total: int) -> None:
    from accounts.models import User
    from core.notices import notify

    people = [u for u in User.objects.filter(unit=e.unit, is_active=True) if roles.can_write(u)]
    if people:
        transaction.on_commit(lambda: notify(people, "候选人联审结果", f"联审完成：{total} 名正式候选人中通过 {approved} 名。",
                                             link=f"/map/#elections/{e.pk}", unit=e.unit))
