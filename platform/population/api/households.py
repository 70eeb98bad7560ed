"""Population API, second part: households (户), the directory of destination communities and the
workbook import as a background job. Thin views over population.households and core.jobs."""
from __future__ import annotations

import uuid
from typing import Any

from core.errors import DomainError
from core.jobs.models import Job
from core.jobs.services import start_job
from core.parsers import FormParser, JSONParser, MultiPartParser
from core.requests import body
from core.types import request_user
from django.core.files.storage import default_storage
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from .. import households as hh_services
from .. import services
from ..codes import RELATIONS_TO_HEAD
from ..models import Household
from . import serializers as s
from .views import Base

MAX_UPLOAD = 20 * 1024 * 1024


class HouseholdSerializer(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="unit.name", default=None, read_only=True)
    address = serializers.SerializerMethodField()
    member_count = serializers.IntegerField(read_only=True, default=0)

    class Meta:
        model = Household
        fields = ["id", "number", "unit", "unit_name", "house", "address", "member_count"]
        read_only_fields = fields

    def get_address(self, h: Household) -> str | None:
        return f"{h.house.building.name}{s.house_label(h.house)}" if h.house is not None else None


class HouseholdCreateSerializer(serializers.Serializer):
    pool = serializers.IntegerField(required=False)
    number = serializers.CharField(max_length=30, required=False, allow_blank=True)
    head = serializers.IntegerField(required=False)
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True)


class MemberSerializer(serializers.Serializer):
    person = serializers.IntegerField()
    relation_to_head = serializers.ChoiceField(choices=list(RELATIONS_TO_HEAD))
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True)


class MoveSerializer(serializers.Serializer):
    house = serializers.IntegerField()
    reason = serializers.CharField(max_length=500)


class DirectoryView(Base):
    @extend_schema(parameters=[OpenApiParameter("q", str)], summary="转出目的地：按名称或代码查找全市的村（社区）")
    def get(self, request: Request) -> Response:
        return Response({"results": hh_services.community_directory(request.query_params.get("q", ""))})


class HouseholdBase(Base):
    def household(self, pk: int) -> Household:
        return get_object_or_404(hh_services.households(request_user(self.request)), pk=pk)


class HouseholdsView(HouseholdBase):
    @extend_schema(parameters=[OpenApiParameter("unit", int), OpenApiParameter("q", str)],
                   responses=HouseholdSerializer(many=True), summary="本辖区的户")
    def get(self, request: Request) -> Response:
        raw = request.query_params.get("unit")
        pool = self.unit(raw) if raw else None
        qs = hh_services.households(request_user(request), pool, request.query_params.get("q", ""))
        return self.page(qs, HouseholdSerializer)

    @extend_schema(request=HouseholdCreateSerializer, responses=HouseholdSerializer, summary="立户")
    def post(self, request: Request) -> Response:
        ser = HouseholdCreateSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        head = self.person(d["head"]) if d.get("head") else None
        hh = hh_services.create_household(request_user(request), d.get("pool"), head, d.get("number", ""),
                                          d.get("reason", ""))
        return Response(HouseholdSerializer(self.household(hh.pk)).data, status=201)


class HouseholdView(HouseholdBase):
    @extend_schema(responses=HouseholdSerializer, summary="户的详情及成员（脱敏）")
    def get(self, request: Request, pk: int) -> Response:
        hh = self.household(pk)
        members = hh.members.select_related("pool", "house__building").order_by("relation_to_head", "id")
        return Response({**HouseholdSerializer(hh).data,
                         "members": s.PersonSerializer(members, many=True, context=self.ctx()).data})


class HouseholdMembersView(HouseholdBase):
    @extend_schema(request=MemberSerializer, responses=s.PersonSerializer, summary="把人员加入户")
    def post(self, request: Request, pk: int) -> Response:
        ser = MemberSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        person = hh_services.join_household(request_user(request), self.household(pk), self.person(d["person"]),
                                            d["relation_to_head"], d.get("reason", ""))
        return Response(s.PersonSerializer(person, context=self.ctx()).data)


class HouseholdMoveView(HouseholdBase):
    @extend_schema(request=MoveSerializer, responses=HouseholdSerializer, summary="整户迁居（成员随户迁往新房屋）")
    def post(self, request: Request, pk: int) -> Response:
        ser = MoveSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        hh = hh_services.move_household(request_user(request), self.household(pk), d["house"], d["reason"])
        return Response(HouseholdSerializer(self.household(hh.pk)).data)


class LeaveHouseholdView(Base):
    @extend_schema(request=s.ReasonSerializer, responses=s.PersonSerializer, summary="移出户")
    def post(self, request: Request, pk: int) -> Response:
        person = hh_services.leave_household(request_user(request), self.person(pk), body(request).get("reason", ""))
        return Response(s.PersonSerializer(person, context=self.ctx()).data)


class ImportJobSerializer(serializers.Serializer):
    file = serializers.FileField(required=False)
    checked = serializers.IntegerField(required=False, help_text="预检任务号：写入它检查过的同一个文件")
    pool = serializers.IntegerField(required=False)
    dry_run = serializers.BooleanField(default=True)
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True)


class ImportJobView(Base):
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(request=ImportJobSerializer, summary="Excel 导入（后台任务：先预检，确认后写入同一文件）")
    def post(self, request: Request) -> Response:
        user = request_user(request)
        services.require_write(user)
        ser = ImportJobSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        pool = services.resolve_pool(user, d.get("pool"))
        if d.get("checked"):
            # Only a check this user ran on this pool, and that passed: its file is written as checked.
            prior = Job.objects.filter(pk=d["checked"], user=user, kind="population.import_workbook").first()
            if prior is None or prior.params.get("pool") != pool.pk or not (prior.result or {}).get("ok"):
                raise DomainError("import_check_missing", "请先上传表格并通过预检。")
            name = prior.params["file"]
            if not default_storage.exists(name):
                raise DomainError("import_file_gone", "预检的文件已不存在，请重新上传。")
        else:
            upload: Any = d.get("file")
            if upload is None:
                raise DomainError("file_required", "请选择要导入的 Excel 文件（.xlsx）。")
            if upload.size > MAX_UPLOAD:
                raise DomainError("file_too_large", "文件超过 20 MB。")
            name = default_storage.save(f"imports/{uuid.uuid4().hex}.xlsx", upload)
        job = start_job("population.import_workbook", user=user, unit=pool,
                        params={"file": name, "pool": pool.pk, "dry_run": d["dry_run"],
                                "reason": (d.get("reason") or "表格导入")[:500]},
                        title="人口表格预检" if d["dry_run"] else "人口表格导入")
        return Response({"id": job.pk, "status": job.status}, status=202)
