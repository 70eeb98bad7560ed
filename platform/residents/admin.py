from __future__ import annotations

from core.admin import ScopedAdmin
from django.contrib import admin
from django.http import HttpRequest

from .models import CommunityClaim


@admin.register(CommunityClaim)
class CommunityClaimAdmin(ScopedAdmin):
    list_display = ("name", "community", "status", "created_at", "decided_at")
    list_filter = ("status",)
    readonly_fields = ("user", "community", "name", "person", "status", "created_at", "decided_at", "decided_by",
                       "reason")
    exclude = ("id_hash", "phone_hash")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
