"""Objections to the published roll (选民名单异议): a resident (in 民政易) or staff records one within the
window; the election committee decides within the deadline; the decision is sent to the objector
(core.notices); an upheld objection is the only way a published roll changes.
"""
from __future__ import annotations

from typing import Any

from core import roles
from core.errors import DomainError
from django.db import transaction
from django.utils import timezone

from . import calendar, roll, services
from .codes import ObjectionKind, ObjectionStatus, Source, Stage
from .models import Election, Objection, Voter


def ensure_all_decided(e: Election) -> None:
    pending = e.objections.filter(status=ObjectionStatus.PENDING).count()
    if pending:
        raise DomainError("objections_pending", f"还有 {pending} 件选民名单异议未作出处理决定。", status_code=409)


def readable_elections(user: Any) -> Any:
    """Elections a resident may object to: their own community's, once the roll is published."""
    unit = getattr(user, "unit", None)
    if not roles.is_resident(user) or unit is None:
        return Election.objects.none()
    return Election.objects.filter(unit=unit, roll_published_at__isnull=False).exclude(stage=Stage.ARCHIVED)


@transaction.atomic
def file_objection(user: Any, election: Election, data: dict[str, Any]) -> Objection:
    """A resident of the community (民政易) or its staff records an objection within the window."""
    resident = roles.is_resident(user)
    if resident:
        if getattr(user, "unit_id", None) != election.unit_id:
            raise DomainError("out_of_scope", "只能对本村(社区)的选民名单提出异议。", status_code=404)
    else:
        services.ensure_may_write(user, election)
    e = services.lock(election)
    services.ensure_writable(e, "objection")
    kind = data.get("kind")
    if kind not in ObjectionKind.values:
        raise DomainError("invalid_kind", "请选择异议类型。")
    text = str(data.get("text") or "").strip()
    if not text:
        raise DomainError("text_required", "请填写异议内容。")
    assert e.roll_published_at is not None  # the stage guard: objections only after publication
    today = timezone.localdate()
    d = calendar.deadlines(election_day=e.election_day, body=e.body, province=e.rule_province,
                           published_on=timezone.localtime(e.roll_published_at).date())
    r = d.rules["objection"].rule
    if today > d.objections_until:
        raise DomainError("objection_window_closed", f"异议受理期已于 {d.objections_until.isoformat()} 结束"
                          f"（{r.title}，{r.citation}）。", status_code=409)
    voter = None
    if data.get("voter") not in (None, ""):
        try:
            voter = Voter.objects.filter(election=e, pk=int(str(data["voter"]))).first()
        except ValueError:
            voter = None
        if voter is None:
            raise DomainError("voter_not_found", "名单上没有该选民。", status_code=404)
    subject = str(data.get("subject_name") or (voter.name if voter else "")).strip()
    if not subject:
        raise DomainError("subject_required", "请填写涉及人员的姓名。")
    if kind in (ObjectionKind.REMOVE, ObjectionKind.CORRECT) and voter is None:
        raise DomainError("voter_required", "请选择名单上涉及的选民。")
    due, applied = calendar.decide_by(today, election_day=e.election_day, body=e.body, province=e.rule_province)
    name = (getattr(user, "display_name", "") or getattr(user, "username", "")) if resident else \
        str(data.get("objector_name") or "").strip()
    if not name:
        raise DomainError("objector_required", "请填写异议人姓名。")
    o = Objection.objects.create(election=e, kind=kind, voter=voter, subject_name=subject[:50], text=text[:1000],
                                 objector=user if resident else None, objector_name=name[:50], via_app=resident,
                                 received_on=today, decide_by=due)
    services.log(e, "objection", f"收到异议：{subject}（{o.get_kind_display()}），应于 {due.isoformat()} 前作出决定",
                 user=user, rule=str(applied.rule.citation))
    return o


@transaction.atomic
def decide(user: Any, objection: Objection, *, upheld: bool, decision: str, voter_data: dict[str, Any] | None = None
           ) -> Objection:
    """The committee's decision. Upheld: the roll changes accordingly (add, remove or correct), in the
    same transaction. The objector is told; a decision after the deadline is recorded as late."""
    services.ensure_may_write(user, objection.election)
    e = services.lock(objection.election)
    services.ensure_writable(e, "objection")
    o = Objection.objects.select_for_update().get(pk=objection.pk)
    if o.status != ObjectionStatus.PENDING:
        raise DomainError("already_decided", "该异议已作出处理决定。", status_code=409)
    decision = (decision or "").strip()
    if not decision:
        raise DomainError("decision_required", "请填写处理决定及理由。")
    if upheld:
        if o.kind == ObjectionKind.REMOVE:
            assert o.voter is not None
            roll.remove_locked(user, e, o.voter, f"异议成立：{decision}")
        elif o.kind == ObjectionKind.ADD:
            roll.add_locked(user, e, {**(voter_data or {}), "name": (voter_data or {}).get("name") or o.subject_name,
                                      "reason": f"异议成立：{decision}"}, source=Source.OBJECTION)
        elif o.kind == ObjectionKind.CORRECT:
            assert o.voter is not None
            _correct(user, e, o.voter, voter_data or {}, decision)
    today = timezone.localdate()
    o.status = ObjectionStatus.UPHELD if upheld else ObjectionStatus.DISMISSED
    o.decision = decision[:500]
    o.decided_by = user
    o.decided_at = timezone.now()
    o.late = today > o.decide_by
    o.save()
    due, applied = calendar.decide_by(o.received_on, election_day=e.election_day, body=e.body, province=e.rule_province)
    services.log(e, "objection_decided", f"异议处理决定（{o.get_status_display()}）：{o.subject_name}，{decision}"
                 + ("（超过处理期限）" if o.late else ""), user=user, rule=str(applied.rule.citation))
    _tell_objector(e, o)
    return o


def _correct(user: Any, e: Election, voter: Voter, data: dict[str, Any], decision: str) -> None:
    v = Voter.objects.select_for_update().get(pk=voter.pk, election=e)
    changed = []
    name = str(data.get("name") or "").strip()
    if name and name != v.name:
        changed.append(f"姓名 {v.name}→{name}")
        v.name = name[:50]
    if data.get("group") not in (None, ""):
        v.group_id = roll._group(data.get("group"), e)
        changed.append("小组")
    if not changed:
        raise DomainError("nothing_to_correct", "请填写更正后的信息。")
    v.save()
    services.log(e, "voter_corrected", f"更正选民信息（{'、'.join(changed)}）：{decision}", user=user)


def _tell_objector(e: Election, o: Objection) -> None:
    from core.notices import notify

    if o.objector_id is None:
        return
    objector = o.objector
    body = f"您对{e.unit.name}选民名单提出的异议（{o.subject_name}）已处理：{o.get_status_display()}。{o.decision}"
    transaction.on_commit(lambda: notify([objector], "选民名单异议处理结果", body,
                                         link=f"/app/#/elections/{e.pk}", unit=e.unit, key=f"elections.objection:{o.pk}"))
