from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.functional import SimpleLazyObject

from .context import acting_as


def client_ip(request: HttpRequest) -> str | None:
    # REMOTE_ADDR only: X-Forwarded-For is client-controlled unless a trusted proxy rewrites it.
    return request.META.get("REMOTE_ADDR")


class AuditContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # Resolved on first use, i.e. when a change is recorded: by then DRF has authenticated the
        # request (token users included) and set request.user to the real user.
        user = SimpleLazyObject(lambda: getattr(request, "user", None))
        with acting_as(user=user, ip=client_ip(request)):
            return self.get_response(request)
