"""The home page: sign-in, or the unit tree of the user's jurisdiction."""
from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from boundaries.api.units import nested_tree
from boundaries.levels import Level
from boundaries.models import AdminUnit

from .forms import RateLimitedAuthenticationForm


def home(request: HttpRequest) -> HttpResponse:
    context: dict[str, Any] = {}
    user = request.user
    if not user.is_authenticated:
        context["form"] = RateLimitedAuthenticationForm(request)
        return render(request, "home.html", context)
    visible = AdminUnit.objects.visible_to(user)
    root = visible.filter(pk=user.unit_id).first() if user.unit_id else visible.order_by("level", "code").first()
    if root is not None:
        # Down to the communities from above; a community sees its neighbourhoods and buildings.
        depth = Level.COMMUNITY - root.level if root.level < Level.COMMUNITY else 2
        context["tree"] = nested_tree(visible, root, depth)
        context["unit_count"] = visible.filter(path__startswith=root.path).count()
    return render(request, "home.html", context)
