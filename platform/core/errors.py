"""One error type for refused user input, and the API's error body.

Services raise ``DomainError(code, message)``: ``code`` is stable and machine-readable, ``message``
is Chinese text a village clerk understands. The API answers 400 (or the given status) with
``{"code": ..., "detail": ..., "extra": {...}}``; nothing a user can send yields a 500.
"""
from __future__ import annotations

from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.response import Response


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


# DRF's own refusals in the platform's words: a stable code and a Chinese message (DRF's defaults are
# English or name the model, e.g. "No Person matches the given query.").
STANDARD: dict[type[APIException], tuple[str, str]] = {
    exceptions.NotFound: ("not_found", "未找到该对象，或不在您的管辖范围内。"),
    exceptions.ParseError: ("invalid_json", "请求内容不是有效的 JSON。"),
    exceptions.NotAuthenticated: ("not_authenticated", "请先登录。"),
    exceptions.AuthenticationFailed: ("authentication_failed", "登录凭据无效或已失效，请重新登录。"),
    exceptions.MethodNotAllowed: ("method_not_allowed", "不支持该请求方法。"),
    exceptions.NotAcceptable: ("not_acceptable", "无法提供所要求的响应格式。"),
    exceptions.UnsupportedMediaType: ("unsupported_media_type", "不支持该请求内容类型，请提交 JSON。"),
    exceptions.Throttled: ("throttled", "请求过于频繁，请稍后再试。"),
}
DEFAULT_PERMISSION_MESSAGE = str(exceptions.PermissionDenied.default_detail)


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DomainError):
        return Response(exc.as_dict(), status=exc.status_code)
    if isinstance(exc, RequestDataTooBig):
        from django.conf import settings

        from .parsers import too_large

        error = too_large(int(settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0))
        return Response(error.as_dict(), status=error.status_code)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    # Imported here: rest_framework.views loads the parser classes (core.parsers), which import this module.
    from rest_framework.views import exception_handler

    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, ValidationError):
        response.data = {"code": "invalid", "detail": "提交的数据有误。", "errors": response.data}
    elif isinstance(exc, APIException) and type(exc) in STANDARD:
        code, message = STANDARD[type(exc)]
        response.data = {"code": code, "detail": message}
    elif isinstance(exc, exceptions.PermissionDenied):
        # A permission class's own message (core.permissions) is Chinese; DRF's default is not.
        detail = str(exc.detail)
        codes = exc.get_codes()
        response.data = {"code": codes if isinstance(codes, str) and codes != "permission_denied" else "forbidden",
                         "detail": "当前账号无权执行此操作。" if detail == DEFAULT_PERMISSION_MESSAGE else detail}
    elif isinstance(exc, APIException):
        detail = response.data.get("detail", "") if isinstance(response.data, dict) else response.data
        response.data = {"code": exc.get_codes() if isinstance(exc.get_codes(), str) else "error", "detail": str(detail)}
    if response.status_code == status.HTTP_500_INTERNAL_SERVER_ERROR:  # pragma: no cover - defensive
        response.data = {"code": "server_error", "detail": "服务器内部错误。"}
    return response
