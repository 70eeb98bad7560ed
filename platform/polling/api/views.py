"""Polling API: thin views over polling.services and the vote-outcome function."""
from __future__ import annotations

from core.permissions import IsSignedIn
from core.types import request_user
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import outcome


class EvaluateOutcomeView(APIView):
    """``POST /api/polling/evaluate/outcome/``: the outcome of a vote from JSON (docs/polling.md),
    each conclusion with its rule and citation. Writes nothing; any signed-in account may ask (the
    same function the counting uses, so a clerk can check a paper tally against the law)."""

    permission_classes = [IsSignedIn]

    def post(self, request: Request) -> Response:
        user = request_user(request)
        unit = getattr(user, "unit", None)
        return Response(outcome.evaluate(request.data, province=getattr(unit, "code", None)))
