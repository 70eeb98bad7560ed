"""Tile endpoints as Django views: thin adapters around ``tiles.serve``.

Production serves vector tiles through the WSGI fast lane (``tiles.lane``), which calls the same
``serve.vector_tile``; these views answer them under ASGI and in the test client, and answer the raster
tiles, the layer list and TileJSON everywhere. Errors are the project's JSON body {"code", "detail"}
and nothing a client sends yields a 500.
"""
from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_GET, require_safe

from . import raster, serve
from .layers import CombinedLayer, VectorLayer, get_layer
from .sources import all_sources
from .tilejson import tilejson_for


def _tile_request(request: HttpRequest) -> serve.TileRequest:
    meta = request.META
    return serve.TileRequest(
        authorization=meta.get("HTTP_AUTHORIZATION", ""), accept_encoding=meta.get("HTTP_ACCEPT_ENCODING", ""),
        if_none_match=meta.get("HTTP_IF_NONE_MATCH", ""), session_user=lambda: request.user,
    )


def _response(answer: serve.Answer) -> HttpResponse:
    if answer.after is not None:
        answer.after()
    return http_response(answer)


def http_response(answer: serve.Answer) -> HttpResponse:
    """The answer as a Django response (the lane sends it through the same middleware as a view's)."""
    resp = HttpResponse(answer.body, status=answer.status)
    for name, value in answer.headers:
        resp[name] = value
    if not answer.body:
        del resp["Content-Type"]
    return resp


@require_safe  # GET and HEAD (a HEAD answers the GET's headers without the body), as the lane does
def tile(request: HttpRequest, layer: str, z: str, x: str, y: str, ext: str) -> HttpResponse:
    req = _tile_request(request)
    if layer in raster.RASTER_LAYERS:
        return _response(serve.raster_tile(req, raster.RASTER_LAYERS[layer], z, x, y, ext))
    return _response(serve.vector_tile(req, layer, z, x, y, ext))


@require_GET
def layer_list(request: HttpRequest) -> HttpResponse:
    try:
        user = serve.user_of(_tile_request(request))
    except serve.Refused as refused:
        return _response(refused.answer)
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
            **({"encoding": enc} if (enc := getattr(decl, "encoding", None)) else {}),
        })
    return JsonResponse({"layers": out}, json_dumps_params={"ensure_ascii": False})


@require_GET
def tilejson(request: HttpRequest, layer: str) -> HttpResponse:
    try:
        user = serve.user_of(_tile_request(request))
        decl: VectorLayer | CombinedLayer | raster.RasterLayer | None = raster.RASTER_LAYERS.get(layer) or get_layer(layer)
        if decl is None:
            return _response(serve.error(404, "unknown_layer", f"没有名为“{layer}”的图层。"))
        if isinstance(decl, raster.RasterLayer) and not decl.enabled():
            return _response(serve.error(404, "layer_disabled", decl.disabled_reason))
        if not decl.visible_to(user):
            return _response(serve.error(403, "layer_forbidden", "您无权查看该图层，请先登录。"))
        if not isinstance(decl, raster.RasterLayer) and serve.scope(user, decl)[1] == "anon":
            user = AnonymousUser()
        return JsonResponse(tilejson_for(request, decl, user), json_dumps_params={"ensure_ascii": False})
    except serve.Refused as refused:
        return _response(refused.answer)
