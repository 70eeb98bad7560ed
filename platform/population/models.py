"""The population record: people, households, moves between pools and houses.

One table holds the city-wide record (市级人口库); a person's ``pool`` is the community whose
population pool (人口池) they are in, NULL when they are only in the city record. ID numbers and
phones are never stored in clear (population.crypto): an AES-GCM ciphertext for display after a
reveal, and a keyed HMAC for exact lookup and uniqueness. Birth date, sex and the region part of
the ID number are derived, non-identifying columns kept for statistics.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from core.scoping import ScopedQuerySet, scope_path
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.db import models

from boundaries.levels import Level

from . import crypto, ids
from .codes import (
    ETHNICITY_CHOICES,
    POLITICAL_CHOICES,
    RELATION_CHOICES,
    EventKind,
    HouseRelation,
    PersonStatus,
    Sex,
    TransferStatus,
)

if TYPE_CHECKING:
    from core.types import AnyUser


class HouseholdQuerySet(ScopedQuerySet):
    scope_path_lookup = "unit__path"


class Household(models.Model):
    """A household (户): people registered together, with one head."""

    number = models.CharField("户号", max_length=30, unique=True)
    unit = models.ForeignKey(
        "adminunits.AdminUnit", null=True, blank=True, on_delete=models.PROTECT, related_name="households",
        limit_choices_to={"level": Level.COMMUNITY}, verbose_name="单位"
    )
    house = models.ForeignKey("adminunits.House", null=True, blank=True, on_delete=models.SET_NULL, related_name="households", verbose_name="房屋")
    created_at = models.DateTimeField(auto_now_add=True, verbose_name="创建时间")

    objects = HouseholdQuerySet.as_manager()

    class Meta:
        verbose_name = "户"
        verbose_name_plural = "户"

    def __str__(self) -> str:
        return f"户{self.number}"


class PersonQuerySet(ScopedQuerySet):
    # A person belongs to the jurisdiction of the community whose pool holds them. People only in
    # the city record are reached through the transfer-in search (services.search_city_record).
    scope_path_lookup = "pool__path"

    def visible_to(self, user: AnyUser, within: Any = None) -> PersonQuerySet:
        """Same rule as ScopedQuerySet (pool path under the user's unit), with the pools resolved
        first: ``pool_id = ANY(ids)`` lets the planner use real statistics on 2.2 M rows, where
        ``path LIKE`` through a join was badly misestimated (seconds instead of milliseconds).
        ``within`` (a unit) narrows the pools to those on that unit's branch, e.g. the one
        community of a building, so the building view does not send 412 pool ids."""
        prefix = scope_path(user)
        if prefix is None:
            return self.none()
        if prefix == "" and within is None:
            return self
        return self.in_subtree(prefix, within)

    def in_subtree(self, path: str, within: Any = None) -> PersonQuerySet:
        from boundaries.models import AdminUnit

        pools = AdminUnit.objects.filter(level=Level.COMMUNITY, path__startswith=path)
        if within is not None:
            pools = pools.filter(models.Q(path__startswith=within.path) | models.Q(code__in=within.ancestor_codes))
        return self.filter(pool_id__in=list(pools.values_list("id", flat=True)))

    def with_id_number(self, number: str) -> PersonQuerySet:
        return self.filter(id_hash=crypto.id_hash(number))

    def with_phone(self, phone: str) -> PersonQuerySet:
        return self.filter(phone_hash=crypto.phone_hash(phone))


class Person(models.Model):
    name = models.CharField("姓名", max_length=50)
    id_hash = models.BinaryField(unique=True, editable=False, verbose_name="身份证号摘要")
    id_cipher = models.BinaryField(editable=False, verbose_name="身份证号密文")
    region_code = models.CharField("身份证地区码", max_length=6, editable=False)
    birth_date = models.DateField("出生日期", editable=False)
    sex = models.CharField("性别", max_length=1, choices=Sex.choices, editable=False)
    ethnicity = models.CharField("民族", max_length=2, choices=ETHNICITY_CHOICES, default="01")
    phone_hash = models.BinaryField(null=True, blank=True, editable=False, verbose_name="手机号摘要")
    phone_cipher = models.BinaryField(null=True, blank=True, editable=False, verbose_name="手机号密文")
    # Masked display forms (ids.mask_id / ids.mask_phone), written with the ciphertext by every
    # writer (set_id_number/set_phone, the COPY import, the demo generator) so that lists, the
    # building view and masked exports never decrypt. They hold only what every list shows anyway.
    id_masked = models.CharField("脱敏身份证号", max_length=18, default="", editable=False)
    phone_masked = models.CharField("脱敏电话", max_length=16, blank=True, default="", editable=False)
    # 户籍地: locked for community staff; only the city-record import changes it.
    hukou_code = models.CharField("户籍地区划代码", max_length=12, blank=True)
    hukou_address = models.CharField("户籍地址", max_length=200, blank=True)
    pool = models.ForeignKey(
        "adminunits.AdminUnit", null=True, blank=True, on_delete=models.PROTECT, related_name="pool_people",
        limit_choices_to={"level": Level.COMMUNITY}, verbose_name="所属人口池",
    )
    status = models.CharField(max_length=20, choices=PersonStatus.choices, default=PersonStatus.ACTIVE, verbose_name="状态")
    house = models.ForeignKey(
        "adminunits.House", null=True, blank=True, on_delete=models.SET_NULL, related_name="residents",
        verbose_name="居住房屋",
    )
    house_relation = models.CharField("与房屋关系", max_length=20, choices=HouseRelation.choices, blank=True)
    household = models.ForeignKey(Household, null=True, blank=True, on_delete=models.SET_NULL, related_name="members", verbose_name="户")
    relation_to_head = models.CharField("与户主关系", max_length=2, choices=RELATION_CHOICES, blank=True)
    political_status = models.CharField("政治面貌", max_length=2, choices=POLITICAL_CHOICES, default="13")
    tags = ArrayField(models.CharField(max_length=40), default=list, blank=True, verbose_name="标签")
    added_by_community = models.BooleanField("新增居住人口", default=False)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name="创建时间")
    updated_at = models.DateTimeField(auto_now=True, verbose_name="更新时间")

    objects = PersonQuerySet.as_manager()

    class Meta:
        verbose_name = "人员"
        verbose_name_plural = "人员"
        indexes = [
            GinIndex(fields=["name"], name="person_name_trgm", opclasses=["gin_trgm_ops"]),
            models.Index(fields=["name"], name="person_name_prefix", opclasses=["varchar_pattern_ops"]),
            GinIndex(fields=["hukou_address"], name="person_hukou_addr_trgm", opclasses=["gin_trgm_ops"]),
            GinIndex(fields=["tags"], name="person_tags"),
            models.Index(fields=["name", "id"], name="person_name_id"),
            # Covering index for the statistics (index-only scans: the heap rows are wide with ciphertexts).
            models.Index(fields=["pool"], name="person_stats_cover", include=[
                "birth_date", "sex", "status", "house", "household", "hukou_code", "tags"]),
            models.Index(fields=["phone_hash"], name="person_phone_hash"),
            # Covering index for 以房找人 (a building's residents, services.building_residents): an
            # index-only scan by house instead of 800 heap pages for a tower. Only placed people.
            models.Index(fields=["house", "pool"], name="person_house_residents", include=[
                "id", "relation_to_head", "name", "id_masked", "phone_masked", "sex", "birth_date",
                "house_relation", "household", "tags"], condition=models.Q(house__isnull=False)),
        ]

    def __str__(self) -> str:
        # Name only: str() ends up in audit object_repr and admin lists, never the ID number.
        return self.name

    # -- personal data, decrypted on demand (reveal, full export only) -------------------------
    @property
    def id_number(self) -> str:
        return crypto.decrypt(self.id_cipher)

    @property
    def phone(self) -> str:
        return crypto.decrypt(self.phone_cipher)

    def set_id_number(self, raw: str) -> ids.ResidentId:
        rid = ids.parse_id(raw)
        self.id_hash = crypto.id_hash(rid.number)
        self.id_cipher = crypto.encrypt(rid.number)
        self.id_masked = ids.mask_id(rid.number)
        self.region_code = rid.region_code
        self.birth_date = rid.birth_date
        self.sex = rid.sex
        return rid

    def set_phone(self, raw: str | None) -> None:
        if not raw:
            self.phone_hash = self.phone_cipher = None
            self.phone_masked = ""
            return
        phone = ids.normalise_phone(raw)
        self.phone_hash = crypto.phone_hash(phone)
        self.phone_cipher = crypto.encrypt(phone)
        self.phone_masked = ids.mask_phone(phone)

    @property
    def unit_path(self) -> str:
        return self.pool.path if self.pool is not None else ""


class PersonEvent(models.Model):
    """Every move of a person (pool or house) and every change to the locked fields: who, when, why."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="events", verbose_name="人员")
    kind = models.CharField(max_length=30, choices=EventKind.choices, verbose_name="类型")
    at = models.DateTimeField(auto_now_add=True, db_index=True, verbose_name="时间")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, verbose_name="操作人")
    actor_name = models.CharField(max_length=150, blank=True, verbose_name="操作人姓名")
    reason = models.CharField(max_length=500, blank=True, verbose_name="理由")
    from_pool = models.ForeignKey("adminunits.AdminUnit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name="转出人口库")
    to_pool = models.ForeignKey("adminunits.AdminUnit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name="转入人口库")
    from_house = models.ForeignKey("adminunits.House", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name="原房屋")
    to_house = models.ForeignKey("adminunits.House", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name="新房屋")
    house_relation = models.CharField(max_length=20, choices=HouseRelation.choices, blank=True, verbose_name="与房屋关系")

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = "人员变动"
        verbose_name_plural = "人员变动"
        indexes = [models.Index(fields=["person", "at"], name="personevent_person_at")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d}"


class TransferQuerySet(ScopedQuerySet):
    scope_path_lookup = "to_pool__path"


class Transfer(models.Model):
    """A transfer out of one pool to another community (居住人口转出 → 对方转入待接收)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="transfers", verbose_name="人员")
    from_pool = models.ForeignKey("adminunits.AdminUnit", on_delete=models.PROTECT, related_name="+", verbose_name="转出人口库")
    to_pool = models.ForeignKey("adminunits.AdminUnit", on_delete=models.PROTECT, related_name="incoming_transfers", verbose_name="转入人口库")
    status = models.CharField(max_length=20, choices=TransferStatus.choices, default=TransferStatus.PENDING, verbose_name="状态")
    reason = models.CharField(max_length=500, verbose_name="理由")
    created_at = models.DateTimeField(auto_now_add=True, verbose_name="创建时间")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name="创建人")
    decided_at = models.DateTimeField(null=True, blank=True, verbose_name="处理时间")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name="处理人")

    objects = TransferQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "转移"
        verbose_name_plural = "转移"
        constraints = [
            # At most one open transfer per person: the person cannot be in two pools' queues.
            models.UniqueConstraint(
                fields=["person"], condition=models.Q(status="pending"), name="transfer_one_pending_per_person"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} → {self.to_pool.name}"


class BuildingResidents(models.Model):
    """Residents per building, kept by a statement-level trigger on population_person (migration 0002).

    The map's building tiles join this table (building_id = adminunits_adminunit.id) instead of
    counting 2.2 M people per tile. Aggregates only: no personal data.
    """

    building = models.OneToOneField("adminunits.AdminUnit", primary_key=True, on_delete=models.CASCADE, related_name="+", verbose_name="楼栋")
    residents = models.IntegerField(default=0, verbose_name="居住人数")

    class Meta:
        verbose_name = "楼栋居住人数"
        verbose_name_plural = "楼栋居住人数"

    def __str__(self) -> str:
        return f"{self.building_id}: {self.residents}"
