from __future__ import annotations

from typing import Any

from django.urls import reverse
from rest_framework import serializers

from ..models import Job


class JobSerializer(serializers.ModelSerializer):
    percent = serializers.FloatField(read_only=True, allow_null=True)
    result_url = serializers.SerializerMethodField()
    user = serializers.SerializerMethodField()
    unit = serializers.SerializerMethodField()
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Job
        fields = ["id", "kind", "title", "status", "status_label", "done", "total", "percent", "messages",
                  "result_url", "result_name", "result", "error", "user", "unit", "attempts", "created_at",
                  "started_at", "finished_at"]
        read_only_fields = fields

    def get_result_url(self, job: Job) -> str | None:
        return reverse("core-jobs:job-result", args=[job.pk]) if job.result_file else None

    def get_user(self, job: Job) -> dict[str, Any] | None:
        u = job.user
        return {"id": u.pk, "name": u.display_name or u.username} if u else None

    def get_unit(self, job: Job) -> dict[str, Any] | None:
        u = job.unit
        return {"id": u.pk, "code": u.code, "name": u.name} if u else None


class StartSerializer(serializers.Serializer):
    kind = serializers.CharField(max_length=64)
    params = serializers.DictField(required=False, default=dict)
