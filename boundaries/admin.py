"""Admin for the administrative tree. Boundaries change only through the save pipeline.

Units are created and deleted on the map (``/api/units/``), where the pipeline snaps, clips and
checks coverage; here an administrator corrects names and building attributes, and a changed
boundary is handed to the same pipeline (boundaries.services.reshape_unit) rather than written raw.
"""
from __future__ import annotations

import json
from typing import Any

from core.admin import ScopedAdmin, ScopedAdminMixin
from core.errors import DomainError
from core.types import request_user
from django.contrib import messages
from django.contrib.gis import admin
from django.http import HttpRequest

from . import services
from .models import AdminUnit, CommitteeRecord, House
from .widgets import OfflineGISModelAdmin, OfflineMapWidget

# Every GIS admin of the project gets the offline widget unless it chooses another: Django's
# default loads OpenLayers from a CDN and draws OSM tiles, neither reachable on a closed network.
admin.GISModelAdmin.gis_widget = OfflineMapWidget  # type: ignore[assignment]  # a subclass of Django's widget


@admin.register(AdminUnit)
class AdminUnitAdmin(ScopedAdminMixin, OfflineGISModelAdmin):
    list_display = ("code", "name", "level", "kind", "parent", "area_m2", "boundary_version")
    list_filter = ("level", "kind", "building_use")
    search_fields = ("code", "name")
    raw_id_fields = ("parent",)
    readonly_fields = ("path", "area_m2", "boundary_version", "created_at", "updated_at")
    exclude = ("geom_3857",)
    list_select_related = ("parent",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # drawn on the map, through the pipeline

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return (*self.readonly_fields, "code", "level", "kind", "parent")

    def save_model(self, request: HttpRequest, obj: AdminUnit, form: Any, change: bool) -> None:
        new_geom = obj.geom if "geom" in form.changed_data else None
        if new_geom is not None:
            obj.geom = AdminUnit.objects.only("geom").get(pk=obj.pk).geom
        super().save_model(request, obj, form, change)
        if new_geom is None:
            return
        try:
            services.reshape_unit(request_user(request), obj.pk, json.loads(new_geom.geojson), reason="管理后台修改边界")
        except DomainError as exc:
            messages.error(request, f"边界未保存：{exc.message}")


@admin.register(CommitteeRecord)
class CommitteeRecordAdmin(ScopedAdmin):
    list_display = ("name", "unit", "phone")
    search_fields = ("name", "unit__code", "unit__name")
    raw_id_fields = ("unit",)
    list_select_related = ("unit",)


@admin.register(House)
class HouseAdmin(ScopedAdmin):
    list_display = ("building", "entrance", "floor", "room", "area_m2")
    search_fields = ("building__code", "building__name", "room")
    raw_id_fields = ("building",)
    list_select_related = ("building",)
