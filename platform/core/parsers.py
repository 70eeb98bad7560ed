"""Request parsing that turns every malformed body into a ``DomainError`` (``{"code", "detail"}``).

The API's parsers, set as DRF's defaults (``REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"]``):

* JSON is parsed by orjson (no recursion in C, no ``RecursionError``); a document nested deeper
  than ``MAX_JSON_DEPTH`` is refused (``json_too_deep``) before any serializer walks it, because
  serializers, GEOS and the audit trail's JSON encoder all recurse. ``NaN``/``Infinity`` and
  invalid UTF-8 are refused like any other malformed JSON (``invalid_json``).
* Forms and multipart bodies: Django's own parsing errors (a broken boundary, too many fields, a
  body over the size limit) become ``invalid_form`` / ``body_too_large``.

The body's size is checked before parsing by ``core.middleware.RequestLimitsMiddleware``
(``body_too_large``, 413); the parsers see only bodies within ``MAX_REQUEST_BYTES``.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import IO, Any

import orjson
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation, TooManyFieldsSent
from django.http.multipartparser import MultiPartParserError
from rest_framework import exceptions, parsers

from .errors import DomainError

# GeoJSON needs 6 levels (FeatureCollection → features → Feature → geometry → coordinates of a
# MultiPolygon's 4 nested arrays); nothing in the API needs more than a handful more.
MAX_JSON_DEPTH = 32


def too_large(limit: int) -> DomainError:
    return DomainError("body_too_large", f"提交的内容过大（上限 {limit // 1024 // 1024} MB）。", status_code=413,
                       extra={"max_bytes": limit})


def json_depth_exceeds(value: Any, limit: int = MAX_JSON_DEPTH) -> bool:
    """True when ``value`` nests lists/objects deeper than ``limit``; iterative (no recursion)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return True
        # Scalars need no visit: only containers can deepen the document.
        stack.extend((c, depth + 1) for c in children if isinstance(c, dict | list))
    return False


def loads(raw: bytes | str) -> Any:
    """Parse a JSON document the way the API does, or raise the API's DomainError."""
    try:
        value = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        if "depth" in str(exc).lower() or "recursion" in str(exc).lower():
            raise DomainError("json_too_deep", f"JSON 嵌套层数过多（上限 {MAX_JSON_DEPTH} 层）。") from None
        raise DomainError("invalid_json", "请求内容不是有效的 JSON。") from None
    if json_depth_exceeds(value):
        raise DomainError("json_too_deep", f"JSON 嵌套层数过多（上限 {MAX_JSON_DEPTH} 层）。")
    return value


class JSONParser(parsers.JSONParser):
    def parse(self, stream: IO[bytes] | None, media_type: str | None = None,
              parser_context: Mapping[str, Any] | None = None) -> Any:
        raw = stream.read() if stream is not None else b""
        if not raw.strip():
            return {}
        return loads(raw)


def _django_parse_errors(exc: Exception) -> DomainError:
    from django.conf import settings

    if isinstance(exc, RequestDataTooBig):
        return too_large(settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0)
    if isinstance(exc, TooManyFieldsSent):
        return DomainError("invalid_form", "表单字段过多。")
    return DomainError("invalid_form", "表单内容无法解析。")


class FormParser(parsers.FormParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: Mapping[str, Any] | None = None) -> Any:
        try:
            return super().parse(stream, media_type, parser_context)
        except (SuspiciousOperation, MultiPartParserError, UnicodeDecodeError, ValueError) as exc:
            raise _django_parse_errors(exc) from None


class MultiPartParser(parsers.MultiPartParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: Mapping[str, Any] | None = None) -> Any:
        try:
            return super().parse(stream, media_type, parser_context)
        except exceptions.ParseError as exc:
            cause = exc.__cause__ or exc.__context__
            raise _django_parse_errors(cause if isinstance(cause, Exception) else exc) from None
        except (SuspiciousOperation, MultiPartParserError, UnicodeDecodeError, ValueError) as exc:
            raise _django_parse_errors(exc) from None
