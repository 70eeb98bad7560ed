from __future__ import annotations

from core.admin import ScopedAdmin, ScopedAdminMixin
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from .models import Department, Organisation, User


@admin.register(User)
class UserAdmin(ScopedAdminMixin, DjangoUserAdmin):
    list_display = ("username", "display_name", "unit", "role", "login_type", "is_active")
    list_filter = ("role", "login_type", "is_active", "unit__level")
    search_fields = ("username", "display_name", "unit__name", "unit__code")
    raw_id_fields = ("unit", "department")
    fieldsets = (
        *(DjangoUserAdmin.fieldsets or ()),
        ("辖区与角色", {"fields": ("display_name", "unit", "role", "login_type", "department")}),
    )
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        ("辖区与角色", {"fields": ("display_name", "unit", "role", "login_type", "department")}),
    )

    list_select_related = ("unit",)


@admin.register(Organisation)
class OrganisationAdmin(ScopedAdmin):
    list_display = ("name", "unit")
    search_fields = ("name", "unit__name", "unit__code")
    raw_id_fields = ("unit",)
    list_select_related = ("unit",)


@admin.register(Department)
class DepartmentAdmin(ScopedAdmin):
    list_display = ("name", "organisation")
    search_fields = ("name", "organisation__name")
    raw_id_fields = ("organisation",)
    list_select_related = ("organisation",)
