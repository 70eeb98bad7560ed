from __future__ import annotations

from typing import Any

from core.admin import ScopedAdmin
from django.contrib import admin
from django.http import HttpRequest

from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(ScopedAdmin):
    """Read-only: the audit trail is never edited, not even by a superuser."""

    list_display = ("at", "actor_name", "ip", "action", "model", "object_repr", "unit_path")
    list_filter = ("action", "model")
    search_fields = ("actor_name", "object_repr", "object_id", "unit_path", "reason")
    date_hierarchy = "at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
