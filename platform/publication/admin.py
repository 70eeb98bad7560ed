from __future__ import annotations

from core.admin import ScopedAdmin
from django.contrib import admin
from django.http import HttpRequest

from .models import AffairsProfile, Attachment, Post, SensitiveWord


@admin.register(SensitiveWord)
class SensitiveWordAdmin(admin.ModelAdmin):
    list_display = ("word", "active", "note", "created_at")
    list_filter = ("active",)
    search_fields = ("word",)


class AttachmentInline(admin.TabularInline):
    model = Attachment
    extra = 0
    readonly_fields = ("kind", "name", "size", "width", "height", "sha256")
    fields = readonly_fields


@admin.register(Post)
class PostAdmin(ScopedAdmin):
    """Read-only here: posts are written and reviewed in 民政易 (the workflow records every step)."""

    list_display = ("title", "channel", "unit", "state", "audience_unit", "published_at", "read_count")
    list_filter = ("channel", "state")
    search_fields = ("title",)
    inlines = [AttachmentInline]

    list_select_related = ("unit", "audience_unit")

    def has_change_permission(self, request: HttpRequest, obj: Post | None = None) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(AffairsProfile)
class AffairsProfileAdmin(ScopedAdmin):
    list_display = ("unit", "many_transactions")
    list_filter = ("many_transactions",)
    raw_id_fields = ("unit",)
