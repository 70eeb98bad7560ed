"""Serializers of the read API for units, houses and committee records."""
from __future__ import annotations

from typing import Any

from rest_framework import serializers
from rest_framework_gis.serializers import GeoFeatureModelSerializer

from ..models import AdminUnit, CommitteeRecord, House

UNIT_FIELDS = ["id", "code", "name", "level", "kind", "parent", "area_m2", "floors", "height_m", "building_use",
               "boundary_version"]


class UnitFeatureSerializer(GeoFeatureModelSerializer):
    """A unit as a GeoJSON Feature; ``id`` is both the feature id and a property (MapLibre, forms)."""

    class Meta:
        model = AdminUnit
        geo_field = "geom"
        fields = [*UNIT_FIELDS, "geom"]
        read_only_fields = ["id", "area_m2", "boundary_version"]

    def get_properties(self, instance: AdminUnit, fields: Any) -> dict[str, Any]:
        props = super().get_properties(instance, fields)
        props["id"] = instance.pk
        return props


class UnitLightSerializer(UnitFeatureSerializer):
    """``?geometry=false``: the same Feature without its geometry (lists, tables, search)."""

    class Meta(UnitFeatureSerializer.Meta):
        geo_field = None  # type: ignore[assignment]  # rest_framework_gis reads None as "no geometry"
        fields = UNIT_FIELDS


class UnitRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = AdminUnit
        fields = ["id", "code", "name", "level", "kind"]


class HouseSerializer(serializers.ModelSerializer):
    building_code = serializers.CharField(source="building.code", read_only=True)
    building_name = serializers.CharField(source="building.name", read_only=True)

    class Meta:
        model = House
        fields = ["id", "building", "building_code", "building_name", "entrance", "floor", "room", "area_m2"]


class CommitteeMemberSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=50)
    post = serializers.CharField(max_length=50)


class CommitteeSerializer(serializers.ModelSerializer):
    unit_code = serializers.CharField(source="unit.code", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    members = CommitteeMemberSerializer(many=True, required=False)

    class Meta:
        model = CommitteeRecord
        fields = ["id", "unit", "unit_code", "unit_name", "name", "address", "phone", "members"]
        read_only_fields = ["unit"]

    def validate_members(self, value: list[dict[str, str]]) -> list[dict[str, str]]:
        if len(value) > 200:
            raise serializers.ValidationError("成员不超过200人。")
        # A PATCH validates partially, nested members included: check both fields here.
        out = [{"name": str(m.get("name", "")).strip(), "post": str(m.get("post", "")).strip()} for m in value]
        if any(not m["name"] or not m["post"] for m in out):
            raise serializers.ValidationError("每位成员须填写职务和姓名。")
        return out
