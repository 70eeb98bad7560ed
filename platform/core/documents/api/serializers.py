from __future__ import annotations

from typing import Any

from django.urls import reverse
from rest_framework import serializers

from ..models import Document, Seal, SealKind


class SealSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    unit = serializers.SerializerMethodField()
    uploaded_by = serializers.SerializerMethodField()
    image_url = serializers.SerializerMethodField()
    preview_url = serializers.SerializerMethodField()
    preview_pdf_url = serializers.SerializerMethodField()

    class Meta:
        model = Seal
        fields = ["id", "unit", "kind", "kind_label", "width", "height", "transparent", "warnings", "active",
                  "sha256", "uploaded_by", "uploaded_at", "image_url", "preview_url", "preview_pdf_url"]
        read_only_fields = fields

    def get_unit(self, s: Seal) -> dict[str, Any]:
        return {"id": s.unit_id, "code": s.unit.code, "name": s.unit.name}

    def get_uploaded_by(self, s: Seal) -> str:
        u = s.uploaded_by
        return (u.display_name or u.username) if u else ""

    def get_image_url(self, s: Seal) -> str:
        return reverse("core-documents:seal-image", args=[s.pk])

    def get_preview_url(self, s: Seal) -> str:
        return reverse("core-documents:seal-preview", args=[s.pk])

    def get_preview_pdf_url(self, s: Seal) -> str:
        return reverse("core-documents:seal-preview-pdf", args=[s.pk])


class SealUploadSerializer(serializers.Serializer):
    unit = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=SealKind.choices)
    image = serializers.FileField(allow_empty_file=False)


class DocumentSerializer(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="unit.name", default="", read_only=True)
    file_url = serializers.SerializerMethodField()
    verify_url = serializers.CharField(read_only=True)

    class Meta:
        model = Document
        fields = ["id", "kind", "title", "unit", "unit_name", "pages", "size", "sha256", "created_at", "file_url",
                  "verify_url"]
        read_only_fields = fields

    def get_file_url(self, d: Document) -> str:
        return reverse("core-documents:document-file", args=[d.pk])
