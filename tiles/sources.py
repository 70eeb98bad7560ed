"""The one tile-source interface. Two backends implement it, one module each:

* ``tiles.layers.VectorLayer`` / ``CombinedLayer`` rendered by ``tiles.mvt`` (PostGIS ST_AsMVT);
* ``tiles.raster.RasterLayer`` rendered by ``tiles.raster`` (rasterio: DEM, hillshade, imagery).

The views (``tiles.views``) only talk to this surface: parse z/x/y, ask ``visible_to``, look up the
version and the cache, and call the backend on a miss.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from core.types import AnyUser


class TileSource(Protocol):
    @property
    def name(self) -> str: ...  # URL segment: /tiles/{name}/{z}/{x}/{y}.{ext}
    @property
    def title(self) -> str: ...  # Chinese, for the layer list
    @property
    def minzoom(self) -> int: ...
    @property
    def maxzoom(self) -> int: ...
    @property
    def public(self) -> bool: ...  # anonymous visitors may read it

    def visible_to(self, user: AnyUser) -> bool: ...


def all_sources() -> list[TileSource]:
    from .layers import all_layers
    from .raster import RASTER_LAYERS

    return [*all_layers(), *RASTER_LAYERS.values()]
