<<<<<<< HEAD
"""The civic kit in Django's admin: read-only records (jobs, notices, the outbox, documents); seals
and opt-outs are managed through the API (checked uploads, audited), not edited here."""
=======
"""Django admin, scoped like everything else: an admin list or form shows only the user's
jurisdiction (``core.scoping``). Relations to fetch with the list go in ``list_select_related``."""
>>>>>>> main
from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

<<<<<<< HEAD
from .models import Document, Job, Message, Notice, Seal, SmsMessage, SmsOptOut


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Job)
class JobAdmin(ReadOnly):
    list_display = ("id", "title", "kind", "status", "done", "total", "user", "unit", "attempts", "created_at",
                    "finished_at")
    list_filter = ("status", "kind")
    exclude = ("params",)  # may hold what the starter typed; the job's record shows its outcome

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return self.model.objects.visible_to(request.user)


@admin.register(Notice)
class NoticeAdmin(ReadOnly):
    list_display = ("id", "subject", "sender", "unit", "sms", "created_at")
    search_fields = ("subject",)

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return self.model.objects.visible_to(request.user)


@admin.register(Message)
class MessageAdmin(ReadOnly):
    list_display = ("id", "notice", "account", "created_at", "read_at")


@admin.register(SmsMessage)
class SmsMessageAdmin(ReadOnly):
    list_display = ("id", "notice", "phone_masked", "status", "attempts", "last_error", "created_at", "sent_at")
    list_filter = ("status",)
    fields = ("notice", "phone_masked", "person_ref", "text", "status", "attempts", "next_attempt_at",
              "last_error", "provider_id", "created_at", "sent_at")  # never the ciphertext or hash


@admin.register(SmsOptOut)
class SmsOptOutAdmin(ReadOnly):
    list_display = ("id", "phone_masked", "person_ref", "reason", "created_by", "created_at")
    fields = ("phone_masked", "person_ref", "reason", "created_by", "created_at")


@admin.register(Seal)
class SealAdmin(ReadOnly):
    list_display = ("id", "unit", "kind", "active", "width", "height", "transparent", "uploaded_by", "uploaded_at")
    list_filter = ("kind", "active")

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return self.model.objects.visible_to(request.user)


@admin.register(Document)
class DocumentAdmin(ReadOnly):
    list_display = ("id", "title", "kind", "unit", "pages", "sha256", "created_by", "created_at")
    list_filter = ("kind",)
    search_fields = ("title", "sha256", "token")

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return self.model.objects.visible_to(request.user)
=======

class ScopedAdminMixin:
    """For admins of models with a ``ScopedQuerySet`` (combine with GIS admins too)."""

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        qs: Any = super().get_queryset(request)  # type: ignore[misc]
        return qs.visible_to(request.user)


class ScopedAdmin(ScopedAdminMixin, admin.ModelAdmin):
    pass
>>>>>>> main
