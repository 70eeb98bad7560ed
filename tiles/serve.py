"""Answering a tile request, independent of the web framework: parse, authorise, version, cache, render.

Two thin adapters call this: the Django views (``tiles.views``, used by the test client and under
ASGI) and the WSGI fast lane (``tiles.lane``) that production uses for vector tiles, which skips
Django's middleware and URL resolution. Both hand in the request's headers and a way to find the
session user, and turn the returned ``Answer`` into a response, so every rule lives here once.
"""
from __future__ import annotations

import gzip
import json
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import partial, wraps
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

from core import roles
from core.scoping import scope_path
from django.db import InterfaceError, OperationalError, connection

from . import cache, mvt, raster, versions
from .layers import MAX_ZOOM, CombinedLayer, get_layer

if TYPE_CHECKING:
    from core.types import AnyUser

MVT_TYPE = "application/vnd.mapbox-vector-tile"
JSON_TYPE = "application/json"


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes = b""
    headers: tuple[tuple[str, str], ...] = ()
    # Work that need not delay the answer (storing a fresh tile): the lane runs it after sending.
    after: Callable[[], None] | None = None


@dataclass(frozen=True)
class TileRequest:
    """What a tile answer depends on. ``session_user`` is called only without a token."""

    authorization: str
    accept_encoding: str
    if_none_match: str
    session_user: Callable[[], Any]


class Refused(Exception):
    def __init__(self, answer: Answer):
        self.answer = answer


def error(status: int, code: str, detail: str, **extra: Any) -> Answer:
    body: dict[str, Any] = {"code": code, "detail": detail}
    if extra:
        body["extra"] = extra
    # Whether a request is refused depends on who asks: caches must key errors on the credentials too.
    return Answer(status, json.dumps(body, ensure_ascii=False).encode(),
                  (("Content-Type", JSON_TYPE), ("Vary", "Cookie, Authorization")))


def user_of(req: TileRequest) -> Any:
    """Session user, or a DRF token user (Authorization: Token ...) for API clients such as QGIS."""
    if req.authorization.startswith("Token "):
        return _token_user(req)[0]
    return req.session_user()


def _token_user(req: TileRequest, sources: tuple[str, ...] = (), z: int = 0, x: int = 0, y: int = 0
                ) -> tuple[Any, int]:
    """DRF's TokenAuthentication semantics; for a vector tile the same query reads its version."""
    parts = req.authorization.split()
    user, version = versions.token_user_and_version(parts[1] if len(parts) == 2 else "", sources, z, x, y)
    if user is None:
        raise Refused(error(401, "invalid_token", "登录凭证无效或已过期。"))
    return user, version


def scope(user: AnyUser, layer: Any) -> tuple[str, str]:
    """(SQL prefix, cache scope key). Anonymous visitors read public layers uncut."""
    if not roles.is_signed_in(user):
        return "", "anon"
    prefix = scope_path(user)
    if prefix is None:
        if layer.public:
            return "", "anon"
        raise Refused(error(403, "no_jurisdiction", "您的账号未关联行政单元，无法查看该图层。"))
    return prefix, "p:" + prefix


def parse_tile(z: str, x: str, y: str) -> tuple[int, int, int]:
    try:
        zi, xi, yi = int(z), int(x), int(y)
    except ValueError:
        raise Refused(error(400, "invalid_tile", "瓦片坐标 z/x/y 必须是整数。")) from None
    if not 0 <= zi <= MAX_ZOOM:
        raise Refused(error(400, "zoom_out_of_range", f"缩放级别应在 0 到 {MAX_ZOOM} 之间。", z=zi))
    n = 1 << zi
    if not (0 <= xi < n and 0 <= yi < n):
        raise Refused(error(400, "tile_out_of_range", f"在缩放级别 {zi}，x 和 y 应在 0 到 {n - 1} 之间。",
                            z=zi, x=xi, y=yi))
    return zi, xi, yi


def _caching_headers(etag: str, public: bool) -> tuple[tuple[str, str], ...]:
    # no-cache = "revalidate every time": with the ETag that is a cheap 304, and an edit shows at once.
    # Security headers (nosniff, frame options, ...) come from Django's middleware, for view and lane alike.
    return (("ETag", etag), ("Cache-Control", ("public" if public else "private") + ", no-cache"),
            ("Vary", "Accept-Encoding, Cookie, Authorization"))


def _finish(req: TileRequest, body: bytes, etag: str, content_type: str, *, gzipped: bool,
            public: bool) -> Answer:
    headers = _caching_headers(etag, public)
    if not body:
        return Answer(204, b"", headers)
    if gzipped and "gzip" not in req.accept_encoding:
        body, gzipped = gzip.decompress(body), False
    headers += (("Content-Type", content_type),)
    if gzipped:
        headers += (("Content-Encoding", "gzip"),)
    return Answer(200, body, headers)


def _not_modified(req: TileRequest, etag: str, public: bool) -> Answer | None:
    if req.if_none_match and etag in req.if_none_match:
        return Answer(304, b"", _caching_headers(etag, public))
    return None


def _cached(req: TileRequest, key: str, content_type: str, *, gzipped: bool, public: bool,
            make: Callable[[], bytes]) -> Answer:
    """304 if the client has this version, else the cached bytes, else ``make()`` — stored after
    the answer is sent (``Answer.after``)."""
    etag = cache.etag_for(key)
    if (answer := _not_modified(req, etag, public)) is not None:
        return answer
    if (body := cache.get(key)) is not None:
        return _finish(req, body, etag, content_type, gzipped=gzipped, public=public)
    body = make()
    return replace(_finish(req, body, etag, content_type, gzipped=gzipped, public=public),
                   after=partial(cache.put, key, body))


P = ParamSpec("P")
R = TypeVar("R")


def fresh_connection(fn: Callable[P, R]) -> Callable[P, R]:
    """Django's CONN_HEALTH_CHECKS would spend one extra round trip (SELECT 1) per request before the
    first query; a tile needs only one or two. Here the check is replaced by a retry: if the
    persistent connection turns out dead, it is closed and the tile is made once more on a new one."""

    @wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        if not connection.in_atomic_block:
            connection.health_check_done = True  # type: ignore[attr-defined]  # Django's own flag
            try:
                return fn(*args, **kwargs)
            except (OperationalError, InterfaceError):
                connection.close()
        return fn(*args, **kwargs)

    return wrapper


def vector_key(decl: Any, parts: list[Any], version: int, scope_key: str, user: AnyUser,
               z: int, x: int, y: int) -> str:
    """The cache key of a vector tile. Readers of one jurisdiction may receive different attributes
    (VectorLayer.conditional): the key names the attribute set, so no reader is served another's tile."""
    attributes = "|".join(",".join(p.attributes_at(z, user)) for p in parts)
    return cache.tile_key("mvt", decl.name, decl.fingerprint, version, f"{scope_key}:{attributes}", z, x, y)


@fresh_connection
def vector_tile(req: TileRequest, layer: str, z: str, x: str, y: str, ext: str) -> Answer:
    try:
        decl = get_layer(layer)
        if decl is None:
            return error(404, "unknown_layer", f"没有名为“{layer}”的图层。")
        if ext not in ("mvt", "pbf"):
            return error(404, "unknown_format", "矢量瓦片的扩展名应为 .mvt 或 .pbf。")
        zi, xi, yi = parse_tile(z, x, y)
        # The version depends on the layer's sources (every part's, not only the visible ones) and the
        # tile, never on the user, so a token request reads user and version together (one query, or
        # none when this process's memo has both: tiles/watch.py).
        version: int | None = None
        if req.authorization.startswith("Token "):
            user, version = _token_user(req, decl.sources, zi, xi, yi)
        else:
            user = req.session_user()
        if not decl.visible_to(user):
            return error(403, "layer_forbidden", "您无权查看该图层，请先登录。")
        prefix, scope_key = scope(user, decl)
        # Someone without a jurisdiction reads public data only, like an anonymous visitor.
        parts = decl.parts_for(None if scope_key == "anon" else user) if isinstance(decl, CombinedLayer) else [decl]
        public = not user.is_authenticated
        if zi < min((p.minzoom for p in parts), default=MAX_ZOOM + 1):
            etag = f'"empty-{decl.name}-{zi}"'
            return _not_modified(req, etag, public) or _finish(req, b"", etag, MVT_TYPE, gzipped=False, public=public)
        if version is None:
            version = versions.tile_version(decl.sources, zi, xi, yi)
        key = vector_key(decl, parts, version, scope_key, user, zi, xi, yi)
        return _cached(req, key, MVT_TYPE, gzipped=True, public=public,
                       make=lambda: cache.compress(mvt.render(decl, parts, zi, xi, yi, prefix, user)))
    except Refused as refused:
        return refused.answer


def raster_tile(req: TileRequest, source: raster.RasterLayer, z: str, x: str, y: str, ext: str) -> Answer:
    try:
        if ext not in source.formats:
            return error(404, "unknown_format", f"该图层支持的格式：{', '.join(source.formats)}。")
        zi, xi, yi = parse_tile(z, x, y)
        user = user_of(req)
        if not source.enabled():
            return error(404, "layer_disabled", source.disabled_reason)
        if not source.visible_to(user):
            return error(403, "layer_forbidden", "您无权查看该图层，请先登录。")
        public = not user.is_authenticated
        key = cache.tile_key("raster", source.name, source.fingerprint(), 0, "all", zi, xi, yi) + "." + ext
        return _cached(req, key, raster.MEDIA_TYPES[ext], gzipped=False, public=public,
                       make=lambda: source.render(zi, xi, yi, ext) or b"")
    except Refused as refused:
        return refused.answer
