from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from boundaries.models import AdminUnit


def home(request: HttpRequest) -> HttpResponse:
    units = AdminUnit.objects.visible_to(request.user).filter(level__lte=3).only("code", "name", "level", "kind")
    return render(request, "home.html", {"units": units[:600]})


def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cur:
        cur.execute("SELECT postgis_lib_version()")
        postgis = cur.fetchone()[0]
    return JsonResponse({"status": "ok", "postgis": postgis})
