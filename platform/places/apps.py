from django.apps import AppConfig


class PlacesConfig(AppConfig):
    name = "places"
    verbose_name = "服务设施与驻区单位"

    def ready(self) -> None:
        from audit import registry

        from .models import PLACE_MODELS

        for model in PLACE_MODELS.values():
            registry.register(model, unit_path=lambda place: place.unit.path, exclude=("geom_3857",))
