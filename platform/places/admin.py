from django.contrib.gis import admin

from .models import CommunityEvent, Facility, ResidentUnit, SocialOrganisation


class PlaceAdmin(admin.GISModelAdmin):
    list_display = ("name", "category", "unit", "updated_at")
    list_filter = ("category",)
    search_fields = ("name", "address", "unit__name", "unit__code")
    raw_id_fields = ("unit",)

    def get_queryset(self, request):
        # Admin users are scoped like everyone else (accounts.scoping).
        return super().get_queryset(request).visible_to(request.user).select_related("unit")


admin.site.register(Facility, PlaceAdmin)
admin.site.register(SocialOrganisation, PlaceAdmin)
admin.site.register(ResidentUnit, PlaceAdmin)


@admin.register(CommunityEvent)
class CommunityEventAdmin(PlaceAdmin):
    list_display = ("name", "category", "unit", "starts_at", "ends_at")
