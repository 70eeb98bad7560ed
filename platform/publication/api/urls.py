from django.urls import path

from . import views

urlpatterns = [
    path("meta/", views.MetaView.as_view(), name="publication-meta"),
    path("home/", views.HomeView.as_view(), name="publication-home"),
    path("feed/", views.FeedView.as_view(), name="publication-feed"),
    path("feed/<int:pk>/", views.FeedItemView.as_view(), name="publication-feed-item"),
    path("posts/", views.PostListView.as_view(), name="publication-posts"),
    path("posts/<int:pk>/", views.PostDetailView.as_view(), name="publication-post"),
    path("posts/<int:pk>/actions/<slug:action>/", views.PostActionView.as_view(), name="publication-post-action"),
    path("posts/<int:pk>/print/", views.PrintView.as_view(), name="publication-post-print"),
    path("posts/<int:pk>/timeline/", views.TimelineView.as_view(), name="publication-post-timeline"),
    path("posts/<int:pk>/attachments/", views.AttachmentUploadView.as_view(), name="publication-attachments"),
    path("attachments/<int:pk>/", views.AttachmentView.as_view(), name="publication-attachment"),
    path("attachments/<int:pk>/file/", views.AttachmentFileView.as_view(), name="publication-attachment-file"),
    path("cadence/", views.CadenceView.as_view(), name="publication-cadence"),
]
