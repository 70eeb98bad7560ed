from core.documents.api.views import verify
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from . import views

api_patterns = [
    path("", include("accounts.api.urls")),
    path("", include("boundaries.api.urls")),
    path("", include("audit.api.urls")),
    path("population/", include("population.api.urls")),
    path("places/", include("places.api.urls")),
    path("publication/", include("publication.api.urls")),
    path("elections/", include("elections.api.urls")),
    path("residents/", include("residents.api.urls")),
    path("polling/", include("polling.api.urls")),
    path("", include("core.jobs.api.urls")),
    path("", include("core.notices.api.urls")),
    path("", include("core.documents.api.urls")),
    path("", include("core.rules.api.urls")),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    # Pages without an icon link of their own (the Django admin, the API docs) get the same icon.
    path("favicon.ico", views.favicon, name="favicon"),
    path("map/", views.map_page, name="map"),
    path("app/", include("residents.urls")),
    path("accounts/", include("accounts.urls")),
    path("admin/", admin.site.urls),
    path("api/", include(api_patterns)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its start-up script as a file: no inline script (Content-Security-Policy).
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
    path("tiles/", include("tiles.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("verify/<str:token>", verify, name="verify-document"),
]
