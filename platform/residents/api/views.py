"""民政易 API: my community and my claim (residents), claims to confirm (community staff)."""
from __future__ import annotations

from typing import Any

from core.errors import DomainError
from core.permissions import IsStaffAccount, ReadAnyWriteResident
from core.types import request_user
from django.shortcuts import get_object_or_404
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from boundaries.levels import Level
from boundaries.models import AdminUnit

from .. import services
from ..models import ClaimStatus, CommunityClaim


class ClaimSerializer(serializers.Serializer):
    community = serializers.IntegerField()
    name = serializers.CharField(max_length=50)
    id_number = serializers.CharField(max_length=30)
    phone = serializers.CharField(max_length=30)


class DecisionSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True)


def _unit(u: AdminUnit | None) -> dict[str, Any] | None:
    return {"id": u.pk, "code": u.code, "name": u.name, "level": u.level, "kind": u.kind} if u else None


class MyCommunityView(APIView):
    """GET: my community and my latest claim (its status only); POST: claim a person record."""

    permission_classes = [ReadAnyWriteResident]

    def get(self, request: Request) -> Response:
        user = request_user(request)
        claim = CommunityClaim.objects.filter(user=user).select_related("community").first()
        unit = user.unit
        chain = [*AdminUnit.objects.ancestors_of(unit), unit] if unit is not None else []
        return Response({
            "community": _unit(unit) if unit is not None and unit.level == Level.COMMUNITY else None,
            "levels": [_unit(u) for u in chain if u.level >= Level.DISTRICT],
            "claim": {"id": claim.pk, "status": claim.status, "status_label": claim.get_status_display(),
                      "community": _unit(claim.community), "created_at": claim.created_at,
                      "reason": claim.reason if claim.status == ClaimStatus.REJECTED else ""} if claim else None,
        })

    def post(self, request: Request) -> Response:
        data = ClaimSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        claim = services.submit_claim(request.user, v["community"], v["name"], v["id_number"], v["phone"])
        # Nothing about the match: the same answer for every well-formed claim.
        return Response({"id": claim.pk, "status": "submitted", "detail": "已提交，等待社区工作人员确认。"}, status=202)


class CommunitySearchView(APIView):
    """Villages/communities by name, for the claim form (names and codes are public)."""

    permission_classes = [IsAuthenticated]

    def get(self, request: Request) -> Response:
        q = (request.query_params.get("q") or "").strip()[:30]
        if not q:
            return Response([])
        units = AdminUnit.objects.filter(level=Level.COMMUNITY, name__icontains=q).select_related("parent")[:20]
        return Response([{**(_unit(u) or {}), "town": u.parent.name if u.parent is not None else ""} for u in units])


class ClaimListView(APIView):
    """Claims to the communities in my jurisdiction (pending by default)."""

    permission_classes = [IsStaffAccount]

    def get(self, request: Request) -> Response:
        status = request.query_params.get("status", ClaimStatus.PENDING)
        if status not in ClaimStatus.values:
            raise DomainError("invalid_status", "未知的申请状态。")
        qs = (CommunityClaim.objects.visible_to(request.user).filter(status=status)
              .select_related("community", "user", "person")[:200])
        return Response([{
            "id": c.pk, "community": _unit(c.community), "name": c.name, "status": c.status,
            "account": c.user.display_name or c.user.username, "created_at": c.created_at,
            "matched": c.person_id is not None,
            "person": {"name": c.person.name, "id_masked": c.person.id_masked, "phone_masked": c.person.phone_masked}
            if c.person is not None else None,
            "may_decide": services.may_decide(request.user, c),
        } for c in qs])


class ClaimDecisionView(APIView):
    permission_classes = [IsStaffAccount]

    def post(self, request: Request, pk: int, decision: str) -> Response:
        if decision not in ("confirm", "reject"):
            raise DomainError("unknown_action", "未知的操作。")
        data = DecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        claim = get_object_or_404(CommunityClaim.objects.visible_to(request.user), pk=pk)
        claim = services.decide(request.user, claim, decision == "confirm", dict(data.validated_data).get("reason", ""))
        return Response({"id": claim.pk, "status": claim.status, "status_label": claim.get_status_display()})


