"""Points placed on the map: service facilities, social organisations, resident units (驻区单位)
and community events.

Each place belongs to one administrative unit (the community or town that manages it) and is
scoped through core.scoping like every other model; every change is audited (apps.py). ``geom`` is CGCS2000 (EPSG:4490);
``geom_3857`` is the tiles' indexed Web-Mercator copy, kept in step by a database trigger
(migration 0002) so raw-SQL and bulk writers cannot forget it.
"""
from __future__ import annotations

from core.scoping import ScopedQuerySet
from django.contrib.gis.db import models


class PlaceQuerySet(ScopedQuerySet):
    scope_path_lookup = "unit__path"


class Place(models.Model):
    unit = models.ForeignKey(
        "adminunits.AdminUnit", on_delete=models.PROTECT, related_name="+", verbose_name="所属单元"
    )
    name = models.CharField("名称", max_length=120)
    address = models.CharField("地址", max_length=200, blank=True)
    geom = models.PointField("位置", srid=4490)
    geom_3857 = models.PointField("位置（Web墨卡托）", srid=3857, null=True, blank=True, editable=False)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = PlaceQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Facility(Place):
    class Category(models.TextChoices):
        SERVICE_CENTRE = "service_centre", "党群服务中心"
        ELDERLY = "elderly", "养老服务"
        HEALTH = "health", "卫生服务站"
        CHILDCARE = "childcare", "托育/儿童之家"
        CULTURE = "culture", "文化活动室"
        SPORTS = "sports", "体育健身"
        POLICE = "police", "警务室"
        OTHER = "other", "其他"

    category = models.CharField("类别", max_length=20, choices=Category.choices)
    opening_hours = models.CharField("开放时间", max_length=100, blank=True)

    class Meta(Place.Meta):
        verbose_name = "服务设施"
        verbose_name_plural = "服务设施"


class SocialOrganisation(Place):
    class Category(models.TextChoices):
        SOCIAL_GROUP = "social_group", "社会团体"
        NON_PROFIT = "non_profit", "社会服务机构"
        FOUNDATION = "foundation", "基金会"
        COMMUNITY_GROUP = "community_group", "社区社会组织"

    category = models.CharField("类别", max_length=20, choices=Category.choices)
    credit_code = models.CharField("统一社会信用代码", max_length=18, blank=True)

    class Meta(Place.Meta):
        verbose_name = "社会组织"
        verbose_name_plural = "社会组织"


class ResidentUnit(Place):
    """驻区单位: agencies, schools, hospitals, enterprises based in the community."""

    class Category(models.TextChoices):
        GOVERNMENT = "government", "机关单位"
        SCHOOL = "school", "学校"
        HOSPITAL = "hospital", "医院"
        ENTERPRISE = "enterprise", "企业"
        OTHER = "other", "其他"

    category = models.CharField("类别", max_length=20, choices=Category.choices)

    class Meta(Place.Meta):
        verbose_name = "驻区单位"
        verbose_name_plural = "驻区单位"


class CommunityEvent(Place):
    class Category(models.TextChoices):
        VOLUNTEER = "volunteer", "志愿服务"
        CULTURE = "culture", "文体活动"
        MEETING = "meeting", "议事协商"
        PUBLICITY = "publicity", "政策宣传"
        OTHER = "other", "其他"

    category = models.CharField("类别", max_length=20, choices=Category.choices)
    starts_at = models.DateTimeField("开始时间")
    ends_at = models.DateTimeField("结束时间", null=True, blank=True)

    class Meta(Place.Meta):
        verbose_name = "社区活动"
        verbose_name_plural = "社区活动"
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__isnull=True) | models.Q(ends_at__gte=models.F("starts_at")),
                name="communityevent_ends_after_start",
            )
        ]


PLACE_MODELS: dict[str, type[Place]] = {
    "facility": Facility,
    "organisation": SocialOrganisation,
    "resident_unit": ResidentUnit,
    "event": CommunityEvent,
}
