"""Printable documents: the seals a unit uses (印章) and the record of every PDF the platform issued.

A ``Document`` is what ``/verify/<token>`` shows to whoever scans the QR printed on it: its kind,
unit, date and the SHA-256 of the PDF, so a paper copy can be checked against the issued file.
"""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from ..scoping import ScopedQuerySet


class SealKind(models.TextChoices):
    COMMITTEE = "committee", "村(居)民委员会印章"
    ELECTION_COMMITTEE = "election_committee", "选举委员会印章"


class SealQuerySet(ScopedQuerySet):
    scope_path_lookup = "unit__path"


class Seal(models.Model):
    """A seal image (PNG, checked and re-encoded) of a unit. One active seal per unit and kind; a
    replaced seal stays on record (documents issued with it name it)."""

    unit = models.ForeignKey("adminunits.AdminUnit", on_delete=models.PROTECT, related_name="+", verbose_name="单位")
    kind = models.CharField("印章类型", max_length=30, choices=SealKind.choices)
    image = models.FileField("印章图片", upload_to="seals/%Y/", max_length=255)
    width = models.PositiveIntegerField("宽（像素）")
    height = models.PositiveIntegerField("高（像素）")
    transparent = models.BooleanField("透明背景", default=False)
    sha256 = models.CharField(max_length=64, verbose_name="SHA-256 摘要")
    warnings = models.JSONField("提示", default=list, blank=True)
    active = models.BooleanField("启用", default=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name="上传人")
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    objects = SealQuerySet.as_manager()

    class Meta:
        ordering = ["unit", "kind", "-uploaded_at"]
        verbose_name = "印章"
        verbose_name_plural = "印章"
        constraints = [models.UniqueConstraint(fields=["unit", "kind"], condition=Q(active=True), name="seal_one_active")]

    def __str__(self) -> str:
        return f"{self.unit.name}{self.get_kind_display()}"


class DocumentQuerySet(ScopedQuerySet):
    scope_path_lookup = "unit__path"


class Document(models.Model):
    token = models.CharField(max_length=40, unique=True, verbose_name="令牌")  # unguessable: the verification URL's key
    kind = models.CharField("类型", max_length=64, db_index=True)  # "<module>.<what>", e.g. publication.finance
    title = models.CharField("标题", max_length=200)
    unit = models.ForeignKey("adminunits.AdminUnit", null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+", verbose_name="单位")
    file = models.FileField("PDF 文件", upload_to="documents/%Y/%m/", blank=True, max_length=255)
    sha256 = models.CharField("SHA-256 摘要", max_length=64, blank=True)
    pages = models.PositiveIntegerField("页数", default=0)
    size = models.PositiveIntegerField("字节数", default=0)
    seals = models.ManyToManyField(Seal, blank=True, related_name="documents", verbose_name="所用印章")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name="生成人")
    job = models.ForeignKey("core.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name="后台任务")
    created_at = models.DateTimeField("生成时间", auto_now_add=True)

    objects = DocumentQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "文书"
        verbose_name_plural = "文书"

    def __str__(self) -> str:
        return self.title

    @property
    def verify_url(self) -> str:
        return f"{settings.PUBLIC_BASE_URL}/verify/{self.token}"
