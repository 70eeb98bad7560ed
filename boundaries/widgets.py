"""A GeoDjango admin map widget that works with no internet access (closed government network).

Django's ``OSMWidget``/``OpenLayersWidget`` load OpenLayers from cdn.jsdelivr.net and draw OSM or
NASA tiles. This widget serves OpenLayers from our static files (boundaries/static/vendor/ol) and
draws a graticule and the geometry on a plain background: no outside URL at all. Use
``OfflineGISModelAdmin`` (or ``gis_widget = OfflineMapWidget``) for every model with geometry.
"""
from __future__ import annotations

from typing import Any

from django.contrib.gis import admin
from django.contrib.gis.forms.widgets import OpenLayersWidget

# Yubei (渝北区): where a new geometry's map opens.
DEFAULT_LON, DEFAULT_LAT, DEFAULT_ZOOM = 106.63, 29.72, 10


class OfflineMapWidget(OpenLayersWidget):
    template_name = "gis/offline-openlayers.html"
    default_lon = DEFAULT_LON
    default_lat = DEFAULT_LAT
    default_zoom = DEFAULT_ZOOM

    class Media:
        extend = False  # replace, not add to, the parent's CDN assets
        css = {"all": ("vendor/ol/ol.css", "gis/css/ol3.css")}
        js = ("vendor/ol/ol.js", "gis/js/OLMapWidget.js", "gis/offline-widget.js")

    def get_context(self, name: str, value: Any, attrs: dict | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        # What Django's template writes into its inline script, as data for offline-widget.js.
        context["options_id"] = f"{context['id']}_options"
        context["widget_options"] = {
            "geom_name": str(context["geom_type"]), "id": context["id"], "map_id": f"{context['id']}_map",
            "map_srid": int(context["map_srid"]), "name": context["name"],
            "default_lon": self.attrs["default_lon"], "default_lat": self.attrs["default_lat"],
            "default_zoom": self.attrs["default_zoom"],
        }
        return context

    def __init__(self, attrs: dict | None = None) -> None:
        super().__init__()
        for key in ("default_lon", "default_lat", "default_zoom"):
            self.attrs[key] = getattr(self, key)
        if attrs:
            self.attrs.update(attrs)


class OfflineGISModelAdmin(admin.GISModelAdmin):
    gis_widget = OfflineMapWidget  # type: ignore[assignment]  # the stubs name OSMWidget; any map widget works
    gis_widget_kwargs: dict[str, Any] = {}
