"""The administrative tree: one table of units from the city root down to buildings, and houses.

``geom`` is the source boundary in CGCS2000 (EPSG:4490). ``geom_3857`` (the tiles' indexed copy)
and ``area_m2`` (computed in the unit's CGCS2000 Gauss-Krüger zone) are maintained by a database
trigger (migration 0002), so every writer — ORM, raw SQL, bulk import — keeps them in step.
"""
from __future__ import annotations

from typing import Any

from core.scoping import ScopedQuerySet
from django.contrib.gis.db import models

from .crs import STORAGE_SRID, WEB_MERCATOR_SRID
from .levels import BuildingUse, Kind, Level

PATH_SEPARATOR = "/"


class AdminUnitQuerySet(ScopedQuerySet):
    scope_path_lookup = "path"

    def subtree(self, unit: AdminUnit, include_self: bool = True) -> AdminUnitQuerySet:
        qs = self.filter(path__startswith=unit.path)
        return qs if include_self else qs.exclude(pk=unit.pk)

    def ancestors_of(self, unit: AdminUnit) -> AdminUnitQuerySet:
        return self.filter(code__in=unit.ancestor_codes).order_by("level")


class AdminUnit(models.Model):
    level = models.PositiveSmallIntegerField(choices=Level.choices, db_index=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    code = models.CharField(max_length=24, unique=True)
    name = models.CharField(max_length=100)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    # Codes of the ancestors and self, each followed by "/": subtree = one prefix match on an index.
    path = models.CharField(max_length=255, unique=True, editable=False)
    geom = models.MultiPolygonField(srid=STORAGE_SRID, null=True, blank=True)
    geom_3857 = models.MultiPolygonField(srid=WEB_MERCATOR_SRID, null=True, blank=True, editable=False)
    area_m2 = models.FloatField(null=True, blank=True, editable=False)
    # Boundary generation: incremented on every boundary change (history keeps each one).
    boundary_version = models.PositiveIntegerField(default=1, editable=False)
    # Buildings (level 5) only.
    floors = models.PositiveSmallIntegerField(null=True, blank=True)
    height_m = models.FloatField(null=True, blank=True)
    building_use = models.CharField(max_length=20, choices=BuildingUse.choices, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AdminUnitQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = "行政单元"
        verbose_name_plural = "行政单元"
        indexes = [
            models.Index(fields=["path"], name="adminunit_path_prefix", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["parent", "level"], name="adminunit_parent_level"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(level__lte=5), name="adminunit_level_range"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"

    @property
    def ancestor_codes(self) -> list[str]:
        return self.path.strip(PATH_SEPARATOR).split(PATH_SEPARATOR)[:-1]

    def compute_path(self) -> str:
        prefix = self.parent.path if self.parent is not None else ""
        return f"{prefix}{self.code}{PATH_SEPARATOR}"

    def is_within(self, other: AdminUnit) -> bool:
        """True if self is ``other`` or in its subtree."""
        return self.path.startswith(other.path)

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.path = self.compute_path()
        super().save(*args, **kwargs)


class CommitteeRecord(models.Model):
    """Basic record of a community's committee (村民委员会 / 社区居民委员会)."""

    unit = models.OneToOneField(AdminUnit, on_delete=models.CASCADE, related_name="committee")
    name = models.CharField(max_length=100)
    address = models.CharField(max_length=200, blank=True)
    phone = models.CharField(max_length=30, blank=True)
    members = models.JSONField(default=list, blank=True, help_text='[{"name": "...", "post": "主任"}]')

    objects = ScopedQuerySet.as_manager()  # scoped by unit__path, the default

    class Meta:
        verbose_name = "村(居)委会"
        verbose_name_plural = "村(居)委会"

    def __str__(self) -> str:
        return self.name


class HouseQuerySet(ScopedQuerySet):
    scope_path_lookup = "building__path"


class House(models.Model):
    """A dwelling (户室) in a building: entrance (单元), floor and room number."""

    building = models.ForeignKey(
        AdminUnit, on_delete=models.CASCADE, related_name="houses", limit_choices_to={"level": Level.BUILDING}
    )
    entrance = models.CharField("单元", max_length=10, default="1")
    floor = models.SmallIntegerField("楼层")
    room = models.CharField("室号", max_length=10)
    area_m2 = models.FloatField("建筑面积", null=True, blank=True)

    objects = HouseQuerySet.as_manager()

    class Meta:
        ordering = ["building", "entrance", "floor", "room"]
        verbose_name = "房屋"
        verbose_name_plural = "房屋"
        constraints = [
            models.UniqueConstraint(fields=["building", "entrance", "floor", "room"], name="house_unique_address"),
        ]

    def __str__(self) -> str:
        return f"{self.building.name}{self.entrance}单元{self.room}室"


class VersionOperation(models.TextChoices):
    BASELINE = "baseline", "初始边界"
    CREATE = "create", "新建"
    RESHAPE = "reshape", "修改边界"
    RESTORE = "restore", "恢复历史版本"
    FOLLOW_PARENT = "follow_parent", "随上级边界调整"
    NODE = "node", "共享边补充节点"
    IMPORT = "import", "文件导入"


class BoundaryVersion(models.Model):
    """One generation of a unit's boundary: who, when, why, how.

    ``version`` equals ``AdminUnit.boundary_version`` at the time it was current. A unit loaded
    before history existed gets a "baseline" version (its geometry then) on its first change.
    """

    unit = models.ForeignKey(AdminUnit, on_delete=models.CASCADE, related_name="boundary_versions")
    version = models.PositiveIntegerField()
    geom = models.MultiPolygonField(srid=STORAGE_SRID, null=True, blank=True)
    area_m2 = models.FloatField(null=True, blank=True)
    author = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="boundary_versions"
    )
    author_name = models.CharField(max_length=150, blank=True)
    at = models.DateTimeField(db_index=True)
    reason = models.CharField(max_length=500, blank=True)
    operation = models.CharField(max_length=20, choices=VersionOperation.choices)
    # The pipeline report of the save that produced this version (areas, snapping, gaps...).
    report = models.JSONField(default=dict, blank=True)

    objects = ScopedQuerySet.as_manager()  # scoped by unit__path, the default

    class Meta:
        ordering = ["unit", "-version"]
        verbose_name = "边界版本"
        verbose_name_plural = "边界版本"
        constraints = [models.UniqueConstraint(fields=["unit", "version"], name="boundaryversion_unique")]
        indexes = [models.Index(fields=["unit", "at"], name="boundaryversion_unit_at")]

    def __str__(self) -> str:
        return f"{self.unit_id} v{self.version}"
