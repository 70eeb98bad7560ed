from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = "审计日志"

    def ready(self) -> None:
        from core.documents.models import Document, Seal
        from core.jobs.models import Job
        from core.notices.models import Notice
        from core.workflow.signals import transitioned

        from . import registry

        # The kernel imports no module, so its own unit records are registered here. Seals decide what
        # a printed page is worth: every upload, replacement and retirement is an event.
        registry.register(Seal, unit_path=lambda s: s.unit.path)
        registry.register(Document, unit_path=lambda d: d.unit.path if d.unit_id else "", exclude=("token",))
        registry.register(Job, unit_path=lambda j: j.unit.path if j.unit_id else "",
                          exclude=("messages", "heartbeat_at", "worker"))
        registry.register(Notice, unit_path=lambda n: n.unit.path if n.unit_id else "")
        registry.connect_registered_models()
        # Every review-workflow step (core.workflow) is recorded with its reason.
        transitioned.connect(registry.record_transition, dispatch_uid="audit-workflow-transition")
