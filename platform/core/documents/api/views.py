"""Seals (``/api/seals/``), issued documents (``/api/documents/``) and the public verification page
(``/verify/<token>``, no sign-in: whoever holds the paper may check it)."""
from __future__ import annotations

from typing import Any

from django.apps import apps
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.parsers import FormParser, MultiPartParser

from ...errors import DomainError
from ...permissions import IsStaffAccount
from .. import render as rendering
from .. import seals as seal_service
from ..models import Document, Seal
from .serializers import DocumentSerializer, SealSerializer, SealUploadSerializer


def _seal(request: Request, pk: int) -> Seal:
    seal = seal_service.seals_for(request.user).filter(pk=pk).first()
    if seal is None:
        raise DomainError("seal_not_found", "印章不存在或不在您的管辖范围内。", status_code=404)
    return seal


def _unit(request: Request, pk: Any) -> Any:
    AdminUnit = apps.get_model("adminunits", "AdminUnit")  # the kernel names no module
    try:
        key = int(str(pk))
    except ValueError:
        key = 0
    unit = AdminUnit.objects.visible_to(request.user).filter(pk=key).first() if 0 < key < 2**63 else None
    if unit is None:
        raise DomainError("unit_not_found", "单位不存在或不在您的管辖范围内。", status_code=404)
    return unit


class SealsView(APIView):
    permission_classes = [IsStaffAccount]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(parameters=[OpenApiParameter("unit", int), OpenApiParameter("all", bool, description="含已停用")],
                   responses=SealSerializer(many=True), summary="印章列表")
    def get(self, request: Request) -> Response:
        qs = seal_service.seals_for(request.user)
        if request.query_params.get("unit"):
            qs = qs.filter(unit=_unit(request, request.query_params["unit"]))
        if request.query_params.get("all") in (None, "", "0", "false"):
            qs = qs.filter(active=True)
        return Response({"results": SealSerializer(qs[:200], many=True).data})

    @extend_schema(request=SealUploadSerializer, responses={201: SealSerializer}, summary="上传印章（PNG）")
    def post(self, request: Request) -> Response:
        ser = SealUploadSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        seal = seal_service.upload_seal(request.user, _unit(request, d["unit"]), d["kind"], d["image"])
        return Response(SealSerializer(seal).data, status=201)


class SealView(APIView):
    permission_classes = [IsStaffAccount]

    @extend_schema(responses=SealSerializer, summary="印章")
    def get(self, request: Request, pk: int) -> Response:
        return Response(SealSerializer(_seal(request, pk)).data)

    @extend_schema(responses=SealSerializer, summary="停用印章（留档）")
    def delete(self, request: Request, pk: int) -> Response:
        return Response(SealSerializer(seal_service.retire_seal(request.user, _seal(request, pk))).data)


class SealImageView(APIView):
    permission_classes = [IsStaffAccount]

    @extend_schema(responses={(200, "image/png"): bytes}, summary="印章图片")
    def get(self, request: Request, pk: int) -> FileResponse:
        seal = _seal(request, pk)
        response = FileResponse(seal.image.open("rb"), content_type="image/png")
        response["Cache-Control"] = "private, max-age=3600"
        return response


class SealPreviewView(APIView):
    """The sample page with this seal, as a web page (shown in the seal dialog) or as a PDF."""

    permission_classes = [IsStaffAccount]

    @extend_schema(responses={(200, "text/html"): str}, summary="印章样张（网页）")
    def get(self, request: Request, pk: int, pdf: bool = False) -> HttpResponse:
        seal = _seal(request, pk)
        title = f"{seal.get_kind_display()}样张"
        if pdf:
            data, _ = rendering.pdf_bytes("documents/sample.html", [{}], common={}, unit=seal.unit,
                                          seals={seal.kind: seal}, title=title, token=None)
            response = HttpResponse(data, content_type="application/pdf")
            response["Content-Disposition"] = f'inline; filename="seal-{seal.pk}-sample.pdf"'
            return response
        html = rendering.render_html("documents/sample.html", {}, unit=seal.unit, seals=[seal], title=title)
        return HttpResponse(html)

    # The seal dialog shows the sample page in a frame of the map page (same origin only).
    @classmethod
    def as_view(cls, **initkwargs: Any) -> Any:
        return xframe_options_sameorigin(super().as_view(**initkwargs))


class DocumentFileView(APIView):
    permission_classes = [IsStaffAccount]

    @extend_schema(responses={(200, "application/pdf"): bytes}, summary="下载文书 PDF")
    def get(self, request: Request, pk: int) -> FileResponse:
        document = Document.objects.visible_to(request.user).filter(pk=pk).first()
        if document is None or not document.file:
            raise DomainError("document_not_found", "文书不存在或不在您的管辖范围内。", status_code=404)
        return FileResponse(document.file.open("rb"), content_type="application/pdf",
                            filename=f"{document.title}.pdf")


class DocumentView(APIView):
    permission_classes = [IsStaffAccount]

    @extend_schema(responses=DocumentSerializer, summary="文书记录")
    def get(self, request: Request, pk: int) -> Response:
        document = Document.objects.visible_to(request.user).select_related("unit").filter(pk=pk).first()
        if document is None:
            raise DomainError("document_not_found", "文书不存在或不在您的管辖范围内。", status_code=404)
        return Response(DocumentSerializer(document).data)


@require_GET
def verify(request: HttpRequest, token: str) -> HttpResponse:
    """What a scanned QR opens: the record of the document (no personal data), or a plain "not ours"."""
    document = Document.objects.select_related("unit").filter(token=token).first() if len(token) <= 40 else None
    response = render(request, "documents/verify.html", {"document": document}, status=200 if document else 404)
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex"
    return response
