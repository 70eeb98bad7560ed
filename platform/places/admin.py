from core.admin import ScopedAdminMixin
from django.contrib.gis import admin

from .models import CommunityEvent, Facility, ResidentUnit, SocialOrganisation


class PlaceAdmin(ScopedAdminMixin, admin.GISModelAdmin):
    list_display: tuple[str, ...] = ("name", "category", "unit", "updated_at")
    list_filter = ("category",)
    search_fields = ("name", "address", "unit__name", "unit__code")
    raw_id_fields = ("unit",)
    list_select_related = ("unit",)


admin.site.register(Facility, PlaceAdmin)
admin.site.register(SocialOrganisation, PlaceAdmin)
admin.site.register(ResidentUnit, PlaceAdmin)


@admin.register(CommunityEvent)
class CommunityEventAdmin(PlaceAdmin):
    list_display = ("name", "category", "unit", "starts_at", "ends_at")
