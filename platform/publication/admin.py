from __future__ import annotations

from django.contrib import admin

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
class PostAdmin(admin.ModelAdmin):
    """Read-only here: posts are written and reviewed in 民政易 (the workflow records every step)."""

    list_display = ("title", "channel", "unit", "state", "audience_unit", "published_at", "read_count")
    list_filter = ("channel", "state")
    search_fields = ("title",)
    inlines = [AttachmentInline]

    def has_change_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_add_permission(self, request) -> bool:  # type: ignore[no-untyped-def]
        return False


@admin.register(AffairsProfile)
class AffairsProfileAdmin(admin.ModelAdmin):
    list_display = ("unit", "many_transactions")
    list_filter = ("many_transactions",)
    raw_id_fields = ("unit",)
