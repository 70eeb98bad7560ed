"""Serializer pieces every module's API shares: geometry fields that check what they receive.

``GeometryField(geom_type="Point")`` accepts GeoJSON (an object or its text, as a multipart form
sends it) or WKT of exactly that type, non-empty, with finite coordinates; anything else is a 400
naming the expected type. ``GeoFeatureInput`` makes a GeoJSON-Feature serializer refuse a body that
is not an object, or a Feature whose ``properties`` is not an object, instead of failing on it.
"""
from __future__ import annotations

import math
from typing import Any

from django.contrib.gis.geos import GEOSGeometry
from rest_framework import serializers
from rest_framework_gis import fields as gis_fields

GEOMETRY_LABELS = {
    "POINT": "点", "LINESTRING": "线", "POLYGON": "面", "MULTIPOINT": "多点", "MULTILINESTRING": "多线",
    "MULTIPOLYGON": "多面", "GEOMETRYCOLLECTION": "几何集合",
}


class GeometryField(gis_fields.GeometryField):
    default_error_messages = {
        "invalid_geometry": "几何数据无效：应为 GeoJSON 或 WKT。",
        "geometry_type": "几何类型应为{expected}，收到的是{got}。",
        "geometry_empty": "几何数据为空。",
        "geometry_not_finite": "坐标必须是有限的数字。",
    }

    def __init__(self, *, geom_type: str = "GEOMETRY", **kwargs: Any) -> None:
        self.geom_type = geom_type.upper()
        super().__init__(**kwargs)

    def to_internal_value(self, value: Any) -> Any:
        if not isinstance(value, dict | str | GEOSGeometry):
            self.fail("invalid_geometry")
        try:
            geom = super().to_internal_value(value)
        except serializers.ValidationError:
            self.fail("invalid_geometry")
        if not isinstance(geom, GEOSGeometry):
            return geom  # "" or None: required/allow_null decide
        if self.geom_type != "GEOMETRY" and geom.geom_type.upper() != self.geom_type:
            self.fail("geometry_type", expected=GEOMETRY_LABELS.get(self.geom_type, self.geom_type),
                      got=GEOMETRY_LABELS.get(geom.geom_type.upper(), geom.geom_type))
        if geom.empty:
            self.fail("geometry_empty")
        if not all(math.isfinite(v) for v in geom.extent):
            self.fail("geometry_not_finite")
        return geom


class GeoFeatureInput:
    """Mix into a ``GeoFeatureModelSerializer`` (before it) to validate the Feature's shape first."""

    def to_internal_value(self, data: Any) -> Any:
        if not isinstance(data, dict) and not hasattr(data, "getlist"):
            raise serializers.ValidationError({"non_field_errors": ["请求内容应为 JSON 对象（GeoJSON Feature）。"]})
        if "properties" in data and not isinstance(data["properties"], dict):
            raise serializers.ValidationError({"properties": ["properties 应为对象。"]})
        return super().to_internal_value(data)  # type: ignore[misc]
