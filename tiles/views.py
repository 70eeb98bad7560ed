"""Tile endpoints. Thin: parse and authorise here, render in mvt.py / raster.py, cache in cache.py.

Plain Django views (not DRF) because a warm tile must cost almost nothing; errors still answer the
project's JSON body {"code", "detail"} and nothing a client sends yields a 500.
"""
from __future__ import annotations

import gzip
from typing import Any

from accounts.scoping import scope_path
from django.contrib.auth.models import AnonymousUser
from django.db import InterfaceError, OperationalError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_GET
from rest_framework.authtoken.models import Token

from . import cache, mvt, raster, versions
from .layers import MAX_ZOOM, CombinedLayer, VectorLayer, get_layer
from .sources import all_sources
from .tilejson import tilejson_for

MVT_TYPE = "application/vnd.mapbox-vector-tile"


def _error(status: int, code: str, detail: str, **extra: Any) -> JsonResponse:
    body: dict[str, Any] = {"code": code, "detail": detail}
    if extra:
        body["extra"] = extra
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})


class _Refused(Exception):
    def __init__(self, response: HttpResponse):
        self.response = response


def _user(request: HttpRequest) -> Any:
    """Session user, or a DRF token user (Authorization: Token ...) for API clients such as QGIS."""
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if header.startswith("Token "):
        # DRF's TokenAuthentication semantics, in one query that also brings the user's unit (scope).
        parts = header.split()
        token = (Token.objects.select_related("user__unit").filter(key=parts[1]).first()
                 if len(parts) == 2 else None)
        if token is None or not token.user.is_active:
            raise _Refused(_error(401, "invalid_token", "登录凭证无效或已过期。"))
        return token.user
    return request.user


def _scope(user: Any, layer: Any) -> tuple[str, str]:
    """(SQL prefix, cache scope key). Anonymous visitors read public layers uncut."""
    if not user.is_authenticated:
        return "", "anon"
    prefix = scope_path(user)
    if prefix is None:
        if layer.public:
            return "", "anon"
        raise _Refused(_error(403, "no_jurisdiction", "您的账号未关联行政单元，无法查看该图层。"))
    return prefix, "p:" + prefix


def _parse_tile(z: str, x: str, y: str) -> tuple[int, int, int]:
    try:
        zi, xi, yi = int(z), int(x), int(y)
    except ValueError:
        raise _Refused(_error(400, "invalid_tile", "瓦片坐标 z/x/y 必须是整数。")) from None
    if not 0 <= zi <= MAX_ZOOM:
        raise _Refused(_error(400, "zoom_out_of_range", f"缩放级别应在 0 到 {MAX_ZOOM} 之间。", z=zi))
    n = 1 << zi
    if not (0 <= xi < n and 0 <= yi < n):
        raise _Refused(_error(400, "tile_out_of_range", f"在缩放级别 {zi}，x 和 y 应在 0 到 {n - 1} 之间。",
                              z=zi, x=xi, y=yi))
    return zi, xi, yi


def _finish(request: HttpRequest, body: bytes, etag: str, content_type: str, *, gzipped: bool,
            public: bool) -> HttpResponse:
    if not body:
        resp = HttpResponse(status=204)
    else:
        if gzipped and "gzip" not in request.META.get("HTTP_ACCEPT_ENCODING", ""):
            body, gzipped = gzip.decompress(body), False
        resp = HttpResponse(body, content_type=content_type)
        if gzipped:
            resp["Content-Encoding"] = "gzip"
    resp["ETag"] = etag
    # no-cache = "revalidate every time": with the ETag that is a cheap 304, and an edit shows at once.
    resp["Cache-Control"] = ("public" if public else "private") + ", no-cache"
    resp["Vary"] = "Accept-Encoding, Cookie, Authorization"
    return resp


def _not_modified(request: HttpRequest, etag: str, public: bool) -> HttpResponse | None:
    if etag in request.META.get("HTTP_IF_NONE_MATCH", ""):
        resp = HttpResponse(status=304)
        resp["ETag"] = etag
        resp["Cache-Control"] = ("public" if public else "private") + ", no-cache"
        return resp
    return None


@require_GET
def tile(request: HttpRequest, layer: str, z: str, x: str, y: str, ext: str) -> HttpResponse:
    """Hot path. Django's CONN_HEALTH_CHECKS would spend one extra round trip (SELECT 1) per request
    before the first query; a tile needs only one or two. Here the check is replaced by a retry: if the
    persistent connection turns out dead, it is closed and the tile is made once more on a new one."""
    if not connection.in_atomic_block:
        connection.health_check_done = True
        try:
            return _tile(request, layer, z, x, y, ext)
        except (OperationalError, InterfaceError):
            connection.close()
    return _tile(request, layer, z, x, y, ext)


def _tile(request: HttpRequest, layer: str, z: str, x: str, y: str, ext: str) -> HttpResponse:
    try:
        if layer in raster.RASTER_LAYERS:
            return _raster_tile(request, raster.RASTER_LAYERS[layer], z, x, y, ext)
        decl = get_layer(layer)
        if decl is None:
            return _error(404, "unknown_layer", f"没有名为“{layer}”的图层。")
        if ext not in ("mvt", "pbf"):
            return _error(404, "unknown_format", "矢量瓦片的扩展名应为 .mvt 或 .pbf。")
        zi, xi, yi = _parse_tile(z, x, y)
        # Sources of every part (not only the visible ones): the version does not depend on the user,
        # so a token request reads user and version in one query.
        sources = decl.sources
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if header.startswith("Token "):
            key = header.split()[1] if len(header.split()) == 2 else ""
            user, version = versions.token_user_and_version(key, sources, zi, xi, yi)
            if user is None:
                return _error(401, "invalid_token", "登录凭证无效或已过期。")
        else:
            user, version = request.user, None
        if not decl.visible_to(user):
            return _error(403, "layer_forbidden", "您无权查看该图层，请先登录。")
        prefix, scope_key = _scope(user, decl)
        # Someone without a jurisdiction reads public data only, like an anonymous visitor.
        parts = decl.parts_for(None if scope_key == "anon" else user) if isinstance(decl, CombinedLayer) else [decl]
        public = not user.is_authenticated
        if zi < min((p.minzoom for p in parts), default=MAX_ZOOM + 1):
            return _finish(request, b"", f'"empty-{decl.name}-{zi}"', MVT_TYPE, gzipped=False, public=public)
        if version is None:
            version = versions.tile_version(sources, zi, xi, yi)
        key = cache.tile_key("mvt", decl.name, decl.fingerprint, version, scope_key, zi, xi, yi)
        etag = cache.etag_for(key)
        if (resp := _not_modified(request, etag, public)) is not None:
            return resp
        body = cache.get(key)
        if body is None:
            data = mvt.render(decl, parts, zi, xi, yi, prefix)
            body = gzip.compress(data, compresslevel=3) if data else b""
            cache.put(key, body)
        return _finish(request, body, etag, MVT_TYPE, gzipped=True, public=public)
    except _Refused as refused:
        return refused.response


def _raster_tile(request: HttpRequest, source: raster.RasterLayer, z: str, x: str, y: str,
                 ext: str) -> HttpResponse:
    if ext not in source.formats:
        return _error(404, "unknown_format", f"该图层支持的格式：{', '.join(source.formats)}。")
    zi, xi, yi = _parse_tile(z, x, y)
    user = _user(request)
    if not source.enabled():
        return _error(404, "layer_disabled", source.disabled_reason)
    if not source.visible_to(user):
        return _error(403, "layer_forbidden", "您无权查看该图层，请先登录。")
    public = not user.is_authenticated
    key = cache.tile_key("raster", source.name, source.fingerprint(), 0, "all", zi, xi, yi) + "." + ext
    etag = cache.etag_for(key)
    if (resp := _not_modified(request, etag, public)) is not None:
        return resp
    body = cache.get(key)
    if body is None:
        body = source.render(zi, xi, yi, ext) or b""
        cache.put(key, body)
    return _finish(request, body, etag, raster.MEDIA_TYPES[ext], gzipped=False, public=public)


@require_GET
def layer_list(request: HttpRequest) -> HttpResponse:
    try:
        user = _user(request)
    except _Refused as refused:
        return refused.response
    out = []
    for decl in all_sources():
        if isinstance(decl, raster.RasterLayer) and not decl.enabled():
            continue
        if not decl.visible_to(user):
            continue
        kind = decl.kind if isinstance(decl, raster.RasterLayer) else "vector"
        ext = decl.formats[0] if isinstance(decl, raster.RasterLayer) else "mvt"
        out.append({
            "name": decl.name, "title": decl.title, "type": kind, "public": decl.public,
            "minzoom": decl.minzoom, "maxzoom": decl.maxzoom,
            "tilejson": request.build_absolute_uri(f"/tiles/{decl.name}.json"),
            "tiles": request.build_absolute_uri(f"/tiles/{decl.name}/") + "{z}/{x}/{y}." + ext,
            **({"layers": [p.name for p in decl.parts_for(user)]} if isinstance(decl, CombinedLayer) else {}),
            **({"encoding": decl.encoding} if getattr(decl, "encoding", None) else {}),
        })
    return JsonResponse({"layers": out}, json_dumps_params={"ensure_ascii": False})


@require_GET
def tilejson(request: HttpRequest, layer: str) -> HttpResponse:
    try:
        user = _user(request)
        decl: VectorLayer | CombinedLayer | raster.RasterLayer | None = raster.RASTER_LAYERS.get(layer) or get_layer(layer)
        if decl is None:
            return _error(404, "unknown_layer", f"没有名为“{layer}”的图层。")
        if isinstance(decl, raster.RasterLayer) and not decl.enabled():
            return _error(404, "layer_disabled", decl.disabled_reason)
        if not decl.visible_to(user):
            return _error(403, "layer_forbidden", "您无权查看该图层，请先登录。")
        if not isinstance(decl, raster.RasterLayer) and _scope(user, decl)[1] == "anon":
            user = AnonymousUser()
        return JsonResponse(tilejson_for(request, decl, user), json_dumps_params={"ensure_ascii": False})
    except _Refused as refused:
        return refused.response
