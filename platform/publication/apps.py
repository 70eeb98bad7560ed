from django.apps import AppConfig


class PublicationConfig(AppConfig):
    name = "publication"
    verbose_name = "信息发布"

    def ready(self) -> None:
        from audit import registry

        from .models import AffairsProfile, Attachment, Post

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
