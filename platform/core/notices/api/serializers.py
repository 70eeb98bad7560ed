from __future__ import annotations

from typing import Any

from rest_framework import serializers

from ..models import Message, Notice


class MessageSerializer(serializers.ModelSerializer):
    subject = serializers.CharField(source="notice.subject")
    body = serializers.CharField(source="notice.body")
    link = serializers.CharField(source="notice.link")
    read = serializers.SerializerMethodField()
    sender = serializers.SerializerMethodField()

    class Meta:
        model = Message
        fields = ["id", "subject", "body", "link", "created_at", "read", "read_at", "sender"]
        read_only_fields = fields

    def get_read(self, m: Message) -> bool:
        return m.read_at is not None

    def get_sender(self, m: Message) -> str:
        s = m.notice.sender
        if s is None:
            return "系统"
        return s.display_name or s.username


class NoticeSerializer(serializers.ModelSerializer):
    messages = serializers.SerializerMethodField()
    sms = serializers.SerializerMethodField()

    class Meta:
        model = Notice
        fields = ["id", "subject", "body", "link", "created_at", "messages", "sms"]
        read_only_fields = fields

    def get_messages(self, n: Notice) -> dict[str, int]:
        total = n.messages.count()
        return {"total": total, "read": n.messages.filter(read_at__isnull=False).count()}

    def get_sms(self, n: Notice) -> dict[str, Any]:
        from django.db.models import Count

        return dict(n.sms_messages.values("status").annotate(n=Count("id")).values_list("status", "n"))


class OptOutSerializer(serializers.Serializer):
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    person_ref = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
