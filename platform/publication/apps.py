from django.apps import AppConfig


class PublicationConfig(AppConfig):
    name = "publication"
    verbose_name = "信息发布"

    def ready(self) -> None:
        from audit import registry
        from core.workflow.signals import transitioned
        from django.db import transaction

        from .models import AffairsProfile, Attachment, CadenceStatus, Post

        def refresh_cadence(sender: type, item: Post, **kwargs: object) -> None:
            # A published or withdrawn 村务公开 item changes its village's cadence status.
            if sender is Post and item.channel == "affairs":
                from boundaries.models import AdminUnit

                from . import cadence

                unit_id = item.unit_id
                transaction.on_commit(lambda: cadence.refresh(AdminUnit.objects.filter(pk=unit_id)))

        transitioned.connect(refresh_cadence, weak=False, dispatch_uid="publication-cadence")

        # State, audience and escalation changes are recorded by core.workflow (with the reason);
        # the automatic trail records the content edits.
        registry.register(
            Post, unit_path=lambda p: p.unit.path,
            exclude=("state", "escalation", "review_unit", "audience_unit", "audience_path", "escalation_unit",
                     "published_at", "submitted_at", "rejection_reason", "withdrawal_reason", "escalation_reason",
                     "read_count", "flagged_words"),
        )
        registry.register(Attachment, unit_path=lambda a: a.post.unit.path)
        registry.register(AffairsProfile, unit_path=lambda a: a.unit.path)
        registry.register(CadenceStatus, unit_path=lambda c: c.unit.path)
