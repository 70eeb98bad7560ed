"""Reading a request's body in views: the body must be a JSON object (or a form), validated by a
serializer, so a wrong top-level type or a wrong field type is a 400 with a code, never a 500."""
from __future__ import annotations

from typing import Any

from rest_framework import serializers
from rest_framework.request import Request

from .errors import DomainError


def body(request: Request) -> dict[str, Any]:
    """The request's JSON object or form; any other top-level value (a list, a string, ``false``) is
    refused with ``invalid_body``."""
    data: Any = request.data
    if not hasattr(data, "keys") or not hasattr(data, "get"):  # a dict, or a QueryDict of a form
        raise DomainError("invalid_body", "请求内容应为 JSON 对象。")
    out: dict[str, Any] = data
    return out


def validated(serializer_class: type[serializers.Serializer], request: Request, **kwargs: Any) -> dict[str, Any]:
    """``serializer_class``'s validated data for the request's body (400 ``invalid`` otherwise)."""
    ser = serializer_class(data=body(request), **kwargs)
    ser.is_valid(raise_exception=True)
    return dict(ser.validated_data)
