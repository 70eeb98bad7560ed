"""Read API of the administrative tree: units (GeoJSON), the tree, ancestors, houses, committees.

Every queryset starts from ``visible_to(request.user)`` (accounts.scoping): a unit outside the
user's subtree is simply not found (404), never "forbidden" — its existence does not leak.
Write actions (create, reshape, history, restore) are added by the boundaries pipeline.
"""
from __future__ import annotations

from typing import Any

from core.errors import DomainError
from core.permissions import IsStaffAccount, ReadAnyWriteAdmin, ReadAnyWriteWriter
from django.db.models import QuerySet
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework_gis.pagination import GeoJsonPagination

from ..levels import Level
from ..models import AdminUnit, CommitteeRecord, House
from .drawing import UnitWriteMixin
from .filters import HouseFilter, UnitFilter
from .serializers import (
    CommitteeSerializer,
    HouseSerializer,
    UnitFeatureSerializer,
    UnitLightSerializer,
    UnitRefSerializer,
)

TREE_MAX_NODES = 20_000
FALSE_VALUES = {"false", "0", "no", "off"}


def nested_tree(visible: QuerySet[AdminUnit], root: AdminUnit, depth: int) -> dict[str, Any]:
    """``root`` and its visible descendants down to ``depth`` levels, nested; one query."""
    rows = visible.filter(path__startswith=root.path, level__lte=root.level + depth)
    if rows.count() > TREE_MAX_NODES:
        raise DomainError("tree_too_large", f"树节点超过 {TREE_MAX_NODES} 个，请减小 depth 或选择更下级的根。")
    nodes: dict[int, dict[str, Any]] = {}
    for r in rows.order_by("level", "code").values("id", "code", "name", "level", "kind", "parent_id"):
        nodes[r["id"]] = {k: r[k] for k in ("id", "code", "name", "level", "kind")} | {"children": []}
        parent = nodes.get(r["parent_id"])
        if parent is not None and r["id"] != root.pk:
            parent["children"].append(nodes[r["id"]])
    return nodes[root.pk]


class UnitPagination(GeoJsonPagination):
    page_size = 200
    page_size_query_param = "page_size"
    max_page_size = 5000


class ListPagination(PageNumberPagination):
    page_size = 200
    page_size_query_param = "page_size"
    max_page_size = 5000


def _int_param(request: Request, name: str, default: int | None, low: int, high: int) -> int | None:
    raw = request.query_params.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except ValueError:
        raise DomainError("invalid_parameter", f"参数 {name} 应为整数。") from None
    if not low <= value <= high:
        raise DomainError("invalid_parameter", f"参数 {name} 应在 {low} 到 {high} 之间。")
    return value


class UnitViewSet(UnitWriteMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """``/api/units/``: GeoJSON features of the units the user may see."""

    queryset = AdminUnit.objects.none()  # for the schema; get_queryset scopes per request
    permission_classes = [ReadAnyWriteWriter]
    pagination_class = UnitPagination
    filterset_class = UnitFilter

    def get_queryset(self) -> QuerySet[AdminUnit]:
        return AdminUnit.objects.visible_to(self.request.user).defer("geom_3857").order_by("code")

    def wants_geometry(self) -> bool:
        return self.request.query_params.get("geometry", "true").lower() not in FALSE_VALUES

    def get_serializer_class(self) -> type:
        if self.action in ("list", "retrieve") and not self.wants_geometry():
            return UnitLightSerializer
        return UnitFeatureSerializer

    @action(detail=False, methods=["get"])
    def tree(self, request: Request) -> Response:
        """Nested light tree: ``?root=<id>`` (default: the user's unit) ``&depth=2`` (levels below)."""
        depth = _int_param(request, "depth", 2, 0, 5)
        visible = AdminUnit.objects.visible_to(request.user)
        root_id = _int_param(request, "root", None, 1, 2**62)
        if root_id is not None:
            root = visible.filter(pk=root_id).first()
        elif (unit_id := getattr(request.user, "unit_id", None)) is not None:
            root = visible.filter(pk=unit_id).first()
        else:  # a superuser without a unit: the top of the tree
            root = visible.order_by("level", "code").first()
        if root is None:
            return Response([])
        return Response([nested_tree(visible, root, depth or 0)])

    @action(detail=True, methods=["get"])
    def ancestors(self, request: Request, pk: str | None = None) -> Response:
        """Breadcrumb of a visible unit: its ancestors from the root down (id, code, name, level, kind).

        Names and codes of the towns/districts above are public statistical data; geometry and
        everything else about them stays out of reach (they are not in the user's subtree).
        """
        unit = self.get_object()
        return Response(UnitRefSerializer(AdminUnit.objects.ancestors_of(unit), many=True).data)

    @action(detail=True, methods=["get"], permission_classes=[IsStaffAccount])
    def houses(self, request: Request, pk: str | None = None) -> Response:
        """Houses of a visible building (``/api/houses/?building=<id>`` is the paginated form)."""
        unit = self.get_object()
        if unit.level != Level.BUILDING:
            raise DomainError("not_a_building", "只有楼栋才有房屋。")
        houses = House.objects.visible_to(request.user).filter(building=unit).select_related("building")
        return Response(HouseSerializer(houses, many=True).data)


class HouseViewSet(viewsets.ReadOnlyModelViewSet):
    """``/api/houses/?building=<id>``: dwellings in the user's jurisdiction."""

    queryset = House.objects.none()
    serializer_class = HouseSerializer
    permission_classes = [IsStaffAccount]
    pagination_class = ListPagination
    filterset_class = HouseFilter

    def get_queryset(self) -> QuerySet[House]:
        return House.objects.visible_to(self.request.user).select_related("building")


class CommitteeViewSet(mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """``/api/committees/?unit=<id>``: committee records (村委会/居委会) of visible communities;
    unit administrators edit the records in their jurisdiction (PATCH, audited)."""

    queryset = CommitteeRecord.objects.none()
    serializer_class = CommitteeSerializer
    permission_classes = [ReadAnyWriteAdmin]
    http_method_names = ["get", "patch", "head", "options"]
    pagination_class = ListPagination
    filterset_fields = ["unit"]

    def get_queryset(self) -> QuerySet[CommitteeRecord]:
        return CommitteeRecord.objects.visible_to(self.request.user).select_related("unit").order_by("unit__code")
