from __future__ import annotations

from typing import Any

from core.fields import GeoFeatureInput, GeometryField
from rest_framework import serializers
from rest_framework_gis.serializers import GeoFeatureModelSerializer

from boundaries.models import AdminUnit

from ..models import PLACE_MODELS


def serializer_for(kind: str) -> type[GeoFeatureModelSerializer]:
    model = PLACE_MODELS[kind]
    extra = [f for f in ("opening_hours", "credit_code", "starts_at", "ends_at") if hasattr(model, f)]

    class PlaceSerializer(GeoFeatureInput, GeoFeatureModelSerializer):
        unit = serializers.PrimaryKeyRelatedField(queryset=AdminUnit.objects.all())
        geom = GeometryField(geom_type="Point", help_text="GeoJSON Point, EPSG:4490 lon/lat")
        unit_name = serializers.CharField(source="unit.name", read_only=True)
        kind = serializers.SerializerMethodField()

        class Meta:
            model = PLACE_MODELS[kind]
            geo_field = "geom"
            fields = ["id", "kind", "name", "category", "address", "unit", "unit_name", "geom", *extra,
                      "updated_at"]
            read_only_fields = ["id", "updated_at"]

        def get_kind(self, obj: Any) -> str:
            return kind

    PlaceSerializer.__name__ = f"{model.__name__}Serializer"
    return PlaceSerializer
