"""``/api/messages/``: the signed-in account's in-app messages; ``/api/notices/<id>/``: a sent
notice's delivery counts; ``/api/sms/opt-outs/``: record that someone wants no more SMS."""
from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from ...errors import DomainError
from ...permissions import IsSignedIn, IsStaffAccount, ReadStaffWriteWriter
from .. import services
from ..models import Message, Notice
from .serializers import MessageSerializer, NoticeSerializer, OptOutSerializer


class Pagination(PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100


class MessagesView(APIView):
    permission_classes = [IsSignedIn]

    @extend_schema(parameters=[OpenApiParameter("unread", bool, description="只看未读")],
                   responses=MessageSerializer(many=True), summary="我的站内消息")
    def get(self, request: Request) -> Response:
        unread = request.query_params.get("unread") not in (None, "", "0", "false")
        pager = Pagination()
        page: list[Message] | None = pager.paginate_queryset(services.messages_of(request.user, unread=unread),
                                                            request, view=self)
        count = pager.page.paginator.count if pager.page is not None else 0
        return Response({"count": count, "unread": services.unread_count(request.user),
                         "next": pager.get_next_link(), "previous": pager.get_previous_link(),
                         "results": MessageSerializer(page, many=True).data})


class MessageReadView(APIView):
    permission_classes = [IsSignedIn]

    @extend_schema(request=None, responses=MessageSerializer, summary="标记为已读")
    def post(self, request: Request, pk: int) -> Response:
        return Response(MessageSerializer(services.mark_read(request.user, pk)).data)


class MessagesReadAllView(APIView):
    permission_classes = [IsSignedIn]

    @extend_schema(request=None, responses={200: dict}, summary="全部标记为已读")
    def post(self, request: Request) -> Response:
        return Response({"marked": services.mark_all_read(request.user)})


class NoticeView(APIView):
    permission_classes = [IsStaffAccount]

    @extend_schema(responses=NoticeSerializer, summary="通知的送达情况")
    def get(self, request: Request, pk: int) -> Response:
        notice = Notice.objects.visible_to(request.user).filter(pk=pk).first()
        if notice is None:
            raise DomainError("notice_not_found", "通知不存在或不在您的管辖范围内。", status_code=404)
        return Response(NoticeSerializer(notice).data)


class OptOutView(APIView):
    permission_classes = [ReadStaffWriteWriter]

    @extend_schema(request=OptOutSerializer, responses={201: dict}, summary="登记短信退订（手机号或人员）")
    def post(self, request: Request) -> Response:
        ser = OptOutSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        row = services.opt_out(by=request.user, **ser.validated_data)
        return Response({"id": row.pk, "phone": row.phone_masked, "person_ref": row.person_ref}, status=201)
