"""Read-only views of the elections for administrators; every change goes through the services (the
guard, the rules and the timeline), so the admin never writes an election's rows. The joint review's
departments are configured here."""
from __future__ import annotations

from typing import Any

from core.admin import ScopedAdmin
from django.contrib import admin
from django.http import HttpRequest

from .models import Candidate, Election, Event, Objection, Stop, VettingDepartment, Voter


class ReadOnly(ScopedAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Election)
class ElectionAdmin(ReadOnly):
    list_display = ("unit", "round", "body", "mode", "election_day", "stage", "stopped")
    list_filter = ("round", "stage", "stopped", "body")
    list_select_related = ("unit",)
    search_fields = ("unit__name", "unit__code")
    exclude = ("calendar",)


@admin.register(Voter)
class VoterAdmin(ReadOnly):
    list_display = ("name", "election", "gender", "category", "status", "source", "id_masked")
    list_filter = ("status", "source", "category")
    list_select_related = ("election", "election__unit")
    search_fields = ("name",)
    exclude = ("id_hash",)


@admin.register(Candidate)
class CandidateAdmin(ReadOnly):
    list_display = ("name", "election", "post", "status", "nominations")
    list_filter = ("status",)


@admin.register(Objection)
class ObjectionAdmin(ReadOnly):
    list_display = ("subject_name", "election", "kind", "status", "received_on", "decide_by")
    list_filter = ("status", "kind")


@admin.register(Stop)
class StopAdmin(ReadOnly):
    list_display = ("election", "kind", "stage", "status", "created_at", "authorised_at")
    list_filter = ("status", "kind")


@admin.register(Event)
class EventAdmin(ReadOnly):
    list_display = ("election", "at", "kind", "stage", "text", "actor_name")
    list_filter = ("kind",)


@admin.register(VettingDepartment)
class VettingDepartmentAdmin(ScopedAdmin):
    list_display = ("name", "unit", "department", "active")
    list_filter = ("active",)
    raw_id_fields = ("unit", "department")
