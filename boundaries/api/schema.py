"""OpenAPI schema fix for GeoJSON feature serializers (drf-spectacular's contrib extension).

The contrib extension pops the ``id`` field from the request schema, where a read-only id is
absent (COMPONENT_SPLIT_REQUEST), and cannot map ``geo_field = None`` (``?geometry=false``).
This subclass, at a higher priority, covers both; imported from boundaries.api.urls so it is
registered before the schema is generated.
"""
from __future__ import annotations

from typing import Any

from drf_spectacular.contrib.rest_framework_gis import GeoFeatureModelSerializerExtension, map_geo_field
from drf_spectacular.plumbing import build_object_type


class TolerantGeoFeatureExtension(GeoFeatureModelSerializerExtension):
    priority = 1

    def map_geo_feature_model_serializer(self, serializer: Any, base_schema: dict[str, Any]) -> dict[str, Any]:
        meta = serializer.Meta
        props = base_schema.setdefault("properties", {})
        feature: dict[str, Any] = {"type": {"type": "string", "enum": ["Feature"]}}
        if meta.id_field:
            feature["id"] = props.pop(meta.id_field, {"type": "integer", "readOnly": True})
        if meta.geo_field:
            feature["geometry"] = map_geo_field(serializer, meta.geo_field)
            props.pop(meta.geo_field, None)
        else:
            feature["geometry"] = {"type": "object", "nullable": True}
        base_schema.pop("description", None)
        base_schema.pop("required", None)
        feature["properties"] = base_schema
        return build_object_type(properties=feature)
