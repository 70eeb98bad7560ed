"""``/api/rules/``: the rules in force on a date for a province, each with its citation."""
from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from ...errors import DomainError
from .. import engine


def _params(request: Request) -> tuple[str, dt.date]:
    raw_on = request.query_params.get("on", "")
    try:
        on = dt.date.fromisoformat(raw_on) if raw_on else timezone.localdate()
    except ValueError:
        raise DomainError("invalid_date", "日期格式应为 YYYY-MM-DD。") from None
    raw = request.query_params.get("province", "")
    if not raw:
        unit = getattr(request.user, "unit", None)
        raw = unit.code if unit is not None else engine.NATIONAL
    try:
        province = engine.province_of(raw)
    except ValueError:
        raise DomainError("invalid_province", "省份应为行政区划代码（如 500000）或 national。") from None
    return province, on


class RulesView(APIView):
    @extend_schema(parameters=[OpenApiParameter("on", str, description="日期 YYYY-MM-DD（默认今天）"),
                               OpenApiParameter("province", str, description="省级代码（默认本人单位所在省）")],
                   responses={200: dict}, summary="某日某省施行的规则及依据")
    def get(self, request: Request) -> Response:
        province, on = _params(request)
        rules = [r.as_dict() for r in engine.in_force(province=province, on=on)]
        return Response({"on": on.isoformat(), "province": province, "rules": rules})


class RuleView(APIView):
    @extend_schema(parameters=[OpenApiParameter("on", str), OpenApiParameter("province", str)],
                   responses={200: dict}, summary="某条规则在某日某省的取值及依据")
    def get(self, request: Request, key: str) -> Response:
        province, on = _params(request)
        try:
            rule: Any = engine.get(key, province=province, on=on)
        except engine.RuleNotFound:
            raise DomainError("rule_not_found", "该日期没有施行的此项规则。", status_code=404) from None
        return Response(rule.as_dict())
