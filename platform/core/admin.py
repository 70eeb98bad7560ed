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


# -- the civic kit's records: read-only here (seals and opt-outs change through the API: checked, audited)
class ReadOnlyMixin:
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class SuperuserOnlyMixin(ReadOnlyMixin):
    """Per-account records with no unit (messages, the outbox, opt-outs): superusers only."""

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(getattr(request.user, "is_superuser", False))

    def has_module_permission(self, request: HttpRequest) -> bool:
        return bool(getattr(request.user, "is_superuser", False))


def _register_kit() -> None:
    from .models import Document, Job, Message, Notice, Seal, SmsMessage, SmsOptOut

    @admin.register(Job)
    class JobAdmin(ReadOnlyMixin, ScopedAdmin):
        list_display = ("id", "title", "kind", "status", "done", "total", "user", "unit", "attempts", "created_at",
                        "finished_at")
        list_filter = ("status", "kind")
        list_select_related = ("user", "unit")
        exclude = ("params",)  # what the starter typed; the record shows the outcome

    @admin.register(Notice)
    class NoticeAdmin(ReadOnlyMixin, ScopedAdmin):
        list_display = ("id", "subject", "sender", "unit", "sms", "created_at")
        list_select_related = ("sender", "unit")
        search_fields = ("subject",)

    @admin.register(Seal)
    class SealAdmin(ReadOnlyMixin, ScopedAdmin):
        list_display = ("id", "unit", "kind", "active", "width", "height", "transparent", "uploaded_by", "uploaded_at")
        list_filter = ("kind", "active")
        list_select_related = ("unit", "uploaded_by")

    @admin.register(Document)
    class DocumentAdmin(ReadOnlyMixin, ScopedAdmin):
        list_display = ("id", "title", "kind", "unit", "pages", "sha256", "created_by", "created_at")
        list_filter = ("kind",)
        list_select_related = ("unit", "created_by")
        search_fields = ("title", "sha256")

    @admin.register(Message)
    class MessageAdmin(SuperuserOnlyMixin, admin.ModelAdmin):
        list_display = ("id", "notice", "account", "created_at", "read_at")

    @admin.register(SmsMessage)
    class SmsMessageAdmin(SuperuserOnlyMixin, admin.ModelAdmin):
        list_display = ("id", "notice", "phone_masked", "status", "attempts", "last_error", "created_at", "sent_at")
        list_filter = ("status",)
        fields = ("notice", "phone_masked", "person_ref", "text", "status", "attempts", "next_attempt_at",
                  "last_error", "provider_id", "created_at", "sent_at")  # never the ciphertext or the hash

    @admin.register(SmsOptOut)
    class SmsOptOutAdmin(SuperuserOnlyMixin, admin.ModelAdmin):
        list_display = ("id", "phone_masked", "person_ref", "reason", "created_by", "created_at")
        fields = ("phone_masked", "person_ref", "reason", "created_by", "created_at")


_register_kit()
