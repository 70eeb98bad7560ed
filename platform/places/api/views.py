"""Read/write API for places; every query goes through visible_to (core.scoping)."""
from __future__ import annotations

from typing import Any

from core.errors import DomainError
from core.permissions import ReadAnyWriteWriter
from core.types import request_user
from django.contrib.gis.geos import Polygon
from django.db.models import QuerySet
from rest_framework import viewsets
from rest_framework.serializers import BaseSerializer
from rest_framework_gis.pagination import GeoJsonPagination

from .. import services
from ..models import PLACE_MODELS, Place
from .serializers import serializer_for


class Pagination(GeoJsonPagination):
    page_size = 500
    page_size_query_param = "page_size"
    max_page_size = 5000


def _bbox(value: str) -> Polygon:
    try:
        minx, miny, maxx, maxy = (float(v) for v in value.split(","))
    except ValueError:
        raise DomainError("invalid_bbox", "bbox 应为 minx,miny,maxx,maxy 四个数字。") from None
    if not (minx < maxx and miny < maxy):
        raise DomainError("invalid_bbox", "bbox 范围无效。")
    return Polygon.from_bbox((minx, miny, maxx, maxy))


class PlaceViewSet(viewsets.ModelViewSet):
    kind: str = ""
    pagination_class = Pagination
    permission_classes = [ReadAnyWriteWriter]

    def get_serializer_class(self) -> type[BaseSerializer[Any]]:
        return serializer_for(self.kind)

    def get_queryset(self) -> QuerySet[Any]:
        manager: Any = PLACE_MODELS[self.kind].objects
        qs = manager.visible_to(self.request.user).select_related("unit")
        params = self.request.query_params
        if unit := params.get("unit"):
            if not unit.isdigit():
                raise DomainError("invalid_unit", "unit 参数应为单元编号。")
            from boundaries.models import AdminUnit

            root = AdminUnit.objects.filter(pk=int(unit)).values_list("path", flat=True).first()
            qs = qs.filter(unit__path__startswith=root) if root else qs.none()
        if category := params.get("category"):
            qs = qs.filter(category=category)
        if q := params.get("q"):
            qs = qs.filter(name__icontains=q)
        if bbox := params.get("bbox"):
            g = _bbox(bbox)
            g.srid = 4490
            qs = qs.filter(geom__intersects=g)
        return qs

    def perform_create(self, serializer: BaseSerializer[Any]) -> None:
        model = PLACE_MODELS[self.kind]
        serializer.instance = services.save_place(request_user(self.request), model(**serializer.validated_data))

    def perform_update(self, serializer: BaseSerializer[Any]) -> None:
        instance = serializer.instance
        assert isinstance(instance, Place)
        for k, v in serializer.validated_data.items():
            setattr(instance, k, v)
        services.save_place(request_user(self.request), instance)

    def perform_destroy(self, instance: Place) -> None:
        services.delete_place(request_user(self.request), instance)


VIEWSETS = {kind: type(f"{kind.title()}ViewSet", (PlaceViewSet,), {"kind": kind}) for kind in PLACE_MODELS}
