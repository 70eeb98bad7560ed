"""Django admin, scoped like everything else: an admin list or form shows only the user's
jurisdiction (``core.scoping``). Relations to fetch with the list go in ``list_select_related``."""
from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest


class ScopedAdminMixin:
    """For admins of models with a ``ScopedQuerySet`` (combine with GIS admins too)."""

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        qs: Any = super().get_queryset(request)  # type: ignore[misc]
        return qs.visible_to(request.user)


class ScopedAdmin(ScopedAdminMixin, admin.ModelAdmin):
    pass
