from django.apps import AppConfig


class PlacesConfig(AppConfig):
    name = "places"
    verbose_name = "服务设施与驻区单位"
