"""A resident's claim to a person record in a community's population pool (我的社区).

The claim keeps only keyed hashes of the ID number and phone (core.crypto), never the values,
and the person it matched — which the resident is never told: the claim is "submitted" whether or not
a record matched, so the form cannot be used to test who lives where. Community staff see the match
(masked, as everywhere) and confirm or reject; a confirmed claim makes the community the account's unit.
"""
from __future__ import annotations

from core.scoping import ScopedQuerySet
from django.conf import settings
from django.db import models


class ClaimStatus(models.TextChoices):
    PENDING = "pending", "待确认"
    CONFIRMED = "confirmed", "已确认"
    REJECTED = "rejected", "未通过"
    CANCELLED = "cancelled", "已撤销"


class CommunityClaimQuerySet(ScopedQuerySet):
    scope_path_lookup = "community__path"


class CommunityClaim(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="community_claims", verbose_name="用户")
    community = models.ForeignKey("adminunits.AdminUnit", on_delete=models.PROTECT, related_name="+",
                                  verbose_name="社区")
    name = models.CharField("姓名", max_length=50)
    id_hash = models.BinaryField(editable=False, verbose_name="身份证号摘要")
    phone_hash = models.BinaryField(editable=False, verbose_name="手机号摘要")
    person = models.ForeignKey("population.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name="人员")
    status = models.CharField(max_length=20, choices=ClaimStatus.choices, default=ClaimStatus.PENDING, verbose_name="状态")
    created_at = models.DateTimeField(auto_now_add=True, verbose_name="创建时间")
    decided_at = models.DateTimeField(null=True, blank=True, verbose_name="处理时间")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name="处理人")
    reason = models.CharField(max_length=200, blank=True, verbose_name="理由")

    objects = CommunityClaimQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "社区绑定申请"
        verbose_name_plural = "社区绑定申请"
        constraints = [
            models.UniqueConstraint(fields=["user"], condition=models.Q(status="pending"), name="claim_one_pending"),
        ]
        indexes = [models.Index(fields=["community", "status"], name="claim_community_status")]

    def __str__(self) -> str:
        return f"{self.name} → {self.community_id}"
