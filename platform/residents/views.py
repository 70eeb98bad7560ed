"""The 民政易 page (/app/), its service worker and manifest, from the Vite build (frontend-map/dist).

The service worker is served from /app/ so that it may control /app/ (a worker's scope is its own
folder unless the server widens it)."""
from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import ensure_csrf_cookie

DIST = settings.REPO_DIR / "frontend-map" / "dist"
NOT_BUILT = "民政易前端尚未构建：请运行 scripts/run（或 cd frontend-map && npm ci && npm run build）。"


def _file(path: str, content_type: str, cache: str = "no-cache") -> HttpResponse:
    try:
        body = (DIST / path).read_bytes()
    except FileNotFoundError:
        return HttpResponse(NOT_BUILT, status=503, content_type="text/plain; charset=utf-8")
    response = HttpResponse(body, content_type=content_type)
    response["Cache-Control"] = cache
    return response


@ensure_csrf_cookie
def app_page(request: HttpRequest) -> HttpResponse:
    """Open to everyone: the app shows its own sign-in form, and works offline from the cache."""
    return _file("app.html", "text/html; charset=utf-8")


def service_worker(request: HttpRequest) -> HttpResponse:
    response = _file("app/sw.js", "text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/app/"
    return response


def manifest(request: HttpRequest) -> HttpResponse:
    return _file("app/manifest.webmanifest", "application/manifest+json", "public, max-age=3600")
