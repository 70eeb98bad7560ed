"""One error type for refused user input, and the API's error body.

Services raise ``DomainError(code, message)``: ``code`` is stable and machine-readable, ``message``
is Chinese text a village clerk understands. The API answers 400 (or the given status) with
``{"code": ..., "detail": ..., "extra": {...}}``; nothing a user can send yields a 500.
"""
from __future__ import annotations

from typing import Any

from rest_framework import status
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.response import Response
from rest_framework.views import exception_handler


class DomainError(Exception):
    def __init__(self, code: str, message: str, *, status_code: int = 400, extra: dict[str, Any] | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.status_code = status_code
        self.extra = extra or {}

    def as_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "detail": self.message}
        if self.extra:
            body["extra"] = self.extra
        return body


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DomainError):
        return Response(exc.as_dict(), status=exc.status_code)
    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, ValidationError):
        response.data = {"code": "invalid", "detail": "提交的数据有误。", "errors": response.data}
    elif isinstance(exc, APIException):
        detail = response.data.get("detail", "") if isinstance(response.data, dict) else response.data
        response.data = {"code": exc.get_codes() if isinstance(exc.get_codes(), str) else "error", "detail": str(detail)}
    if response.status_code == status.HTTP_500_INTERNAL_SERVER_ERROR:  # pragma: no cover - defensive
        response.data = {"code": "server_error", "detail": "服务器内部错误。"}
    return response
