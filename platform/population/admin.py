"""Admin: masked lists; ID numbers and phones are never shown or searchable here in clear."""
from __future__ import annotations

import datetime as dt

from core.admin import ScopedAdmin
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from . import ids
from .models import BuildingResidents, Household, Person, PersonEvent, Transfer


@admin.register(Person)
class PersonAdmin(ScopedAdmin):
    list_display = ("name", "masked_id", "sex", "age_band", "pool", "house", "status")
    list_filter = ("status", "sex", "political_status")
    search_fields = ("name",)
    raw_id_fields = ("pool", "house", "household")
    # Pool, house and 户籍地 change only through the services (events, checks) and the city import.
    # An age band, not the birth date: beside the masked ID number a birth date leaves few candidates
    # (docs/privacy.md); the full number is one reveal away for those who may see it.
    readonly_fields = ("masked_id", "masked_phone", "region_code", "age_band", "sex", "hukou_code", "hukou_address",
                       "pool", "status", "house")
    fields = ("name", "masked_id", "masked_phone", "region_code", "age_band", "sex", "ethnicity", "hukou_code",
              "hukou_address", "pool", "status", "house", "house_relation", "household", "relation_to_head",
              "political_status", "tags")

    @admin.display(description="身份证号")
    def masked_id(self, obj: Person) -> str:
        return obj.id_masked

    @admin.display(description="电话")
    def masked_phone(self, obj: Person) -> str:
        return obj.phone_masked

    @admin.display(description="年龄段")
    def age_band(self, obj: Person) -> str:
        return ids.age_band(obj.birth_date, dt.date.today())

    def has_add_permission(self, request: HttpRequest) -> bool:
        # New people come through the API (ID validation, duplicate check, events).
        return False


@admin.register(Household)
class HouseholdAdmin(ScopedAdmin):
    list_display = ("number", "unit", "house")
    search_fields = ("number",)
    raw_id_fields = ("unit", "house")


@admin.register(Transfer)
class TransferAdmin(ScopedAdmin):
    list_display = ("person", "from_pool", "to_pool", "status", "created_at")
    list_filter = ("status",)
    raw_id_fields = ("person", "from_pool", "to_pool")


@admin.register(PersonEvent)
class PersonEventAdmin(admin.ModelAdmin):
    list_display = ("person", "kind", "at", "actor_name", "reason")
    list_filter = ("kind",)
    raw_id_fields = ("person", "from_pool", "to_pool", "from_house", "to_house")

    def get_queryset(self, request: HttpRequest) -> QuerySet[PersonEvent]:
        return super().get_queryset(request).filter(
            person__in=Person.objects.visible_to(request.user).values("pk")
        )


@admin.register(BuildingResidents)
class BuildingResidentsAdmin(admin.ModelAdmin):
    list_display = ("building", "residents")
    raw_id_fields = ("building",)
