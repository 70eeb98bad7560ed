"""``/api/jobs/``: my jobs (and, for unit administrators, their units' jobs), one job, its result
file, and starting the kinds that allow it."""
from __future__ import annotations

from django.http import FileResponse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from ...errors import DomainError
from ...permissions import IsSignedIn
from .. import services
from ..models import Job
from .serializers import JobSerializer, StartSerializer

LIST_LIMIT = 50


class JobsView(APIView):
    permission_classes = [IsSignedIn]

    @extend_schema(parameters=[OpenApiParameter("mine", bool, description="只看我发起的"),
                               OpenApiParameter("active", bool, description="只看未结束的")],
                   responses=JobSerializer(many=True), summary="后台任务列表（最新50个）")
    def get(self, request: Request) -> Response:
        qs = Job.objects.visible_to(request.user).select_related("user", "unit")
        if request.query_params.get("mine") not in (None, "", "0", "false"):
            qs = qs.filter(user=request.user)
        if request.query_params.get("active") not in (None, "", "0", "false"):
            qs = qs.filter(status__in=["queued", "running"])
        return Response({"results": JobSerializer(qs[:LIST_LIMIT], many=True).data})

    @extend_schema(request=StartSerializer, responses={201: JobSerializer}, summary="发起后台任务")
    def post(self, request: Request) -> Response:
        ser = StartSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        job = services.start_from_request(request.user, ser.validated_data["kind"], ser.validated_data["params"])
        return Response(JobSerializer(job).data, status=201)


class JobView(APIView):
    permission_classes = [IsSignedIn]

    @extend_schema(responses=JobSerializer, summary="任务进度")
    def get(self, request: Request, pk: int) -> Response:
        return Response(JobSerializer(services.job_for(request.user, pk)).data)


class JobResultView(APIView):
    permission_classes = [IsSignedIn]

    @extend_schema(responses={(200, "application/octet-stream"): bytes}, summary="下载任务结果文件")
    def get(self, request: Request, pk: int) -> FileResponse:
        job = services.job_for(request.user, pk)
        if not job.result_file:
            raise DomainError("job_no_result", "该任务没有结果文件。", status_code=404)
        try:
            handle = job.result_file.open("rb")
        except FileNotFoundError:
            raise DomainError("job_result_missing", "结果文件已不存在。", status_code=410) from None
        return FileResponse(handle, as_attachment=True, filename=job.result_name or "result")
