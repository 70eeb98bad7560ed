from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = "审计日志"

    def ready(self) -> None:
        from core.workflow.signals import transitioned

        from . import registry

        registry.connect_registered_models()
        # Every review-workflow step (core.workflow) is recorded with its reason.
        transitioned.connect(registry.record_transition, dispatch_uid="audit-workflow-transition")
