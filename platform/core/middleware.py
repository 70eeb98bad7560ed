"""Request limits and page security headers, for every request before anything reads the body.

``RequestLimitsMiddleware``
  A body larger than ``MAX_REQUEST_BYTES`` (JSON, forms) or ``MAX_UPLOAD_BYTES`` (multipart file
  uploads) is answered with the API's JSON error, 413 ``body_too_large``, before any parser builds
  it in memory. A body that nobody read — a refused anonymous POST, a 404 — is drained after the
  response (up to a few times the limit): left in the connection, its bytes would be read as the start of
  the next keep-alive request, which the server then drops.

``ContentSecurityPolicyMiddleware``
  A strict Content-Security-Policy on every response that has none: scripts, styles, fonts and
  images from this site only (the map's tiles and glyphs are same-origin too), workers from
  ``blob:`` (MapLibre's), no framing, no plugins, forms post only here. Inline ``style`` attributes
  are allowed for styles alone (MapLibre positions its markers and popups with them); inline
  scripts never are.
"""
from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse

from .parsers import too_large

DRAIN_CHUNK = 64 * 1024
# A refused body up to this multiple of the limit is still read off the connection; beyond it the
# client is not worth the bandwidth (a WSGI application may not send ``Connection: close`` itself).
DRAIN_MAX_FACTOR = 4

CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "worker-src 'self' blob:",
    "child-src 'self' blob:",
    "manifest-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])
CSP_SAME_ORIGIN_FRAMES = CSP.replace("frame-ancestors 'none'", "frame-ancestors 'self'")


def content_length(request: HttpRequest) -> int:
    try:
        return max(int(request.META.get("CONTENT_LENGTH") or 0), 0)
    except ValueError:
        return 0


def body_limit(request: HttpRequest) -> int:
    if request.content_type == "multipart/form-data":
        return int(settings.MAX_UPLOAD_BYTES)
    return int(settings.MAX_REQUEST_BYTES)


class RequestLimitsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        size, limit = content_length(request), body_limit(request)
        if size > limit:
            error = too_large(limit)
            response: HttpResponse = JsonResponse(error.as_dict(), status=error.status_code,
                                                  json_dumps_params={"ensure_ascii": False})
            if size <= DRAIN_MAX_FACTOR * limit:
                self._drain(request)
            return response
        response = self.get_response(request)
        if size and not getattr(request, "_read_started", True):
            self._drain(request)
        return response

    @staticmethod
    def _drain(request: HttpRequest) -> None:
        stream = getattr(request, "_stream", None)
        if stream is None:
            return
        try:
            while stream.read(DRAIN_CHUNK):
                pass
        except OSError:  # the client went away: nothing left to keep in step
            pass


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            # A view that lets the site frame it (xframe_options_sameorigin, e.g. the seal's sample page
            # in the seal dialog) gets the same permission in the policy, which browsers obey over
            # X-Frame-Options.
            same_origin = response.get("X-Frame-Options") == "SAMEORIGIN"
            response["Content-Security-Policy"] = CSP_SAME_ORIGIN_FRAMES if same_origin else CSP
        return response
