from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.templatetags.static import static
from django.utils import translation
from django.views.decorators.csrf import ensure_csrf_cookie


def home(request: HttpRequest) -> HttpResponse:
    from accounts.views import home as accounts_home  # sign-in and the jurisdiction's unit tree

    return accounts_home(request)


def favicon(request: HttpRequest) -> HttpResponse:
    """Pages without an icon link of their own (the Django admin, the API docs) ask for /favicon.ico."""
    return HttpResponsePermanentRedirect(static("favicon.ico"))


def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cur:
        cur.execute("SELECT postgis_lib_version()")
        postgis = cur.fetchone()[0]
    return JsonResponse({"status": "ok", "postgis": postgis})


# The map client (frontend-map/, built by Vite into frontend-map/dist with base /static/). Vite already
# fingerprints every asset, so the built index.html is served as it is; WhiteNoise serves the assets.
MAP_INDEX = settings.REPO_DIR / "frontend-map" / "dist" / "index.html"


@login_required
@ensure_csrf_cookie
def map_page(request: HttpRequest) -> HttpResponse:
    try:
        html = MAP_INDEX.read_text(encoding="utf-8")
    except FileNotFoundError:
        return HttpResponse("地图前端尚未构建：请运行 scripts/run（或 cd frontend-map && npm ci && npm run build）。",
                            status=503, content_type="text/plain; charset=utf-8")
    # The page opens in the language chosen on any page (the language cookie; Chinese by default).
    lang = "en" if translation.get_language().startswith("en") else "zh-Hans"
    html = html.replace('<html lang="zh-Hans">', f'<html lang="{lang}">', 1)
    response = HttpResponse(html)
    response["Cache-Control"] = "no-cache"
    return response
