"""Notices to people: in-app messages (站内消息) per account, and the SMS outbox.

A ``Notice`` is one thing said to many people (its subject, body, link, who sent it, for which
unit). Each account gets a ``Message`` (read/unread); each phone gets one ``SmsMessage`` row in the
outbox, which a job sends with retries. Phones are stored as the population record stores them
(core.crypto: ciphertext, keyed hash, masked form), never in clear; the log shows masked phones.
"""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from ..scoping import ScopedQuerySet


class NoticeQuerySet(ScopedQuerySet):
    scope_path_lookup = "unit__path"


class Notice(models.Model):
    key = models.CharField("去重键", max_length=200, unique=True)
    subject = models.CharField("标题", max_length=200)
    body = models.TextField("内容")
    link = models.CharField("链接", max_length=500, blank=True)
    sms = models.BooleanField("发送短信", default=False)
    sender = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+", verbose_name="发送人")
    unit = models.ForeignKey("adminunits.AdminUnit", null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+", verbose_name="单位")
    job = models.ForeignKey("core.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name="后台任务")
    created_at = models.DateTimeField(auto_now_add=True, verbose_name="创建时间")

    objects = NoticeQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "通知"
        verbose_name_plural = "通知"

    def __str__(self) -> str:
        return self.subject


class Message(models.Model):
    """An in-app message (站内消息) to one account."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="messages", verbose_name="通知")
    account = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="messages", verbose_name="账号")
    created_at = models.DateTimeField(auto_now_add=True, verbose_name="创建时间")
    read_at = models.DateTimeField(null=True, blank=True, verbose_name="阅读时间")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "站内消息"
        verbose_name_plural = "站内消息"
        constraints = [models.UniqueConstraint(fields=["notice", "account"], name="message_once_per_account")]
        indexes = [
            models.Index(fields=["account", "-created_at"], name="message_account_recent"),
            models.Index(fields=["account"], name="message_account_unread", condition=Q(read_at__isnull=True)),
        ]

    def __str__(self) -> str:
        return f"{self.account_id}: {self.notice_id}"


class SmsStatus(models.TextChoices):
    PENDING = "pending", "待发送"
    SENDING = "sending", "发送中"
    SENT = "sent", "已发送"
    FAILED = "failed", "发送失败"
    CAPPED = "capped", "超出每日上限"
    UNKNOWN = "unknown", "结果未知（未重发）"


class SmsMessage(models.Model):
    """One SMS to one phone in the outbox. Sent at most once: a row found "sending" after its job
    died is marked "unknown" rather than sent again."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="sms_messages", verbose_name="通知")
    phone_hash = models.BinaryField(editable=False, verbose_name="手机号摘要")
    phone_cipher = models.BinaryField(editable=False, verbose_name="手机号密文")
    phone_masked = models.CharField("脱敏号码", max_length=16)
    person_ref = models.CharField("人员", max_length=64, blank=True)  # "population.person:123"
    text = models.TextField("短信内容")
    status = models.CharField("状态", max_length=10, choices=SmsStatus.choices, default=SmsStatus.PENDING)
    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)
    next_attempt_at = models.DateTimeField(auto_now_add=True, verbose_name="下次发送时间")
    last_error = models.CharField("最后错误", max_length=300, blank=True)
    provider_id = models.CharField("服务商消息号", max_length=100, blank=True)
    claimed_job = models.ForeignKey("core.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name="领取任务")
    claimed_attempt = models.PositiveIntegerField(default=0, verbose_name="领取次数")
    created_at = models.DateTimeField(auto_now_add=True, verbose_name="创建时间")
    sent_at = models.DateTimeField(null=True, blank=True, verbose_name="发送时间")

    class Meta:
        ordering = ["id"]
        verbose_name = "短信"
        verbose_name_plural = "短信发件箱"
        constraints = [models.UniqueConstraint(fields=["notice", "phone_hash"], name="sms_once_per_phone")]
        indexes = [
            models.Index(fields=["notice", "status", "next_attempt_at"], name="sms_due"),
            models.Index(fields=["phone_hash", "created_at"], name="sms_phone_day"),
        ]

    def __str__(self) -> str:
        return f"{self.phone_masked} {self.get_status_display()}"


class SmsOptOut(models.Model):
    """A phone or a person that asked for no more SMS (退订). Either field identifies them."""

    phone_hash = models.BinaryField(null=True, blank=True, unique=True, editable=False, verbose_name="手机号摘要")
    phone_masked = models.CharField("脱敏号码", max_length=16, blank=True)
    person_ref = models.CharField("人员", max_length=64, blank=True, db_index=True)
    reason = models.CharField("原因", max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name="创建人")
    created_at = models.DateTimeField(auto_now_add=True, verbose_name="创建时间")

    class Meta:
        verbose_name = "短信退订"
        verbose_name_plural = "短信退订"
        constraints = [
            models.CheckConstraint(condition=Q(phone_hash__isnull=False) | ~Q(person_ref=""), name="optout_identifies"),
        ]

    def __str__(self) -> str:
        return self.phone_masked or self.person_ref
