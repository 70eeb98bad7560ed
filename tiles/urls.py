from django.urls import path, re_path

from . import views

app_name = "tiles"

urlpatterns = [
    path("", views.layer_list, name="layers"),
    re_path(r"^(?P<layer>[^/]+)\.json$", views.tilejson, name="tilejson"),
    # Loose pattern on purpose: the view answers malformed coordinates with a JSON 400, not a 404 page.
    re_path(r"^(?P<layer>[^/]+)/(?P<z>[^/]+)/(?P<x>[^/]+)/(?P<y>[^/.]+)\.(?P<ext>[^/]+)$", views.tile, name="tile"),
]
