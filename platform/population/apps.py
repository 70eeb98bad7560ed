from django.apps import AppConfig


class PopulationConfig(AppConfig):
    name = "population"
    verbose_name = "人口与人房关联"
