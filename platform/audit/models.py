from __future__ import annotations

from core.scoping import ScopedQuerySet
from django.conf import settings
from django.db import models


class Action(models.TextChoices):
    CREATE = "create", "新增"
    UPDATE = "update", "修改"
    DELETE = "delete", "删除"
    REVEAL = "reveal", "查看完整个人信息"
    EXPORT = "export", "导出"
    LOGIN_FAILED = "login_failed", "登录失败"
    PII_SEARCH = "pii_search", "按身份证号或电话查询"


class AuditEventQuerySet(ScopedQuerySet):
    scope_path_lookup = "unit_path"


class AuditEvent(models.Model):
    """One recorded action. Values in before/after are already masked where personal."""

    at = models.DateTimeField(auto_now_add=True, db_index=True, verbose_name="时间")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, verbose_name="操作人")
    actor_name = models.CharField(max_length=150, blank=True, verbose_name="操作人姓名")
    ip = models.GenericIPAddressField(null=True, blank=True, verbose_name="IP 地址")
    action = models.CharField(max_length=20, choices=Action.choices, verbose_name="操作")
    model = models.CharField(max_length=100, verbose_name="对象类型")
    object_id = models.CharField(max_length=64, blank=True, verbose_name="对象编号")
    object_repr = models.CharField(max_length=200, blank=True, verbose_name="对象")
    # Path of the unit the object belongs to: administrators of that unit and above read the event.
    unit_path = models.CharField(max_length=255, blank=True, db_index=True, verbose_name="单位路径")
    before = models.JSONField(null=True, blank=True, verbose_name="修改前")
    after = models.JSONField(null=True, blank=True, verbose_name="修改后")
    reason = models.CharField(max_length=500, blank=True, verbose_name="理由")

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = "审计事件"
        verbose_name_plural = "审计事件"
        indexes = [models.Index(fields=["model", "object_id"], name="audit_object")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.get_action_display()} {self.object_repr}"
