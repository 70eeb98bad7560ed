from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.csrf import ensure_csrf_cookie

from boundaries.models import AdminUnit


def home(request: HttpRequest) -> HttpResponse:
    units = AdminUnit.objects.visible_to(request.user).filter(level__lte=3).only("code", "name", "level", "kind")
    return render(request, "home.html", {"units": units[:600]})


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
    response = HttpResponse(html)
    response["Cache-Control"] = "no-cache"
    return response
