"""Serializers: masked by default. Full values only come out of the reveal endpoint."""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from core import roles
from core.scoping import in_scope
from rest_framework import serializers

from boundaries.models import House

from .. import ids
from ..codes import ETHNICITIES, POLITICAL_STATUS, RELATIONS_TO_HEAD, HouseRelation, Tag
from ..models import Person, PersonEvent, Transfer


def house_label(house: House) -> str:
    return f"{house.entrance}单元{house.room}室"


def may_reveal(context: Mapping[str, Any]) -> bool:
    """Whether the reader (``context["user"]``) may see a person's exact age; without a user, no."""
    return roles.can_reveal(context.get("user"))


def age_fields(birth: dt.date, exact: bool, today: dt.date | None = None) -> dict[str, Any]:
    """What a reader learns of a birth date (docs/privacy.md): an age band always, the exact age
    only if the reader may reveal the ID number anyway."""
    today = today or dt.date.today()
    return {"age": ids.age_on(birth, today) if exact else None, "age_band": ids.age_band(birth, today)}


class PersonSerializer(serializers.ModelSerializer):
    id_number = serializers.SerializerMethodField(help_text="脱敏身份证号，如 500112********1234")
    phone = serializers.SerializerMethodField(help_text="脱敏电话，如 138****5678")
    hukou_address = serializers.SerializerMethodField()
    age = serializers.SerializerMethodField(help_text="周岁；仅可查看完整信息的角色（工作人员、管理员）可见，其他角色为 null")
    age_band = serializers.SerializerMethodField(help_text="年龄段，如 30-39岁")
    sex_label = serializers.CharField(source="get_sex_display", read_only=True)
    ethnicity_label = serializers.SerializerMethodField()
    political_status_label = serializers.SerializerMethodField()
    relation_to_head_label = serializers.SerializerMethodField()
    house_relation_label = serializers.CharField(source="get_house_relation_display", read_only=True)
    tag_labels = serializers.SerializerMethodField()
    pool = serializers.SerializerMethodField()
    residence = serializers.SerializerMethodField()
    household_number = serializers.CharField(source="household.number", default=None, read_only=True)

    class Meta:
        model = Person
        fields = [
            "id", "name", "id_number", "sex", "sex_label", "age", "age_band", "ethnicity", "ethnicity_label", "phone",
            "hukou_code", "hukou_address", "pool", "status", "residence", "house_relation", "house_relation_label",
            "household", "household_number", "relation_to_head", "relation_to_head_label", "political_status",
            "political_status_label", "tags", "tag_labels", "added_by_community",
        ]
        read_only_fields = fields

    def get_id_number(self, p: Person) -> str:
        return p.id_masked

    def get_phone(self, p: Person) -> str:
        return p.phone_masked

    def get_hukou_address(self, p: Person) -> str:
        return ids.mask_address(p.hukou_address)

    def get_age(self, p: Person) -> int | None:
        return ids.age_on(p.birth_date, dt.date.today()) if may_reveal(self.context) else None

    def get_age_band(self, p: Person) -> str:
        return ids.age_band(p.birth_date, dt.date.today())

    def get_ethnicity_label(self, p: Person) -> str:
        return ETHNICITIES.get(p.ethnicity, "")

    def get_political_status_label(self, p: Person) -> str:
        return POLITICAL_STATUS.get(p.political_status, "")

    def get_relation_to_head_label(self, p: Person) -> str:
        return RELATIONS_TO_HEAD.get(p.relation_to_head, "")

    def get_tag_labels(self, p: Person) -> list[str]:
        return [Tag(t).label for t in p.tags if t in Tag.values]

    def get_pool(self, p: Person) -> dict[str, Any] | None:
        return {"id": p.pool_id, "code": p.pool.code, "name": p.pool.name} if p.pool is not None else None

    def get_residence(self, p: Person) -> dict[str, Any] | None:
        """House → building → neighbourhood (从人找房)."""
        h = p.house
        if h is None:
            return None
        b = h.building
        out: dict[str, Any] = {
            "house": {"id": h.pk, "label": house_label(h), "floor": h.floor},
            "building": {"id": b.pk, "code": b.code, "name": b.name},
        }
        if self.context.get("detail") and (n := b.parent) is not None:
            out["neighbourhood"] = {"id": n.pk, "code": n.code, "name": n.name}
        return out


class CityRecordHitSerializer(serializers.ModelSerializer):
    """Transfer-in search result: just enough to recognise the person (name, masked ID, sex, age band,
    registered region) and whether they can be taken in. The community that holds them is named only
    to readers who may see that community."""

    id_number = serializers.CharField(source="id_masked", read_only=True)
    sex_label = serializers.CharField(source="get_sex_display", read_only=True)
    age_band = serializers.SerializerMethodField()
    hukou_region = serializers.CharField(source="region_code", read_only=True)
    current_pool = serializers.SerializerMethodField()
    transferable = serializers.SerializerMethodField()

    class Meta:
        model = Person
        fields = ["id", "name", "id_number", "sex_label", "age_band", "hukou_region", "current_pool", "status",
                  "transferable"]
        read_only_fields = fields

    def get_age_band(self, p: Person) -> str:
        return ids.age_band(p.birth_date, dt.date.today())

    def get_current_pool(self, p: Person) -> str | None:
        if p.pool is None:
            return None
        return p.pool.name if in_scope(self.context.get("user"), p.pool) else "其他村（社区）"

    def get_transferable(self, p: Person) -> bool:
        return p.pool_id is None


class PersonWriteSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=50)
    id_number = serializers.CharField(max_length=20, write_only=True)
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True)
    ethnicity = serializers.ChoiceField(choices=list(ETHNICITIES), required=False)
    political_status = serializers.ChoiceField(choices=list(POLITICAL_STATUS), required=False)
    relation_to_head = serializers.ChoiceField(choices=list(RELATIONS_TO_HEAD), required=False, allow_blank=True)
    tags = serializers.ListField(child=serializers.ChoiceField(choices=Tag.values), required=False)
    hukou_code = serializers.CharField(max_length=12, required=False, allow_blank=True)
    hukou_address = serializers.CharField(max_length=200, required=False, allow_blank=True)
    pool = serializers.IntegerField(required=False)
    house = serializers.IntegerField(required=False)
    house_relation = serializers.ChoiceField(choices=HouseRelation.values, required=False)
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True)


class PersonPatchSerializer(serializers.Serializer):
    """Editable fields. Sending hukou_* or id_number is refused by the service with a clear code."""

    name = serializers.CharField(max_length=50, required=False)
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True)
    ethnicity = serializers.CharField(max_length=2, required=False)
    political_status = serializers.CharField(max_length=2, required=False)
    relation_to_head = serializers.CharField(max_length=2, required=False, allow_blank=True)
    household = serializers.IntegerField(required=False, allow_null=True)
    tags = serializers.ListField(child=serializers.CharField(max_length=40), required=False)
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True)


class SearchSerializer(serializers.Serializer):
    q = serializers.CharField(required=False, allow_blank=True, help_text="姓名（前缀匹配）")
    fuzzy = serializers.BooleanField(required=False, default=False, help_text="姓名模糊匹配（三元组相似度）")
    id_number = serializers.CharField(required=False, allow_blank=True)
    phone = serializers.CharField(required=False, allow_blank=True)
    tag = serializers.CharField(required=False, allow_blank=True)
    address = serializers.CharField(required=False, allow_blank=True)
    unit = serializers.IntegerField(required=False)
    building = serializers.IntegerField(required=False)
    house = serializers.IntegerField(required=False)
    page = serializers.IntegerField(required=False, min_value=1)
    age_min = serializers.IntegerField(required=False, min_value=0, max_value=150)
    age_max = serializers.IntegerField(required=False, min_value=0, max_value=150)
    hukou = serializers.ChoiceField(choices=["local", "other"], required=False, help_text="local 户籍在本村社区，other 非户籍")
    placed = serializers.ChoiceField(choices=["yes", "no"], required=False, help_text="是否已关联房屋")


class CitySearchSerializer(serializers.Serializer):
    id_number = serializers.CharField(required=False, allow_blank=True)
    name = serializers.CharField(required=False, allow_blank=True)


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500)


class OptionalReasonSerializer(serializers.Serializer):
    """A reason the service checks itself (``reason_required`` when it is missing)."""

    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class PlaceSerializer(serializers.Serializer):
    house = serializers.IntegerField()
    relation = serializers.ChoiceField(choices=HouseRelation.values)
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True,
                                   help_text="已住在别处的人员须填写（原住址随之离开，记入历史）")
    with_household = serializers.BooleanField(default=False, help_text="整户随之迁入")


class TransferInSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500)
    pool = serializers.IntegerField(required=False)
    house = serializers.IntegerField(required=False)
    house_relation = serializers.ChoiceField(choices=HouseRelation.values, required=False)


class TransferOutSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500)
    to_pool = serializers.IntegerField(required=False)
    out_of_city = serializers.BooleanField(default=False)


class AcceptSerializer(serializers.Serializer):
    house = serializers.IntegerField(required=False)
    house_relation = serializers.ChoiceField(choices=HouseRelation.values, required=False)


class TransferSerializer(serializers.ModelSerializer):
    person = serializers.SerializerMethodField()
    from_pool_name = serializers.CharField(source="from_pool.name", read_only=True)
    to_pool_name = serializers.CharField(source="to_pool.name", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    created_by_name = serializers.SerializerMethodField()

    class Meta:
        model = Transfer
        fields = ["id", "person", "from_pool", "from_pool_name", "to_pool", "to_pool_name", "status", "status_label",
                  "reason", "created_at", "created_by_name", "decided_at"]
        read_only_fields = fields

    def get_created_by_name(self, t: Transfer) -> str:
        u = t.created_by
        return (u.display_name or u.username) if u is not None else ""

    def get_person(self, t: Transfer) -> dict[str, Any]:
        p = t.person
        return {"id": p.pk, "name": p.name, "id_number": p.id_masked, "sex_label": p.get_sex_display(),
                "age_band": ids.age_band(p.birth_date, dt.date.today())}


class EventSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    from_pool_name = serializers.CharField(source="from_pool.name", default=None, read_only=True)
    to_pool_name = serializers.CharField(source="to_pool.name", default=None, read_only=True)
    from_house_label = serializers.SerializerMethodField()
    to_house_label = serializers.SerializerMethodField()
    actor_display = serializers.SerializerMethodField(help_text="经办人姓名（账号的显示名）")

    class Meta:
        model = PersonEvent
        fields = ["id", "kind", "kind_label", "at", "actor_name", "actor_display", "reason", "from_pool", "from_pool_name", "to_pool",
                  "to_pool_name", "from_house", "from_house_label", "to_house", "to_house_label", "house_relation"]
        read_only_fields = fields

    def get_actor_display(self, e: PersonEvent) -> str:
        if e.actor is not None:
            return e.actor.display_name or e.actor.username
        return "系统" if e.actor_name == "system" else e.actor_name

    def get_from_house_label(self, e: PersonEvent) -> str | None:
        h = e.from_house
        return f"{h.building.name}{house_label(h)}" if h is not None else None

    def get_to_house_label(self, e: PersonEvent) -> str | None:
        h = e.to_house
        return f"{h.building.name}{house_label(h)}" if h is not None else None


class ExportSerializer(serializers.Serializer):
    unit = serializers.IntegerField(required=False)
    full = serializers.BooleanField(default=False, help_text="完整导出（仅单位管理员，需填写事由）")
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True)


class ImportSerializer(serializers.Serializer):
    file = serializers.FileField()
    pool = serializers.IntegerField(required=False)
    dry_run = serializers.BooleanField(default=True)
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True)
    job = serializers.RegexField(r"^[A-Za-z0-9-]{1,64}$", required=False,
                                 help_text="客户端生成的任务号；导入进行中可轮询 import/progress/<job>/")
