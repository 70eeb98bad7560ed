from django.apps import AppConfig


class TilesConfig(AppConfig):
    name = "tiles"
    label = "maptiles"
    verbose_name = "地图瓦片"
