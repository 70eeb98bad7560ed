from django.apps import AppConfig


class BoundariesConfig(AppConfig):
    # "boundaries" is also a PyPI project: an explicit, unique label keeps table names ours.
    name = "boundaries"
    label = "adminunits"
    verbose_name = "行政区划与边界"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from audit import registry

        from .models import AdminUnit, CommitteeRecord, House

        registry.register(AdminUnit, unit_path=lambda u: u.path, exclude=("geom_3857", "path"))
        registry.register(House, unit_path=lambda h: h.building.path)
        registry.register(CommitteeRecord, unit_path=lambda c: c.unit.path, masked=("phone",))
