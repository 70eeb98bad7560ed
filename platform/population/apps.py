from django.apps import AppConfig


class PopulationConfig(AppConfig):
    name = "population"
    verbose_name = "人口与人房关联"

    def ready(self) -> None:
        from audit import registry

        from .models import Household, Person, Transfer

        # Personal fields are recorded as "***": the audit log must not become a copy of the data.
        registry.register(
            Person,
            unit_path=lambda p: p.unit_path,
            masked=("id_hash", "id_cipher", "phone_hash", "phone_cipher", "hukou_address"),
        )
        registry.register(Household, unit_path=lambda h: h.unit.path if h.unit_id else "")
        registry.register(Transfer, unit_path=lambda t: t.to_pool.path)
