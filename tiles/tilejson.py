"""TileJSON 3.0.0 documents (https://github.com/mapbox/tilejson-spec/tree/master/3.0.0)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from core import roles
from core.scoping import scope_path
from django.db import connection
from django.http import HttpRequest

from .layers import CombinedLayer, VectorLayer

if TYPE_CHECKING:
    from core.types import AnyUser


def _bounds_for(user: AnyUser) -> list[float]:
    """Extent of what the user may see (their unit), else of all districts; 4490 == 4326 in degrees."""
    prefix = scope_path(user) if roles.is_signed_in(user) else ""
    with connection.cursor() as cur:
        if prefix:
            cur.execute("SELECT ST_Extent(geom) FROM adminunits_adminunit WHERE path = %s", [prefix])
        else:
            cur.execute("SELECT ST_Extent(geom) FROM adminunits_adminunit WHERE level = 1")
        box = cur.fetchone()[0]
    if not box:
        return [-180.0, -85.0511, 180.0, 85.0511]
    nums = box.replace("BOX(", "").replace(")", "").replace(",", " ").split()
    return [round(float(v), 6) for v in nums]


def tilejson_for(request: HttpRequest, decl: Any, user: AnyUser) -> dict[str, Any]:
    from .raster import RasterLayer

    base = request.build_absolute_uri(f"/tiles/{decl.name}/")
    bounds = _bounds_for(user)
    center_zoom = max(decl.minzoom, 10)
    doc: dict[str, Any] = {
        "tilejson": "3.0.0",
        "name": decl.name,
        "description": decl.title,
        "version": "1.0.0",
        "attribution": "智慧社区平台",
        "scheme": "xyz",
        "minzoom": decl.minzoom,
        "maxzoom": decl.maxzoom,
        "bounds": bounds,
        "center": [round((bounds[0] + bounds[2]) / 2, 6), round((bounds[1] + bounds[3]) / 2, 6), center_zoom],
    }
    if isinstance(decl, RasterLayer):
        doc["tiles"] = [base + "{z}/{x}/{y}." + decl.formats[0]]
        doc["tileSize"] = 256
        if decl.encoding:
            doc["encoding"] = decl.encoding  # MapLibre's raster-dem needs it set explicitly in the style too
        return doc
    doc["tiles"] = [base + "{z}/{x}/{y}.mvt"]
    parts: list[VectorLayer] = decl.parts_for(user) if isinstance(decl, CombinedLayer) else [decl]
    doc["vector_layers"] = [
        {"id": p.name, "description": p.title, "minzoom": p.minzoom, "maxzoom": p.maxzoom,
         "fields": {a: p.fields.get(a, a) for a in p.attributes_at(22, user)}}
        for p in parts
    ]
    return doc
