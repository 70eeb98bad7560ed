from django.urls import path

from . import views as v

app_name = "core-documents"

urlpatterns = [
    path("seals/", v.SealsView.as_view(), name="seals"),
    path("seals/<int:pk>/", v.SealView.as_view(), name="seal"),
    path("seals/<int:pk>/image/", v.SealImageView.as_view(), name="seal-image"),
    path("seals/<int:pk>/preview/", v.SealPreviewView.as_view(), name="seal-preview"),
    path("seals/<int:pk>/preview.pdf", v.SealPreviewView.as_view(), {"pdf": True}, name="seal-preview-pdf"),
    path("documents/<int:pk>/", v.DocumentView.as_view(), name="document"),
    path("documents/<int:pk>/file/", v.DocumentFileView.as_view(), name="document-file"),
]
