"""The reviewable item: a state machine declared with django-fsm-2, and the timeline of its transitions.

``Reviewable`` is an abstract model a module inherits (a post, an election's roll, a decision...).
Transitions are declared on the model; ``core.workflow.services`` runs them — with the role checks,
the row lock, the timeline entry and the audit record — so no view ever changes a state by hand.

States::

    draft ─submit→ submitted ─approve→ approved ─publish→ published ─withdraw→ withdrawn
      ↑                 └─reject(reason)→ rejected ─submit→ submitted

Escalation is a second, independent machine on the same row: an approved or published item may be
sent one level up (``escalation``: none → pending); the upper level's reviewer approves (the audience
widens to the upper unit's subtree) or rejects (the audience stays as it was).
"""
from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from core.scoping import ScopedQuerySet


class State(models.TextChoices):
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "待审核"
    APPROVED = "approved", "已通过"
    REJECTED = "rejected", "已退回"
    PUBLISHED = "published", "已发布"
    WITHDRAWN = "withdrawn", "已撤回"


class Escalation(models.TextChoices):
    NONE = "none", "无"
    PENDING = "pending", "上级审核中"
    REJECTED = "rejected", "上级未通过"


#: States in which an item may still be changed by its author.
EDITABLE = (State.DRAFT, State.REJECTED)


class Reviewable(ConcurrentTransitionMixin, models.Model):
    """A unit's item that is reviewed before release and shown to a unit's subtree (its audience).

    ``unit`` publishes it; ``review_unit`` is whose reviewers act on it now; ``audience_unit`` (with
    its path copied into ``audience_path`` for the one indexed query of ``core.audiences``) is the
    subtree that sees it once published. ConcurrentTransitionMixin adds the states read to the
    UPDATE's WHERE clause: a second writer acting on a stale state changes nothing.
    """

    unit = models.ForeignKey("adminunits.AdminUnit", on_delete=models.PROTECT, related_name="+", verbose_name="发布单位")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+", verbose_name="作者")
    state = FSMField("状态", default=State.DRAFT, choices=State.choices, protected=True, db_index=True)
    review_unit = models.ForeignKey("adminunits.AdminUnit", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", verbose_name="审核单位")
    audience_unit = models.ForeignKey("adminunits.AdminUnit", on_delete=models.PROTECT, related_name="+",
                                      verbose_name="可见范围")
    audience_path = models.CharField("发布范围路径", max_length=255, editable=False)
    escalation = FSMField("上报", default=Escalation.NONE, choices=Escalation.choices, protected=True)
    escalation_unit = models.ForeignKey("adminunits.AdminUnit", null=True, blank=True, on_delete=models.PROTECT,
                                        related_name="+", verbose_name="上报至")
    publish_at = models.DateTimeField("定时发布", null=True, blank=True)
    published_at = models.DateTimeField("发布时间", null=True, blank=True)
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    rejection_reason = models.CharField("退回原因", max_length=500, blank=True)
    withdrawal_reason = models.CharField("撤回原因", max_length=500, blank=True)
    escalation_reason = models.CharField("上报退回原因", max_length=500, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.audience_unit_id is None and self.unit_id is not None:
            self.audience_unit = self.unit
        if self.audience_unit_id is not None and not self.audience_path:
            self.audience_path = self.audience_unit.path
        super().save(*args, **kwargs)

    # -- conditions --------------------------------------------------------------------------
    def _may_escalate(self: Any) -> bool:
        from core.levels import Level

        parent = self.audience_unit.parent if self.audience_unit_id else None
        return self.state in (State.APPROVED, State.PUBLISHED) and parent is not None and parent.level >= Level.DISTRICT

    def _escalation_open(self: Any) -> bool:
        return self.state in (State.APPROVED, State.PUBLISHED)

    # -- the review machine ------------------------------------------------------------------
    @transition(field=state, source=[State.DRAFT, State.REJECTED], target=State.SUBMITTED)
    def submit(self) -> None:
        self.review_unit = self.unit
        self.rejection_reason = ""

    @transition(field=state, source=State.SUBMITTED, target=State.APPROVED)
    def approve(self) -> None:
        pass

    @transition(field=state, source=State.SUBMITTED, target=State.REJECTED)
    def reject(self, reason: str) -> None:
        self.rejection_reason = reason

    @transition(field=state, source=State.APPROVED, target=State.PUBLISHED)
    def publish(self, at: Any) -> None:
        # A future publish_at is a scheduled publication: published, shown from that moment on.
        self.published_at = self.publish_at if self.publish_at and self.publish_at > at else at

    @transition(field=state, source=[State.APPROVED, State.PUBLISHED], target=State.WITHDRAWN)
    def withdraw(self, reason: str) -> None:
        self.withdrawal_reason = reason

    # -- the escalation machine --------------------------------------------------------------
    @transition(field=escalation, source=[Escalation.NONE, Escalation.REJECTED], target=Escalation.PENDING,
                conditions=[_may_escalate])
    def request_escalation(self) -> None:
        self.escalation_unit = self.audience_unit.parent
        self.escalation_reason = ""

    @transition(field=escalation, source=Escalation.PENDING, target=Escalation.NONE, conditions=[_escalation_open])
    def approve_escalation(self) -> None:
        target = self.escalation_unit
        assert target is not None  # set by request_escalation, which is the only way to PENDING
        self.audience_unit = target
        self.audience_path = target.path
        self.escalation_unit = None

    @transition(field=escalation, source=Escalation.PENDING, target=Escalation.REJECTED)
    def reject_escalation(self, reason: str) -> None:
        self.escalation_reason = reason
        self.escalation_unit = None

    @transition(field=escalation, source=Escalation.PENDING, target=Escalation.NONE)
    def cancel_escalation(self) -> None:
        self.escalation_unit = None

class WorkflowEventQuerySet(ScopedQuerySet):
    scope_path_lookup = "unit_path"


class WorkflowEvent(models.Model):
    """One transition of one reviewable item: the timeline shown to staff (who, when, from, to, why)."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    unit_path = models.CharField(max_length=255, db_index=True)  # the item's unit: scoping
    action = models.CharField(max_length=30)
    from_state = models.CharField(max_length=20, blank=True)
    to_state = models.CharField(max_length=20, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    actor_name = models.CharField(max_length=150, blank=True)
    at = models.DateTimeField(auto_now_add=True)
    reason = models.CharField(max_length=500, blank=True)
    details = models.JSONField(default=dict, blank=True)

    objects = WorkflowEventQuerySet.as_manager()

    class Meta:
        ordering = ["at", "id"]
        verbose_name = "流程记录"
        verbose_name_plural = "流程记录"
        indexes = [models.Index(fields=["content_type", "object_id", "at"], name="workflowevent_item")]

    def __str__(self) -> str:
        return f"{self.action} {self.from_state}→{self.to_state}"
