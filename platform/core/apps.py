from django.apps import AppConfig


class CoreConfig(AppConfig):
    """The kernel every module imports and that imports no module: errors, scoping, roles,
    permissions and the standard test actors (docs/modules.md)."""

    name = "core"
    verbose_name = "平台内核"
