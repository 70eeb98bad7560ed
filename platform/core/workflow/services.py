"""Running the review machine: each step checks who may act (core.roles), locks the row, fires the
declared transition, and records it twice — on the item's timeline and in the audit trail.

Two reviewers acting at once: the second waits for the first's row lock, then finds the state
changed and gets 409 (``state_changed``); a stale write that slipped past the lock is caught by
ConcurrentTransitionMixin (``ConcurrentTransition``) and answered the same way.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils import timezone
from django_fsm import ConcurrentTransition, TransitionNotAllowed

from core import roles
from core.errors import DomainError
from core.scoping import in_scope

from .models import EDITABLE, Escalation, Reviewable, State, WorkflowEvent
from .signals import transitioned

R = TypeVar("R", bound=Reviewable)

MAX_REASON = 500


def _reason(text: str | None, what: str) -> str:
    text = (text or "").strip()
    if not text:
        raise DomainError("reason_required", f"请填写{what}原因。")
    if len(text) > MAX_REASON:
        raise DomainError("reason_too_long", f"原因不能超过 {MAX_REASON} 个字。")
    return text


def _forbidden(message: str) -> DomainError:
    return DomainError("forbidden", message, status_code=403)


# -- who may do what (all through core.roles and core.scoping) --------------------------------
def may_edit(user: Any, item: Reviewable) -> bool:
    return roles.can_write(user) and in_scope(user, item.unit) and item.state in EDITABLE


def may_submit(user: Any, item: Reviewable) -> bool:
    return roles.can_write(user) and in_scope(user, item.unit)


def may_review(user: Any, item: Reviewable) -> bool:
    return roles.can_review_unit(user, item.review_unit) and getattr(user, "pk", None) != item.author_id


def may_withdraw(user: Any, item: Reviewable) -> bool:
    return (roles.can_write(user) or roles.can_review(user)) and in_scope(user, item.unit)


def may_escalate(user: Any, item: Reviewable) -> bool:
    """Those who answer for the current audience send an item up: a village its own item, the town
    a village item it has approved for the town (passed on to the district)."""
    return (roles.can_write(user) or roles.can_review(user)) and in_scope(user, item.audience_unit)


def may_decide_escalation(user: Any, item: Reviewable) -> bool:
    return roles.can_review_unit(user, item.escalation_unit)


def actions_for(user: Any, item: Reviewable) -> list[str]:
    """The steps this user may take on this item now (the UI shows exactly these)."""
    out: list[str] = []
    if item.state in EDITABLE and may_edit(user, item):
        out += ["edit", "submit"]
    if item.state == State.SUBMITTED and may_review(user, item):
        out += ["approve", "reject"]
    if item.state in (State.APPROVED, State.PUBLISHED):
        if may_withdraw(user, item):
            out.append("withdraw")
        if item.escalation != Escalation.PENDING and item._may_escalate() and may_escalate(user, item):
            out.append("escalate")
        if item.escalation == Escalation.PENDING and may_decide_escalation(user, item):
            out += ["approve_escalation", "reject_escalation"]
    return out


# -- recording ----------------------------------------------------------------------------------
def _snapshot(item: Reviewable) -> dict[str, Any]:
    return {"state": item.state, "escalation": item.escalation, "audience": item.audience_path}


def _record(item: Reviewable, user: Any, action: str, before: dict[str, Any], reason: str = "",
            details: dict[str, Any] | None = None) -> WorkflowEvent:
    after = _snapshot(item)
    event = WorkflowEvent.objects.create(
        content_type=ContentType.objects.get_for_model(type(item)), object_id=item.pk, unit_path=item.unit.path,
        action=action, from_state=before["state"], to_state=after["state"], actor=user if roles.is_signed_in(user) else None,
        actor_name=(getattr(user, "display_name", "") or getattr(user, "username", "")) if user else "系统",
        reason=reason, details=details or {},
    )
    changed = {k for k in after if after[k] != before.get(k)}
    transitioned.send(type(item), item=item, user=user, action=action, reason=reason,
                      before={k: before[k] for k in changed} | {"workflow": action},
                      after={k: after[k] for k in changed} | {"workflow": action})
    return event


@contextmanager
def _locked(item: R) -> Iterator[R]:
    """The item re-read under a row lock inside a transaction; a changed state is a 409."""
    try:
        with transaction.atomic():
            locked = type(item)._default_manager.select_for_update(of=("self",)).select_related(
                "unit", "review_unit", "audience_unit", "audience_unit__parent", "escalation_unit").get(pk=item.pk)
            yield locked
    except (TransitionNotAllowed, ConcurrentTransition):
        raise DomainError("state_changed", "该条目的状态已变化（可能已有人处理），请刷新后重试。", status_code=409) from None


def _step(item: R, user: Any, action: str, allowed: Callable[[Any, Reviewable], bool], fire: Callable[[R], None],
          reason: str = "", details: Callable[[R], dict[str, Any]] | None = None) -> R:
    with _locked(item) as locked:
        if not allowed(user, locked):
            raise _forbidden("您无权对该条目执行此操作。")
        before = _snapshot(locked)
        fire(locked)
        locked.save()
        _record(locked, user, action, before, reason, details(locked) if details else None)
    return locked


# -- the steps ------------------------------------------------------------------------------------
def submit(item: R, user: Any) -> R:
    def fire(i: R) -> None:
        i.submit()
        i.submitted_at = timezone.now()

    return _step(item, user, "submit", may_submit, fire)


def approve(item: R, user: Any, *, publish: bool = True) -> R:
    """Approve; by default publish at once (or at its publish_at: a scheduled publication)."""
    with _locked(item) as locked:
        if not may_review(user, locked):
            if getattr(user, "pk", None) == locked.author_id and roles.can_review_unit(user, locked.review_unit):
                raise _forbidden("不能审核自己提交的内容。")
            raise _forbidden("您无权审核该条目：应由审核单位的审核员审核。")
        before = _snapshot(locked)
        locked.approve()
        locked.save()
        _record(locked, user, "approve", before)
        if publish:
            before = _snapshot(locked)
            locked.publish(timezone.now())
            locked.save()
            at = locked.published_at or timezone.now()
            _record(locked, user, "publish", before,
                    details={"published_at": at.isoformat(), "scheduled": at > timezone.now()})
    return locked


def reject(item: R, user: Any, reason: str) -> R:
    text = _reason(reason, "退回")
    return _step(item, user, "reject", may_review, lambda i: i.reject(text), reason=text)


def publish(item: R, user: Any) -> R:
    return _step(item, user, "publish", may_review, lambda i: i.publish(timezone.now()))


def withdraw(item: R, user: Any, reason: str) -> R:
    text = _reason(reason, "撤回")

    def fire(i: R) -> None:
        i.withdraw(text)
        if i.escalation == Escalation.PENDING:
            i.cancel_escalation()

    return _step(item, user, "withdraw", may_withdraw, fire, reason=text)


def escalate(item: R, user: Any) -> R:
    def fire(i: R) -> None:
        if not i._may_escalate():
            raise DomainError("cannot_escalate", "该条目不能再上报（需已通过审核，且未到区级）。", status_code=409)
        i.request_escalation()

    return _step(item, user, "escalate", may_escalate, fire,
                 details=lambda i: {"to_unit": i.escalation_unit.name if i.escalation_unit else "",
                                    "to_unit_id": i.escalation_unit_id})


def approve_escalation(item: R, user: Any) -> R:
    def details(i: R) -> dict[str, Any]:
        return {"audience_unit": i.audience_unit.name, "audience_unit_id": i.audience_unit_id}

    return _step(item, user, "approve_escalation", may_decide_escalation, lambda i: i.approve_escalation(),
                 details=details)


def reject_escalation(item: R, user: Any, reason: str) -> R:
    text = _reason(reason, "退回")
    return _step(item, user, "reject_escalation", may_decide_escalation, lambda i: i.reject_escalation(text),
                 reason=text)


STEPS: dict[str, Callable[..., Any]] = {
    "submit": submit, "approve": approve, "reject": reject, "publish": publish, "withdraw": withdraw,
    "escalate": escalate, "approve_escalation": approve_escalation, "reject_escalation": reject_escalation,
}
NEEDS_REASON = frozenset({"reject", "withdraw", "reject_escalation"})


def run(action: str, item: R, user: Any, reason: str = "") -> R:
    """One entry point for the API: ``action`` is a key of STEPS."""
    step = STEPS.get(action)
    if step is None:
        raise DomainError("unknown_action", "未知的操作。")
    if action in NEEDS_REASON:
        return step(item, user, reason)
    return step(item, user)


def record_created(item: Reviewable, user: Any) -> WorkflowEvent:
    """The first line of a timeline: the draft was written."""
    return WorkflowEvent.objects.create(
        content_type=ContentType.objects.get_for_model(type(item)), object_id=item.pk, unit_path=item.unit.path,
        action="create", from_state="", to_state=item.state, actor=user,
        actor_name=getattr(user, "display_name", "") or getattr(user, "username", ""),
    )


# -- reading --------------------------------------------------------------------------------------
def timeline(item: Reviewable) -> models.QuerySet[WorkflowEvent]:
    return WorkflowEvent.objects.filter(content_type=ContentType.objects.get_for_model(type(item)), object_id=item.pk)


def review_queue(qs: models.QuerySet[R], user: Any) -> models.QuerySet[R]:
    """What waits for this reviewer: submissions to their unit and escalations sent up to it."""
    if not roles.can_review(user):
        return qs.none()
    if roles.is_superuser(user):
        return qs.filter(models.Q(state=State.SUBMITTED) | models.Q(escalation=Escalation.PENDING))
    unit_id = getattr(user, "unit_id", None)
    return qs.filter(
        models.Q(state=State.SUBMITTED, review_unit_id=unit_id)
        | models.Q(escalation=Escalation.PENDING, escalation_unit_id=unit_id, state__in=[State.APPROVED, State.PUBLISHED])
    ).exclude(state=State.SUBMITTED, author_id=user.pk)
