"""What the API writes: explicit dicts (the feed is read on every phone's home screen: no per-field
serializer machinery on that path) and one DRF serializer for what a writer sends."""
from __future__ import annotations

from typing import Any

from core.workflow import services as workflow
from core.workflow.models import WorkflowEvent
from rest_framework import serializers

from ..models import GROUPS, Attachment, Category, Channel, Column, Post


class PostWriteSerializer(serializers.Serializer):
    unit = serializers.IntegerField(required=False)
    channel = serializers.ChoiceField(choices=Channel.choices, required=False)
    column = serializers.ChoiceField(choices=Column.choices, required=False, allow_blank=True)
    category = serializers.ChoiceField(choices=Category.choices, required=False, allow_blank=True)
    title = serializers.CharField(max_length=120, required=False)
    summary = serializers.CharField(max_length=300, required=False, allow_blank=True)
    body = serializers.CharField(max_length=100_000, required=False, allow_blank=True)
    pinned = serializers.BooleanField(required=False)
    major = serializers.BooleanField(required=False)
    publish_at = serializers.DateTimeField(required=False, allow_null=True)


class ActionSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True)


def attachment_dict(a: Attachment) -> dict[str, Any]:
    return {"id": a.pk, "kind": a.kind, "name": a.name, "size": a.size, "width": a.width, "height": a.height,
            "url": f"/api/publication/attachments/{a.pk}/file/"}


def _unit(u: Any) -> dict[str, Any] | None:
    return {"id": u.pk, "code": u.code, "name": u.name, "level": u.level} if u is not None else None


def feed_item(p: Post) -> dict[str, Any]:
    return {
        "id": p.pk, "title": p.title, "summary": p.summary, "channel": p.channel, "column": p.column,
        "category": p.category, "unit": _unit(p.unit), "audience": _unit(p.audience_unit), "pinned": p.pinned,
        "major": p.major, "published_at": p.published_at, "read_count": p.read_count,
        "cover_url": f"/api/publication/attachments/{p.cover_id}/file/" if p.cover_id else None,
    }


def reader_detail(p: Post) -> dict[str, Any]:
    return {**feed_item(p), "body": p.body, "attachments": [attachment_dict(a) for a in p.attachments.all()]}


def event_dict(e: WorkflowEvent) -> dict[str, Any]:
    return {"id": e.pk, "action": e.action, "from": e.from_state, "to": e.to_state, "actor": e.actor_name,
            "at": e.at, "reason": e.reason, "details": e.details}


def manage_item(p: Post, user: Any) -> dict[str, Any]:
    return {
        **feed_item(p), "state": p.state, "state_label": p.get_state_display(), "escalation": p.escalation,
        "escalation_unit": _unit(p.escalation_unit), "review_unit": _unit(p.review_unit),
        "author": (p.author.display_name or p.author.username) if p.author is not None else "",
        "author_id": p.author_id, "flagged_words": p.flagged_words, "rejection_reason": p.rejection_reason,
        "withdrawal_reason": p.withdrawal_reason, "escalation_reason": p.escalation_reason,
        "publish_at": p.publish_at, "updated_at": p.updated_at, "actions": workflow.actions_for(user, p),
    }


def manage_detail(p: Post, user: Any) -> dict[str, Any]:
    return {**manage_item(p, user), "body": p.body, "attachments": [attachment_dict(a) for a in p.attachments.all()],
            "timeline": [event_dict(e) for e in workflow.timeline(p)]}


def meta() -> dict[str, Any]:
    return {
        "channels": [{"id": v, "label": lbl} for v, lbl in Channel.choices],
        "columns": [{"id": v, "label": lbl} for v, lbl in Column.choices],
        "categories": [{"id": v, "label": lbl} for v, lbl in Category.choices],
        "groups": [{"id": gid, "label": label, "categories": list(cats)} for gid, (label, cats) in GROUPS.items()],
    }
