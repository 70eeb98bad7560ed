"""API of splitting and merging units: the per-unit actions and their previews.

A preview runs the very same service as the save inside a transaction that is rolled back, so
what the clerk sees is exactly what saving would store (neighbours noded, children moved) and
nothing is written — not the units, not the versions, not the audit trail, not the tile versions.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from core.permissions import ReadStaffWriteWriter
from core.types import request_user
from django.db import transaction
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import restructure
from ..restructure import Restructured
from .serializers import UnitFeatureSerializer


class SplitRequest(serializers.Serializer):
    line = serializers.JSONField(help_text="GeoJSON LineString across the unit, EPSG:4490 lon/lat")
    name = serializers.CharField(max_length=100, help_text="name of the new unit (the smaller piece)")
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500)
    version = serializers.IntegerField(required=False, allow_null=True,
                                       help_text="the unit's boundary_version the client saw (409 if it changed)")


class SplitPreviewRequest(SplitRequest):
    unit = serializers.IntegerField()
    name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")


class MergeRequest(serializers.Serializer):
    other = serializers.IntegerField(help_text="the neighbouring unit to join into this one")
    name = serializers.CharField(required=False, allow_blank=True, max_length=100,
                                 help_text="new name of the merged unit (default: this unit's)")
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500)
    version = serializers.IntegerField(required=False, allow_null=True)
    other_version = serializers.IntegerField(required=False, allow_null=True)


class MergePreviewRequest(MergeRequest):
    unit = serializers.IntegerField()


def _valid(cls: type[serializers.Serializer], data: Any) -> dict[str, Any]:
    s = cls(data=data)
    s.is_valid(raise_exception=True)
    return dict(s.validated_data)


def _feature(unit: Any) -> dict[str, Any]:
    unit.refresh_from_db()
    return dict(UnitFeatureSerializer(unit).data)


def _body(out: Restructured) -> dict[str, Any]:
    body: dict[str, Any] = {"unit": _feature(out.unit), "report": out.report}
    if out.created is not None:
        body["created"] = _feature(out.created)
    return body


def _dry_run(fn: Callable[[], Restructured]) -> dict[str, Any]:
    """The save, rolled back: its answer without its writes."""
    with transaction.atomic():
        body = _body(fn())
        transaction.set_rollback(True)
    body["preview"] = True
    # Ids of rows that were never committed mean nothing to the client.
    if "created" in body:
        body["created"]["id"] = None
        body["created"]["properties"]["id"] = None
    return body


def split(request: Request, pk: Any) -> Response:
    d = _valid(SplitRequest, request.data)
    out = restructure.split_unit(request_user(request), pk, d["line"], name=d["name"], reason=d.get("reason", ""),
                                 version=d.get("version"))
    return Response(_body(out))


def merge(request: Request, pk: Any) -> Response:
    d = _valid(MergeRequest, request.data)
    out = restructure.merge_units(request_user(request), pk, d["other"], name=d.get("name", ""), reason=d.get("reason", ""),
                                  version=d.get("version"), other_version=d.get("other_version"))
    return Response(_body(out))


class SplitPreviewView(APIView):
    """``POST /api/boundaries/split-preview/``: the two pieces a cut line would make."""

    permission_classes = [ReadStaffWriteWriter]

    @extend_schema(request=SplitPreviewRequest, responses=OpenApiTypes.OBJECT,
                   summary="预览分割：切割线把单位分成的两部分（不保存）")
    def post(self, request: Request) -> Response:
        d = _valid(SplitPreviewRequest, request.data)
        name = d.get("name") or "（新单位）"
        body = _dry_run(lambda: restructure.split_unit(
            request_user(request), d["unit"], d["line"], name=name, reason=d.get("reason", ""), version=d.get("version")))
        return Response(body)


class MergePreviewView(APIView):
    """``POST /api/boundaries/merge-preview/``: the unit two neighbours would make together."""

    permission_classes = [ReadStaffWriteWriter]

    @extend_schema(request=MergePreviewRequest, responses=OpenApiTypes.OBJECT,
                   summary="预览合并：两个相邻单位合并后的边界（不保存）")
    def post(self, request: Request) -> Response:
        d = _valid(MergePreviewRequest, request.data)
        body = _dry_run(lambda: restructure.merge_units(
            request_user(request), d["unit"], d["other"], name=d.get("name", ""), reason=d.get("reason", ""),
            version=d.get("version"), other_version=d.get("other_version")))
        return Response(body)

