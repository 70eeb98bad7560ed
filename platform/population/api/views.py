"""Population API (docs/population.md). Thin views: services do the work and the checks.

ID numbers and phones are searched through POST bodies (``people/search/``, ``city-record/search/``)
so they never land in URLs or access logs; the GET list refuses them with ``pii_in_url``.
"""
from __future__ import annotations

from typing import Any

from audit import registry as audit
from audit.models import Action
from core import roles
from core.errors import DomainError
from core.parsers import FormParser, JSONParser, MultiPartParser
from core.permissions import IsStaffAccount
from core.renderers import BrowsableAPIRenderer, FastJSONRenderer
from core.requests import body, validated
from core.types import request_user
from django.conf import settings
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.functional import cached_property
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from boundaries.levels import Level
from boundaries.models import AdminUnit

from .. import households, services, spreadsheets, stats
from ..codes import ETHNICITIES, POLITICAL_STATUS, RELATIONS_TO_HEAD, HouseRelation, Tag, TransferStatus
from ..models import Person, Transfer
from . import serializers as s


class PopulationEnabled(permissions.BasePermission):
    """The internet zone never serves the population database."""

    def has_permission(self, request: Request, view: Any) -> bool:
        if not settings.POPULATION_ENABLED:
            raise DomainError("population_disabled", "本部署（互联网区）不提供人口数据，请在政务外网访问。", status_code=404)
        return True


class PopulationReader(IsStaffAccount):
    """Residents (居民 accounts) never read the population record, even of their own community."""

    message = "居民账号不能查看人口信息。"


class CappedPaginator(Paginator):
    """Counts at most COUNT_CAP rows: a district-wide "陈" matches 200,000 people and an exact
    count of them costs more than the page itself."""

    COUNT_CAP = 10_000

    @cached_property
    def count(self) -> int:
        rows: Any = self.object_list  # a QuerySet: slicing and count() run in the database
        return int(rows[: self.COUNT_CAP + 1].count())


class Pagination(PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100
    django_paginator_class = CappedPaginator

    def get_paginated_response(self, data: Any) -> Response:
        assert self.page is not None
        count = self.page.paginator.count
        capped = count > CappedPaginator.COUNT_CAP
        return Response({"count": min(count, CappedPaginator.COUNT_CAP), "count_capped": capped,
                         "next": self.get_next_link(), "previous": self.get_previous_link(), "results": data})

    def get_paginated_response_schema(self, schema: dict) -> dict:
        out = super().get_paginated_response_schema(schema)
        out["properties"]["count_capped"] = {"type": "boolean"}
        return out


class Base(APIView):
    permission_classes = [PopulationEnabled, PopulationReader]

    def person(self, pk: int) -> Person:
        return get_object_or_404(Person.objects.visible_to(self.request.user).select_related("pool"), pk=pk)

    def unit(self, pk: Any) -> AdminUnit:
        # A query parameter is text ("true", "1.5"): anything but a whole number is no unit, not a 500.
        if isinstance(pk, str):
            pk = int(pk) if pk.strip().isdigit() else None
        elif not isinstance(pk, int) or isinstance(pk, bool):
            pk = None
        unit = AdminUnit.objects.visible_to(self.request.user).filter(pk=pk).first() if pk else None
        if unit is None:
            raise DomainError("unit_not_found", "单位不存在或不在您的管辖范围内。", status_code=404)
        return unit

    def page(self, qs: Any, serializer: type, context: dict | None = None) -> Response:
        pager = Pagination()
        items: list[Any] | None = pager.paginate_queryset(qs, self.request, view=self)
        return pager.get_paginated_response(serializer(items, many=True, context=self.ctx(**(context or {}))).data)

    def ctx(self, **extra: Any) -> dict[str, Any]:
        """Serializer context: the reader decides what of a person's birth data is shown."""
        return {"user": self.request.user, **extra}


def _search(view: Base, params: dict[str, Any]) -> Response:
    unit = view.unit(params["unit"]) if params.get("unit") else None
    qs = services.search_people(
        request_user(view.request), q=params.get("q", ""), id_number=params.get("id_number", ""),
        phone=params.get("phone", ""), tag=params.get("tag", ""), address=params.get("address", ""), unit=unit,
        building=params.get("building"), house=params.get("house"), fuzzy=params.get("fuzzy", False),
    )
    qs = households.narrow_people(qs, age_min=params.get("age_min"), age_max=params.get("age_max"),
                                  hukou=params.get("hukou", ""), placed=params.get("placed", ""))
    return view.page(qs, s.PersonSerializer)


class PeopleView(Base):
    @extend_schema(
        parameters=[OpenApiParameter(n, str) for n in ("q", "fuzzy", "tag", "address", "unit", "building", "house", "page", "age_min", "age_max", "hukou", "placed")],
        responses=s.PersonSerializer(many=True), summary="本辖区人员列表（脱敏）",
    )
    def get(self, request: Request) -> Response:
        if request.query_params.get("id_number") or request.query_params.get("phone"):
            raise DomainError("pii_in_url", "身份证号和电话不得出现在网址中，请使用 POST people/search/。")
        ser = s.SearchSerializer(data=request.query_params)
        ser.is_valid(raise_exception=True)
        return _search(self, ser.validated_data)

    @extend_schema(request=s.PersonWriteSerializer, responses=s.PersonSerializer, summary="新增居住人口")
    def post(self, request: Request) -> Response:
        ser = s.PersonWriteSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        data = dict(ser.validated_data)
        person = services.add_person(request_user(request), data, data.pop("pool", None))
        return Response(s.PersonSerializer(person, context=self.ctx()).data, status=201)


class PeopleSearchView(Base):
    @extend_schema(request=s.SearchSerializer, responses=s.PersonSerializer(many=True),
                   summary="按身份证号、电话、姓名、地址、标签查询（POST，个人信息不进网址）")
    def post(self, request: Request) -> Response:
        ser = s.SearchSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        return _search(self, ser.validated_data)


class PersonView(Base):
    @extend_schema(responses=s.PersonSerializer, summary="人员详情（脱敏，含房屋/楼栋/小区）")
    def get(self, request: Request, pk: int) -> Response:
        return Response(s.PersonSerializer(self.person(pk), context=self.ctx(detail=True)).data)

    @extend_schema(request=s.PersonPatchSerializer, responses=s.PersonSerializer, summary="修改人员信息（户籍地锁定）")
    def patch(self, request: Request, pk: int) -> Response:
        raw = body(request)
        # Locked fields are named to the service, which refuses them with their own codes.
        data = {k: raw[k] for k in services.LOCKED_FIELDS if k in raw}
        data.update(validated(s.PersonPatchSerializer, request, partial=True))
        person = services.update_person(request_user(request), self.person(pk), data)
        return Response(s.PersonSerializer(person, context=self.ctx(detail=True)).data)


class RevealView(Base):
    @extend_schema(request=s.ReasonSerializer, summary="查看完整身份证号和电话（须填写事由，记入审计）")
    def post(self, request: Request, pk: int) -> Response:
        reason = validated(s.OptionalReasonSerializer, request)["reason"]
        return Response(services.reveal(request_user(request), self.person(pk), reason))


class PlaceView(Base):
    @extend_schema(request=s.PlaceSerializer, responses=s.PersonSerializer, summary="人房关联：入住房屋")
    def post(self, request: Request, pk: int) -> Response:
        ser = s.PlaceSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        person = households.place_checked(request_user(request), self.person(pk), d["house"], d["relation"],
                                          d.get("reason", ""), with_household=d.get("with_household", False))
        return Response(s.PersonSerializer(person, context=self.ctx(detail=True)).data)


class UnplaceView(Base):
    @extend_schema(request=s.ReasonSerializer, responses=s.PersonSerializer, summary="离开房屋")
    def post(self, request: Request, pk: int) -> Response:
        reason = validated(s.OptionalReasonSerializer, request)["reason"]
        person = services.unplace(request_user(request), self.person(pk), reason)
        return Response(s.PersonSerializer(person, context=self.ctx()).data)


class TransferOutView(Base):
    @extend_schema(request=s.TransferOutSerializer, summary="居住人口转出（转往其他村社区或迁出本市）")
    def post(self, request: Request, pk: int) -> Response:
        ser = s.TransferOutSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        user = request_user(request)
        with transaction.atomic():  # the move and the receiving community's notice together
            t = services.transfer_out(user, self.person(pk), d["reason"], d.get("to_pool"), d["out_of_city"])
            if t is not None:
                households.notify_transfer_sent(t, user)
        return Response({"transfer": s.TransferSerializer(t, context=self.ctx()).data if t else None, "out_of_city": t is None})


class HistoryView(Base):
    @extend_schema(responses=s.EventSerializer(many=True), summary="人员变动及居住历史")
    def get(self, request: Request, pk: int) -> Response:
        qs = self.person(pk).events.select_related("actor", "from_pool", "to_pool", "from_house__building", "to_house__building")
        return self.page(qs, s.EventSerializer)


class CityRecordSearchView(Base):
    @extend_schema(request=s.CitySearchSerializer, responses=s.CityRecordHitSerializer(many=True),
                   summary="转入查询：在市级人口库中按身份证号或姓名查找（脱敏）")
    def post(self, request: Request) -> Response:
        ser = s.CitySearchSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        hits = services.search_city_record(request_user(request), **ser.validated_data)
        return Response({"results": s.CityRecordHitSerializer(hits, many=True, context=self.ctx()).data})


class TransferInView(Base):
    @extend_schema(request=s.TransferInSerializer, responses=s.PersonSerializer, summary="居住人口转入")
    def post(self, request: Request, pk: int) -> Response:
        ser = s.TransferInSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        person = get_object_or_404(Person, pk=pk)
        person = services.transfer_in(request_user(request), person, d["reason"], d.get("pool"), d.get("house"),
                                      d.get("house_relation", ""))
        return Response(s.PersonSerializer(person, context=self.ctx()).data)


class TransfersView(Base):
    @extend_schema(parameters=[OpenApiParameter("direction", str, enum=["incoming", "outgoing"]),
                               OpenApiParameter("status", str)],
                   responses=s.TransferSerializer(many=True), summary="转入待接收 / 已转出列表")
    def get(self, request: Request) -> Response:
        status = request.query_params.get("status", TransferStatus.PENDING)
        if request.query_params.get("direction") == "outgoing":
            prefix = services.scope_path(request_user(request))
            qs = Transfer.objects.none() if prefix is None else Transfer.objects.filter(from_pool__path__startswith=prefix)
        else:
            qs = Transfer.objects.visible_to(request.user)
        qs = qs.filter(status=status).select_related("person", "from_pool", "to_pool", "created_by")
        return self.page(qs, s.TransferSerializer)


class TransferDecisionView(Base):
    decision = "accept"

    @extend_schema(request=s.AcceptSerializer, responses=s.PersonSerializer, summary="接收或退回转入人员")
    def post(self, request: Request, pk: int) -> Response:
        transfer = get_object_or_404(Transfer.objects.visible_to(request.user), pk=pk)
        user = request_user(request)
        with transaction.atomic():  # the decision and the sender's notice together
            if self.decision == "accept":
                ser = s.AcceptSerializer(data=request.data)
                ser.is_valid(raise_exception=True)
                person = services.accept_transfer(user, transfer, ser.validated_data.get("house"),
                                                  ser.validated_data.get("house_relation", ""))
            else:
                reason = validated(s.OptionalReasonSerializer, request)["reason"]
                person = services.reject_transfer(user, transfer, reason)
            transfer.refresh_from_db()
            households.notify_transfer_decided(transfer, user)
        return Response(s.PersonSerializer(person, context=self.ctx()).data)


class BuildingHousesView(Base):
    # Opened from the map on every building click; a tower's answer is ~350 kB of JSON.
    renderer_classes = [FastJSONRenderer, BrowsableAPIRenderer]

    @extend_schema(summary="以房找人：楼栋的房屋及住户（脱敏）")
    def get(self, request: Request, building_id: int) -> Response:
        building = self.unit(building_id)
        if building.level != Level.BUILDING:
            raise DomainError("not_a_building", "该单位不是楼栋。")
        houses, people = services.building_residents(building, request_user(request))
        for h in houses:
            h["label"] = f"{h['entrance']}单元{h['room']}室"
            h["residents"] = people.get(h["id"], [])
            h["resident_count"] = len(h["residents"])
        return Response({"building": {"id": building.pk, "code": building.code, "name": building.name},
                         "resident_count": sum(len(v) for v in people.values()), "houses": houses})


class StatsView(Base):
    @extend_schema(summary="单位人口统计（年龄段×性别、户数、标签、楼栋居住人数）")
    def get(self, request: Request, unit_id: int) -> Response:
        return Response(stats.unit_stats(self.unit(unit_id)))


class CodesView(Base):
    @extend_schema(summary="代码表（民族 GB/T 3304、与户主关系 GB/T 4761、政治面貌 GB/T 4762、标签）")
    def get(self, request: Request) -> Response:
        def table(d: dict[str, str]) -> list[dict[str, str]]:
            return [{"code": k, "label": v} for k, v in d.items()]

        return Response({
            "ethnicity": table(ETHNICITIES), "relation_to_head": table(RELATIONS_TO_HEAD),
            "political_status": table(POLITICAL_STATUS), "tags": [{"code": t.value, "label": t.label} for t in Tag],
            "house_relation": [{"code": t.value, "label": t.label} for t in HouseRelation],
        })


class ImportView(Base):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(request=s.ImportSerializer, summary="Excel 导入人口池/户信息（先预检，全部成功才写入）")
    def post(self, request: Request) -> Response:
        services.require_write(request_user(request))
        ser = s.ImportSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        pool = services.resolve_pool(request_user(request), d.get("pool"))
        key = _progress_key(request.user, d.get("job", ""))

        def progress(done: int, total: int, stage: str) -> None:
            if key:
                cache.set(key, {"stage": stage, "done": done, "total": total}, timeout=3600)

        report = spreadsheets.import_workbook(d["file"], user=request_user(request), pool=pool, dry_run=d["dry_run"],
                                              reason=d.get("reason") or "表格导入", progress=progress)
        if key:
            cache.set(key, {"stage": "完成", "done": report.rows, "total": report.rows, "ok": report.ok}, timeout=3600)
        return Response(report.as_dict(), status=200 if report.ok else 422)


def _progress_key(user: Any, job: str) -> str:
    return f"population-import:{user.pk}:{job}" if job else ""


class ImportProgressView(Base):
    @extend_schema(summary="导入进度（导入请求进行中时轮询；job 由客户端生成）")
    def get(self, request: Request, job: str) -> Response:
        state = cache.get(_progress_key(request.user, job))
        if state is None:
            raise DomainError("import_job_unknown", "没有该导入任务的进度。", status_code=404)
        return Response(state)


class ExportView(Base):
    parser_classes = [JSONParser, FormParser]

    @extend_schema(request=s.ExportSerializer, summary="导出人口池 .xlsx（默认脱敏；完整导出须管理员并填写事由）")
    def post(self, request: Request) -> HttpResponse:
        ser = s.ExportSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        unit = self.unit(d["unit"]) if d.get("unit") else request_user(request).unit
        if unit is None:
            raise DomainError("unit_required", "请选择导出的单位。")
        reason = d.get("reason", "")
        if d["full"]:
            if not roles.can_export_full(request.user):
                raise DomainError("export_forbidden", "只有单位管理员可以完整导出个人信息。", status_code=403)
            reason = services.require_reason(reason)
        qs = services.search_people(request_user(request), unit=unit).select_related("house__building", "household")
        data = spreadsheets.export_workbook(qs.iterator(chunk_size=2000), full=d["full"])
        audit.record(Action.EXPORT, unit, unit.path, after={"full": d["full"], "format": "xlsx"},
                     reason=reason or "导出人口池（脱敏）", actor=request.user)
        resp = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        resp["Content-Disposition"] = f'attachment; filename="population-{unit.code}.xlsx"'
        return resp
