"""Query filters of the unit API: level, parent, subtree, bbox, q (name or code)."""
from __future__ import annotations

import django_filters
from core.errors import DomainError
from django.contrib.gis.geos import Polygon
from django.db.models import Q, QuerySet

from ..crs import STORAGE_SRID
from ..models import AdminUnit, House


def parse_bbox(value: str) -> Polygon:
    try:
        minx, miny, maxx, maxy = (float(v) for v in value.split(","))
    except ValueError:
        raise DomainError("invalid_bbox", "bbox 应为 minx,miny,maxx,maxy 四个数字（经纬度）。") from None
    if not (minx < maxx and miny < maxy and -180 <= minx <= 180 and -90 <= miny <= 90 and maxx <= 180
            and maxy <= 90):
        raise DomainError("invalid_bbox", "bbox 范围无效：应为 minx,miny,maxx,maxy，且 min 小于 max。")
    box = Polygon.from_bbox((minx, miny, maxx, maxy))
    box.srid = STORAGE_SRID
    return box


class UnitFilter(django_filters.FilterSet):
    level = django_filters.NumberFilter(field_name="level")
    kind = django_filters.CharFilter(field_name="kind")
    parent = django_filters.NumberFilter(field_name="parent_id")
    code = django_filters.CharFilter(field_name="code")
    subtree = django_filters.NumberFilter(method="filter_subtree", label="subtree of unit id")
    bbox = django_filters.CharFilter(method="filter_bbox", label="minx,miny,maxx,maxy (EPSG:4490)")
    q = django_filters.CharFilter(method="filter_q", label="name contains / code starts with")

    class Meta:
        model = AdminUnit
        fields: list[str] = []

    def filter_subtree(self, qs: QuerySet[AdminUnit], name: str, value: int) -> QuerySet[AdminUnit]:
        # The root is looked up in the already scoped queryset: an invisible root yields nothing.
        root = qs.filter(pk=value).only("path").first()
        if root is None:
            return qs.none()
        return qs.filter(path__startswith=root.path)

    def filter_bbox(self, qs: QuerySet[AdminUnit], name: str, value: str) -> QuerySet[AdminUnit]:
        box = parse_bbox(value)
        return qs.filter(geom__bboverlaps=box, geom__intersects=box)

    def filter_q(self, qs: QuerySet[AdminUnit], name: str, value: str) -> QuerySet[AdminUnit]:
        value = value.strip()
        if not value:
            return qs
        return qs.filter(Q(name__icontains=value) | Q(code__startswith=value))


class HouseFilter(django_filters.FilterSet):
    building = django_filters.NumberFilter(field_name="building_id")
    entrance = django_filters.CharFilter(field_name="entrance")
    floor = django_filters.NumberFilter(field_name="floor")

    class Meta:
        model = House
        fields: list[str] = []
