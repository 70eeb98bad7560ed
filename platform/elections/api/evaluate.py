"""The inspectable rules engine: evaluate a case without writing anything (docs/elections.md). The
workflow calls exactly these functions (``eligibility.evaluate``, ``calendar.evaluate``)."""
from __future__ import annotations

import datetime as dt
from typing import Any

from core.errors import DomainError
from core.permissions import IsSignedIn
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import calendar, eligibility
from ..codes import Body, Category


def int_param(value: Any, name: str) -> int | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool) or not str(value).isdigit() or int(str(value)) >= 2**63:
        raise DomainError("invalid_parameter", f"参数 {name} 应为非负整数。")
    return int(str(value))


def body_dict(request: Request) -> dict[str, Any]:
    if not isinstance(request.data, dict):
        raise DomainError("invalid_body", "请求体应为 JSON 对象。")
    return dict(request.data)


def _date(value: Any, name: str) -> dt.date:
    try:
        return dt.date.fromisoformat(str(value))
    except (TypeError, ValueError):
        raise DomainError("invalid_date", f"{name} 应为日期（YYYY-MM-DD）。") from None


def _body(value: Any) -> str:
    if value not in Body.values:
        raise DomainError("invalid_body", "body 应为 village（村民委员会）或 residents（居民委员会）。")
    return str(value)


def _province(value: Any) -> str:
    if value in (None, "", "national"):
        return "national"
    if not str(value).isdigit() or len(str(value)) < 2:
        raise DomainError("invalid_province", "province 应为行政区划代码（如 500000）或 national。")
    return str(value)


class EvaluateEligibilityView(APIView):
    """POST: is this person eligible on election day? Every rule applied, with its citation. Writes nothing."""

    permission_classes = [IsSignedIn]

    def post(self, request: Request) -> Response:
        data = body_dict(request)
        category = data.get("category", Category.HUKOU_RESIDENT)
        if category not in Category.values:
            raise DomainError("invalid_category", "category 应为 " + "、".join(Category.values) + "。")
        years = data.get("residence_years")
        if years is not None and (not isinstance(years, (int, float)) or isinstance(years, bool) or years < 0):
            raise DomainError("invalid_years", "residence_years 应为非负数。")
        case = eligibility.Case(
            birth_date=_date(data.get("birth_date"), "birth_date"), category=category,
            deprived_of_political_rights=bool(data.get("deprived_of_political_rights", False)),
            residence_years=years, applied_and_accepted=bool(data.get("applied_and_accepted", False)),
            wishes_to_vote=bool(data.get("wishes_to_vote", True)), on_other_roll=bool(data.get("on_other_roll", False)))
        verdict = eligibility.evaluate(case, election_day=_date(data.get("election_day"), "election_day"),
                                       body=_body(data.get("body", Body.VILLAGE)), province=_province(data.get("province")))
        return Response(verdict.as_dict())


class EvaluateCalendarView(APIView):
    """POST: is this calendar lawful? Each stage with its deadline and the rules applied. Writes nothing."""

    permission_classes = [IsSignedIn]

    def post(self, request: Request) -> Response:
        data = body_dict(request)
        day = _date(data.get("election_day"), "election_day")
        raw = data.get("plan", {})
        if not isinstance(raw, dict):
            raise DomainError("invalid_plan", "plan 应为 {阶段: 日期} 对象。")
        try:
            plan = calendar.parse_plan(raw)
        except ValueError:
            raise DomainError("invalid_date", "plan 中的日期应为 YYYY-MM-DD。") from None
        verdict = calendar.evaluate(election_day=day, body=_body(data.get("body", Body.VILLAGE)),
                                    province=_province(data.get("province")), plan=plan)
        return Response(verdict.as_dict())
