from django.apps import AppConfig


class CoreConfig(AppConfig):
    """The kernel every module imports and that imports no module: errors, scoping, roles,
    permissions, the standard test actors, and the civic kit — background jobs, notices, printable
    documents and rule sets (docs/modules.md, docs/kit.md)."""

    name = "core"
    verbose_name = "平台内核"

    def ready(self) -> None:
        from .rules import checks  # noqa: F401  (registers the rule-file check)
