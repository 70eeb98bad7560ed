from django.apps import AppConfig


class CoreConfig(AppConfig):
    """The kernel every module imports and that imports no module: errors, scoping, roles,
    permissions, the standard test actors, and the civic kit — background jobs, notices, printable
    documents and rule sets (docs/modules.md)."""

    name = "core"
    verbose_name = "平台内核"

    def ready(self) -> None:
        from audit import registry

        from .documents.models import Document, Seal
        from .rules import checks  # noqa: F401  (registers the rule-file check)

        # Seals decide what a printed page is worth: every upload, replacement and removal is audited.
        registry.register(Seal, unit_path=lambda s: s.unit.path)
        registry.register(Document, unit_path=lambda d: d.unit.path if d.unit_id else "", exclude=("token",))
