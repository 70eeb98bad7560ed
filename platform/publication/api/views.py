"""Publication API: thin views over publication.services and core.workflow.services."""
from __future__ import annotations

from typing import Any

from core import roles
from core.errors import DomainError
from core.parsers import FormParser, JSONParser, MultiPartParser
from core.permissions import IsStaffAccount
from core.types import request_user
from core.workflow import services as workflow
from core.workflow.models import EDITABLE, State
from django.db.models import F, Q, QuerySet, Window
from django.db.models.functions import RowNumber
from django.http import FileResponse
from django.shortcuts import get_object_or_404
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from boundaries.models import AdminUnit

from .. import cadence, printing, services
from ..models import GROUPS, Attachment, AttachmentKind, Post
from . import serializers as out

MAX_PAGE = 100


def _int(value: str | None, name: str, default: int | None = None) -> int | None:
    if value in (None, ""):
        return default
    if not str(value).isdigit():
        raise DomainError("invalid_parameter", f"参数 {name} 应为非负整数。")
    return int(str(value))


def _page(request: Request, qs: QuerySet[Post]) -> tuple[list[Post], dict[str, Any]]:
    limit = min(_int(request.query_params.get("limit"), "limit", 20) or 20, MAX_PAGE)
    offset = _int(request.query_params.get("offset"), "offset", 0) or 0
    rows = list(qs[offset:offset + limit + 1])
    return rows[:limit], {"offset": offset, "limit": limit, "more": len(rows) > limit}


def _filter(request: Request, qs: QuerySet[Post]) -> QuerySet[Post]:
    p = request.query_params
    if channel := p.get("channel"):
        qs = qs.filter(channel=channel)
    if column := p.get("column"):
        qs = qs.filter(column=column)
    if category := p.get("category"):
        qs = qs.filter(category=category)
    if group := p.get("group"):
        if group not in GROUPS:
            raise DomainError("invalid_group", "未知的公开分组。")
        qs = qs.filter(category__in=GROUPS[group][1])
    if (unit := _int(p.get("unit"), "unit")) is not None:
        qs = qs.filter(unit_id=unit)
    if q := p.get("q"):
        qs = qs.filter(title__icontains=q[:50])
    return qs


class MetaView(APIView):
    permission_classes = [IsAuthenticated]

    def get(self, request: Request) -> Response:
        return Response(out.meta())


class FeedView(APIView):
    """What the signed-in person may read (core.audiences): pinned first, newest first."""

    permission_classes = [IsAuthenticated]

    def get(self, request: Request) -> Response:
        qs = services.with_units(_filter(request, services.readable(request.user)), "unit", "audience_unit")
        rows, page = _page(request, qs.order_by("-pinned", "-published_at", "-id"))
        return Response({"results": [out.feed_item(p) for p in rows], **page})


class HomeView(APIView):
    """The home screen in one request: the latest headlines, notices and 村(居)务公开 a person may read."""

    permission_classes = [IsAuthenticated]
    SIZES = {"headline": 10, "notice": 5, "affairs": 5}

    def get(self, request: Request) -> Response:
        # One query: the newest items of each channel, ranked within their channel.
        rank = Window(RowNumber(), partition_by=[F("channel")],
                      order_by=[F("pinned").desc(), F("published_at").desc(), F("id").desc()])
        rows = (services.with_units(services.readable(request.user), "unit", "audience_unit")
                .annotate(rank=rank).filter(rank__lte=max(self.SIZES.values())).order_by("channel", "rank"))
        answer: dict[str, list[dict[str, Any]]] = {channel: [] for channel in self.SIZES}
        for p in rows:
            if p.channel in answer and len(answer[p.channel]) < self.SIZES[p.channel]:
                answer[p.channel].append(out.feed_item(p))
        return Response(answer)


class FeedItemView(APIView):
    permission_classes = [IsAuthenticated]

    def get(self, request: Request, pk: int) -> Response:
        post = get_object_or_404(services.with_units(services.readable(request.user), "unit", "audience_unit"), pk=pk)
        if services.mark_read(request.user, post):
            post.read_count += 1
        return Response(out.reader_detail(post))


class PostListView(APIView):
    permission_classes = [IsStaffAccount]
    parser_classes = [JSONParser]

    def get(self, request: Request) -> Response:
        qs = services.managed(request.user)
        box = request.query_params.get("box", "all")
        if box == "drafts":
            qs = qs.filter(author=request_user(request), state__in=EDITABLE)
        elif box == "queue":
            qs = workflow.review_queue(qs, request.user)
        elif box == "mine":
            qs = qs.filter(author=request_user(request))
        elif box == "published":
            qs = qs.filter(state=State.PUBLISHED)
        elif box != "all":
            raise DomainError("invalid_box", "未知的列表。")
        if state := request.query_params.get("state"):
            qs = qs.filter(state=state)
        qs = services.with_units(_filter(request, qs), "unit", "audience_unit", "review_unit", "escalation_unit",
                                 "audience_unit__parent").select_related("author")
        rows, page = _page(request, qs.order_by("-updated_at", "-id"))
        return Response({"results": [out.manage_item(p, request.user) for p in rows], **page})

    def post(self, request: Request) -> Response:
        data = out.PostWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        unit_id = values.pop("unit", None)
        unit = request_user(request).unit if unit_id is None else AdminUnit.objects.filter(pk=unit_id).first()
        post = services.create_post(request.user, unit, values)
        return Response(out.manage_detail(post, request.user), status=201)


def _managed(request: Request, pk: int) -> Post:
    qs = services.with_units(services.managed(request.user), "unit", "audience_unit", "review_unit",
                             "escalation_unit", "audience_unit__parent").select_related("author")
    return get_object_or_404(qs, pk=pk)


class PostDetailView(APIView):
    permission_classes = [IsStaffAccount]
    parser_classes = [JSONParser]

    def get(self, request: Request, pk: int) -> Response:
        return Response(out.manage_detail(_managed(request, pk), request.user))

    def patch(self, request: Request, pk: int) -> Response:
        post = _managed(request, pk)
        data = out.PostWriteSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        values = {k: v for k, v in data.validated_data.items() if k != "unit"}
        post = services.update_post(request.user, post, values)
        return Response(out.manage_detail(_managed(request, post.pk), request.user))


class PostActionView(APIView):
    """POST /api/publication/posts/<id>/actions/<action>/ {"reason": "..."}: one workflow step."""

    permission_classes = [IsStaffAccount]
    parser_classes = [JSONParser]

    def post(self, request: Request, pk: int, action: str) -> Response:
        post = _managed(request, pk)
        data = out.ActionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        workflow.run(action, post, request.user, dict(data.validated_data).get("reason", ""))
        return Response(out.manage_detail(_managed(request, pk), request.user))


class PrintView(APIView):
    """POST: the 村(居)务公开 item as a PDF with the committee's seal (a recorded document)."""

    permission_classes = [IsStaffAccount]

    def post(self, request: Request, pk: int) -> Response:
        doc = printing.print_affairs(request.user, _managed(request, pk))
        return Response({"id": doc.pk, "title": doc.title, "pages": doc.pages,
                         "url": f"/api/documents/{doc.pk}/file/"}, status=201)


class TimelineView(APIView):
    permission_classes = [IsStaffAccount]

    def get(self, request: Request, pk: int) -> Response:
        return Response([out.event_dict(e) for e in workflow.timeline(_managed(request, pk))])


class AttachmentUploadView(APIView):
    permission_classes = [IsStaffAccount]
    parser_classes = [MultiPartParser, FormParser]

    def post(self, request: Request, pk: int) -> Response:
        post = _managed(request, pk)
        upload = request.FILES.get("file")
        if upload is None:
            raise DomainError("file_required", "请选择要上传的文件。")
        cover = str(request.POST.get("cover", "")).lower() in ("1", "true", "yes")
        att = services.add_attachment(request.user, post, upload, upload.name or "", cover=cover)
        return Response(out.attachment_dict(att), status=201)


class AttachmentView(APIView):
    permission_classes = [IsStaffAccount]

    def delete(self, request: Request, pk: int) -> Response:
        att = get_object_or_404(Attachment.objects.visible_to(request.user), pk=pk)
        services.remove_attachment(request.user, att)
        return Response(status=204)


CONTENT_TYPES = {AttachmentKind.IMAGE: "image/jpeg", AttachmentKind.PDF: "application/pdf",
                 AttachmentKind.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


class AttachmentFileView(APIView):
    """The file, for whoever may read the post (or manage it)."""

    permission_classes = [IsAuthenticated]

    def get(self, request: Request, pk: int) -> FileResponse:
        readable = Q(post__in=services.readable(request.user).values("pk"))
        if roles.is_staff_account(request.user):
            readable |= Q(post__in=services.managed(request.user).values("pk"))
        att = get_object_or_404(Attachment.objects.filter(readable), pk=pk)
        try:
            handle = att.file.open("rb")
        except FileNotFoundError:
            raise DomainError("file_missing", "文件已不存在。", status_code=404) from None
        response = FileResponse(handle, content_type=CONTENT_TYPES[AttachmentKind(att.kind)],
                                as_attachment=att.kind == AttachmentKind.XLSX, filename=att.name)
        response["Cache-Control"] = "private, max-age=86400"
        return response


class CadenceView(APIView):
    """村(居)务公开 cadence: each village in the user's jurisdiction (or under ?unit=), overdue first."""

    permission_classes = [IsStaffAccount]

    def get(self, request: Request) -> Response:
        units = AdminUnit.objects.visible_to(request.user)
        if (unit_id := _int(request.query_params.get("unit"), "unit")) is not None:
            root = get_object_or_404(units, pk=unit_id)
            units = units.filter(path__startswith=root.path)
        statuses = cadence.village_status(units)
        if request.query_params.get("overdue") in ("1", "true"):
            statuses = [s for s in statuses if s.overdue]
        statuses.sort(key=lambda s: (not s.overdue, s.unit.code))
        return Response({"rules": cadence.rules_payload(),
                         "villages": [s.as_dict() for s in statuses],
                         "overdue_count": sum(1 for s in statuses if s.overdue)})
