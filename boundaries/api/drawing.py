"""Write side of the boundaries API: preview, create, reshape, history, compare,
restore, consistency, as-of, import, export. Views are thin: services own transactions and rules.

``UnitWriteMixin`` gives ``UnitViewSet`` (api/units.py) its POST / PATCH and the per-unit actions, so
the paths (``/api/units/``, ``/api/units/<id>/history/``...) live on one viewset.
"""
from __future__ import annotations

import json
from typing import Any

from audit import registry as audit_registry
from audit.models import Action
from core.errors import DomainError
from core.parsers import FormParser, MultiPartParser
from core.permissions import IsStaffAccount, ReadStaffWriteWriter
from core.types import request_user
from django.conf import settings
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import history, services
from ..consistency import subtree_report
from ..geometry import to_geojson
from ..io.exporter import EXPORT_FORMATS, export_subtree
from ..io.importer import MODES as IMPORT_MODES
from ..io.importer import import_units
from ..io.reader import COORDINATE_SYSTEMS
from ..levels import BuildingUse, Kind
from ..models import AdminUnit
from . import restructure as restructure_api
from .serializers import UnitFeatureSerializer

FALSE = {"false", "0", "no", "off"}


# --- request bodies (validated here, documented in the OpenAPI schema) ---------------------------


class PreviewRequest(serializers.Serializer):
    # A field named "parent" shadows Field.parent (the enclosing serializer) in the stubs only.
    parent = serializers.IntegerField(  # type: ignore[assignment]
        required=False, allow_null=True, help_text="new unit: its parent's id")
    unit = serializers.IntegerField(required=False, allow_null=True, help_text="reshape: the unit's id")
    geometry = serializers.JSONField(help_text="GeoJSON Polygon/MultiPolygon, EPSG:4490 lon/lat")


class UnitCreateRequest(serializers.Serializer):
    parent = serializers.IntegerField()  # type: ignore[assignment]
    code = serializers.CharField(required=False, allow_blank=True, max_length=24)
    name = serializers.CharField(max_length=100)
    kind = serializers.ChoiceField(choices=Kind.choices)
    geometry = serializers.JSONField()
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500)
    floors = serializers.IntegerField(required=False, min_value=0, max_value=200)
    height_m = serializers.FloatField(required=False, min_value=0, max_value=1000)
    building_use = serializers.ChoiceField(choices=BuildingUse.choices, required=False)


class UnitPatchRequest(serializers.Serializer):
    geometry = serializers.JSONField()
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500)
    version = serializers.IntegerField(required=False, allow_null=True,
                                       help_text="the boundary_version the client edited (409 if it changed since)")


class RestoreRequest(serializers.Serializer):
    version = serializers.IntegerField(min_value=1)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500)


class ImportRequest(serializers.Serializer):
    file = serializers.FileField(help_text=".geojson/.json, .gpkg, .zip (Shapefile) or .kml")
    parent = serializers.IntegerField()  # type: ignore[assignment]
    kind = serializers.ChoiceField(choices=Kind.choices, required=False)
    crs = serializers.CharField(required=False, allow_blank=True, help_text="EPSG code; default: the file's")
    coordinate_system = serializers.ChoiceField(choices=COORDINATE_SYSTEMS, default="standard")
    dry_run = serializers.BooleanField(default=True)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500)
    mode = serializers.ChoiceField(
        choices=IMPORT_MODES, default="merge",
        help_text="merge: feature by feature against the stored siblings; replace: the file holds ALL children "
                  "of the parent (checked as a coverage, written as a whole, children left out removed)")
    versions = serializers.CharField(
        required=False, allow_blank=True,
        help_text="replace: JSON {child id: boundary_version} as the dry run returned it (409 if changed since)")


def _check_body_size(request: Request) -> None:
    """Refuse an oversized geometry before the JSON parser builds millions of Python lists."""
    limit = settings.BOUNDARY_MAX_BODY_BYTES
    try:
        size = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        size = 0
    if size > limit:
        raise DomainError(
            "too_many_vertices", f"提交的边界数据过大（{size // 1024 // 1024}MB，上限{limit // 1024 // 1024}MB），请先简化。",
            status_code=413,
        )


def _valid(serializer_class: type[serializers.Serializer], data: Any) -> dict[str, Any]:
    s = serializer_class(data=data)
    s.is_valid(raise_exception=True)
    return dict(s.validated_data)


def feature_with_report(unit: AdminUnit, report: dict[str, Any]) -> dict[str, Any]:
    unit.refresh_from_db()
    data = dict(UnitFeatureSerializer(unit).data)
    data["report"] = report
    return data


def tree_as_of_response(request: Request, date: str | None, root_id: str | None) -> Response:
    """The subtree under ``root_id`` (default: the user's unit) as it was at the end of ``date``."""
    cutoff = history.parse_date(date)
    root_id = root_id or getattr(request.user, "unit_id", None)
    if root_id is None:
        raise DomainError("parent_required", "请指定子树的根单位。")
    root = services.get_visible_unit(request_user(request), root_id)
    raw_level = request.query_params.get("level")
    try:
        level = int(raw_level) if raw_level not in (None, "") else None
    except ValueError:
        raise DomainError("invalid_parameter", "level 应为整数。") from None
    features = history.tree_as_of(root, cutoff, level)
    return Response({"type": "FeatureCollection", "as_of": cutoff.isoformat(), "count": len(features),
                     "features": features})


# --- on the units viewset -------------------------------------------------------------------------


class UnitWriteMixin:
    """POST/PATCH through the pipeline and the per-unit boundary actions of ``/api/units/``."""

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """``?as_of=YYYY-MM-DD`` (with ``subtree=<id>`` and ``level=``): the tree as it was then."""
        if "as_of" not in request.query_params:
            return super().list(request, *args, **kwargs)  # type: ignore[misc]
        return tree_as_of_response(request, request.query_params.get("as_of"), request.query_params.get("subtree"))

    @extend_schema(request=UnitCreateRequest, responses={201: OpenApiTypes.OBJECT},
                   summary="新建单位：边界经过保存流程（吸附、裁剪、去重叠、共边）")
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        _check_body_size(request)
        d = _valid(UnitCreateRequest, request.data)
        attrs: dict[str, Any] = {k: d[k] for k in ("floors", "height_m", "building_use") if k in d}
        out = services.create_unit(
            request_user(request), d["parent"], name=d["name"], kind=d["kind"], geometry=d["geometry"],
            code=d.get("code") or None, reason=d.get("reason", ""), attrs=attrs,
        )
        return Response(feature_with_report(out.unit, out.report), status=201)

    @extend_schema(request=UnitPatchRequest, responses=OpenApiTypes.OBJECT,
                   summary="修改单位边界：经过保存流程，下级单位随之调整")
    def partial_update(self, request: Request, pk: str | None = None, **kwargs: Any) -> Response:
        _check_body_size(request)
        d = _valid(UnitPatchRequest, request.data)
        out = services.reshape_unit(request_user(request), pk, d["geometry"], reason=d.get("reason", ""),
                                    version=d.get("version"))
        return Response(feature_with_report(out.unit, out.report))

    @extend_schema(
        responses=OpenApiTypes.OBJECT, summary="单位边界的全部历史版本",
        parameters=[OpenApiParameter("geometry", bool, description="include each version's geometry")],
    )
    @action(detail=True, methods=["get"])
    def history(self, request: Request, pk: str | None = None) -> Response:
        unit = services.get_visible_unit(request_user(request), pk)
        with_geom = request.query_params.get("geometry", "false").lower() not in FALSE
        return Response({"unit": unit.pk, "current_version": unit.boundary_version,
                         "versions": history.history(unit, with_geom)})

    @extend_schema(
        responses=OpenApiTypes.OBJECT, summary="对比两个版本：面积变化、增加和减少的范围",
        parameters=[OpenApiParameter("a", int, required=True), OpenApiParameter("b", int, required=True)],
    )
    @action(detail=True, methods=["get"], url_path="history/compare")
    def compare(self, request: Request, pk: str | None = None) -> Response:
        unit = services.get_visible_unit(request_user(request), pk)
        return Response(history.compare(unit, request.query_params.get("a"), request.query_params.get("b")))

    @extend_schema(request=RestoreRequest, responses=OpenApiTypes.OBJECT,
                   summary="恢复到历史版本（经过保存流程）")
    @action(detail=True, methods=["post"])
    def restore(self, request: Request, pk: str | None = None) -> Response:
        d = _valid(RestoreRequest, request.data)
        out = services.restore_version(request_user(request), pk, d["version"], reason=d.get("reason", ""))
        return Response(feature_with_report(out.unit, out.report))

    @extend_schema(request=restructure_api.SplitRequest, responses=OpenApiTypes.OBJECT,
                   summary="分割单位：沿切割线一分为二，较小的一块成为新的同级单位")
    @action(detail=True, methods=["post"])
    def split(self, request: Request, pk: str | None = None) -> Response:
        _check_body_size(request)
        return restructure_api.split(request, pk)

    @extend_schema(request=restructure_api.MergeRequest, responses=OpenApiTypes.OBJECT,
                   summary="合并单位：把相邻的同级单位并入本单位")
    @action(detail=True, methods=["post"])
    def merge(self, request: Request, pk: str | None = None) -> Response:
        return restructure_api.merge(request, pk)

    @extend_schema(
        responses=OpenApiTypes.OBJECT, summary="下级单位一致性检查（缝隙、重叠、超出上级）",
        parameters=[OpenApiParameter("geometry", bool, description="include issue geometries (default true)")],
    )
    @action(detail=True, methods=["get"], permission_classes=[IsStaffAccount])
    def consistency(self, request: Request, pk: str | None = None) -> Response:
        unit = services.get_visible_unit(request_user(request), pk)
        with_geom = request.query_params.get("geometry", "true").lower() not in FALSE
        return Response(subtree_report(unit, include_geometry=with_geom))

    @extend_schema(
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY},
        summary="导出本单位及下级的边界（GeoJSON、GeoPackage、Shapefile 压缩包、CSV+WKT）",
        parameters=[
            OpenApiParameter("fmt", str, enum=[*EXPORT_FORMATS], default="geojson"),
            OpenApiParameter("srid", int, enum=[4490, 4326], default=4490),
            OpenApiParameter("level", int, description="only this level"),
            OpenApiParameter("levels", str, description="only these levels, comma-separated (e.g. 3,4)"),
        ],
    )
    @action(detail=True, methods=["get"], permission_classes=[IsStaffAccount])
    def export(self, request: Request, pk: str | None = None) -> HttpResponse:
        unit = services.get_visible_unit(request_user(request), pk)
        fmt = request.query_params.get("fmt", "geojson")
        try:
            srid = int(request.query_params.get("srid", 4490))
            raw_level = request.query_params.get("level")
            level = int(raw_level) if raw_level not in (None, "") else None
            raw_levels = request.query_params.get("levels", "")
            levels = [int(x) for x in raw_levels.split(",") if x.strip()] if raw_levels else None
        except ValueError:
            raise DomainError("invalid_parameter", "srid 和 level 应为整数。") from None
        if levels is not None and not all(0 <= x <= 5 for x in levels):
            raise DomainError("invalid_parameter", "levels 应为 0 到 5 之间的层级，用逗号分隔。")
        if levels is None and level is not None:
            levels = [level]
        content, filename, ctype = export_subtree(unit, fmt, srid, levels=levels, user=request.user)
        audit_registry.record(Action.EXPORT, unit, unit.path, after={"format": fmt, "srid": srid, "levels": levels},
                              actor=request.user)
        resp = HttpResponse(content, content_type=ctype)
        resp["Content-Disposition"] = f"attachment; filename*=UTF-8''{_quote(filename)}"
        return resp


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name)


# --- standalone endpoints -----------------------------------------------------------------------


class PreviewView(APIView):
    """``POST /api/boundaries/preview/``: the save pipeline without saving."""

    permission_classes = [ReadStaffWriteWriter]

    @extend_schema(request=PreviewRequest, responses=OpenApiTypes.OBJECT,
                   summary="预览边界：吸附裁剪后的结果和校验报告（不保存）")
    def post(self, request: Request) -> Response:
        _check_body_size(request)
        d = _valid(PreviewRequest, request.data)
        if not d.get("unit") and not d.get("parent"):
            raise DomainError("parent_required", "请指定上级单位（parent）或要修改的单位（unit）。")
        result = services.preview(request_user(request), d.get("parent"), d["geometry"], unit_id=d.get("unit"))
        return Response({"geometry": to_geojson(result.geometry), "report": result.report})


class AsOfView(APIView):
    """``GET /api/boundaries/as-of/?date=YYYY-MM-DD&root=<id>&level=``: the tree as it was that day."""

    @extend_schema(
        responses=OpenApiTypes.OBJECT, summary="某日的边界（GeoJSON）",
        parameters=[
            OpenApiParameter("date", str, required=True, description="YYYY-MM-DD (end of that day)"),
            OpenApiParameter("root", int, description="subtree root (default: the user's unit)"),
            OpenApiParameter("level", int),
        ],
    )
    def get(self, request: Request) -> Response:
        return tree_as_of_response(request, request.query_params.get("date"), request.query_params.get("root"))


class ImportView(APIView):
    """``POST /api/boundaries/import/`` (multipart): a level of boundaries under one parent."""

    parser_classes = [MultiPartParser, FormParser]
    permission_classes = [ReadStaffWriteWriter]

    @extend_schema(request={"multipart/form-data": ImportRequest}, responses=OpenApiTypes.OBJECT,
                   summary="从文件导入边界：合并导入或整级替换（默认只校验不保存）")
    def post(self, request: Request) -> Response:
        d = _valid(ImportRequest, request.data)
        f = d["file"]
        report = import_units(
            request_user(request), d["parent"], f.read(), f.name, kind=d.get("kind"), crs=d.get("crs") or None,
            coordinate_system=d["coordinate_system"], dry_run=d["dry_run"], reason=d.get("reason", ""),
            mode=d["mode"], versions=_versions(d.get("versions")),
        )
        return Response(report)


def _versions(value: Any) -> dict[str, Any] | None:
    """The dry run's versions, sent back as a JSON text in the multipart form."""
    if value in (None, ""):
        return None
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            raise DomainError("invalid_parameter", "versions 应为 JSON 对象 {单位id: 边界版本}。") from None
    if not isinstance(value, dict):
        raise DomainError("invalid_parameter", "versions 应为 JSON 对象 {单位id: 边界版本}。")
    return value
