from django.urls import path

from . import views

urlpatterns = [
    path("", views.app_page, name="app"),
    path("sw.js", views.service_worker, name="app-sw"),
    path("manifest.webmanifest", views.manifest, name="app-manifest"),
]
