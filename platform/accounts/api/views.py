"""Accounts API: who am I, tokens, and account/organisation management for unit administrators."""
from __future__ import annotations

from core.errors import DomainError
from core.permissions import IsUnitAdmin, ReadStaffWriteAdmin
from core.types import request_user
from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.authtoken.models import Token
from rest_framework.decorators import action
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import services, throttle
from ..forms import LOCKED_MESSAGE
from ..models import Department, Organisation, User
from .serializers import (
    DepartmentSerializer,
    MeSerializer,
    OrganisationSerializer,
    PasswordSerializer,
    TokenRequestSerializer,
    UserSerializer,
)


class Pagination(PageNumberPagination):
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000


class MeView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=MeSerializer)
    def get(self, request: Request) -> Response:
        return Response(MeSerializer(request.user).data)


class TokenView(APIView):
    """``POST {username, password}`` → ``{token}``; ``DELETE`` (authenticated) revokes it."""

    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(request=TokenRequestSerializer, responses={200: dict})
    def post(self, request: Request) -> Response:
        data = TokenRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        username, password = data.validated_data["username"], data.validated_data["password"]
        if throttle.is_locked(username, request._request):
            raise DomainError("login_rate_limited", LOCKED_MESSAGE, status_code=status.HTTP_429_TOO_MANY_REQUESTS)
        # A failure fires user_login_failed: counted and audited in accounts.throttle.
        user = authenticate(request._request, username=username, password=password)
        if user is None:
            raise DomainError("invalid_credentials", "用户名或密码错误。", status_code=status.HTTP_400_BAD_REQUEST)
        throttle.reset(username, request._request)
        token, _ = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})


class TokenRevokeView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request) -> Response:
        Token.objects.filter(user=request_user(request)).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)


class UserViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                  mixins.UpdateModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet):
    """Accounts of the administrator's subtree. DELETE deactivates (the audit trail keeps the account)."""

    queryset = User.objects.none()
    serializer_class = UserSerializer
    permission_classes = [IsUnitAdmin]
    pagination_class = Pagination
    filterset_fields = ["unit", "role", "login_type", "is_active"]

    def get_queryset(self) -> QuerySet[User]:
        return (User.objects.visible_to(self.request.user).select_related("unit", "department__organisation")
                .order_by("unit__path", "username"))

    def perform_destroy(self, instance: User) -> None:
        if instance.pk == self.request.user.pk:
            raise DomainError("self_change", "不能停用自己的账号。")
        services.deactivate(instance)

    @extend_schema(request=PasswordSerializer, responses={204: None})
    @action(detail=True, methods=["post"], url_path="set-password")
    def set_password(self, request: Request, pk: str | None = None) -> Response:
        target = self.get_object()
        body = PasswordSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            services.set_password(target, body.validated_data["password"], request_user(request))
        except DjangoValidationError as exc:
            raise DomainError("password_policy", "；".join(exc.messages)) from None
        return Response(status=status.HTTP_204_NO_CONTENT)


class OrganisationViewSet(viewsets.ModelViewSet):
    queryset = Organisation.objects.none()
    serializer_class = OrganisationSerializer
    permission_classes = [ReadStaffWriteAdmin]
    pagination_class = Pagination
    filterset_fields = ["unit"]

    def get_queryset(self) -> QuerySet[Organisation]:
        return Organisation.objects.visible_to(self.request.user).select_related("unit").order_by("unit__path", "name")


class DepartmentViewSet(viewsets.ModelViewSet):
    queryset = Department.objects.none()
    serializer_class = DepartmentSerializer
    permission_classes = [ReadStaffWriteAdmin]
    pagination_class = Pagination
    filterset_fields = ["organisation"]

    def get_queryset(self) -> QuerySet[Department]:
        return Department.objects.visible_to(self.request.user).select_related("organisation").order_by("id")
