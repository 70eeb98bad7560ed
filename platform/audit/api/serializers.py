from __future__ import annotations

from rest_framework import serializers

from ..models import AuditEvent


class AuditEventSerializer(serializers.ModelSerializer):
    action_display = serializers.CharField(source="get_action_display", read_only=True)

    class Meta:
        model = AuditEvent
        fields = ["id", "at", "actor", "actor_name", "ip", "action", "action_display", "model", "object_id",
                  "object_repr", "unit_path", "before", "after", "reason"]
        read_only_fields = fields
