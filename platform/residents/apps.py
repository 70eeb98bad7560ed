from django.apps import AppConfig


class ResidentsConfig(AppConfig):
    """民政易 (the residents' phone app): the page at /app/, binding an account to its community
    (我的社区) through a claim on a population record that community staff confirm."""

    name = "residents"
    verbose_name = "民政易"

    def ready(self) -> None:
        from audit import registry

        from .models import CommunityClaim

        registry.register(CommunityClaim, unit_path=lambda c: c.community.path, masked=("id_hash", "phone_hash"))
