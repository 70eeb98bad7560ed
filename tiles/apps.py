from typing import Any

from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.utils.module_loading import autodiscover_modules


def _tile_session_settings(sender: Any, connection: Any, **kwargs: Any) -> None:
    """On 2 cores the planner's parallel workers and JIT nearly halve tile throughput (docs/tiles.md).

    Tile queries are short index scans; so are the site's other queries, so the whole session gets it.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SET jit = off; SET max_parallel_workers_per_gather = 0")


class TilesConfig(AppConfig):
    name = "tiles"
    label = "maptiles"
    verbose_name = "地图瓦片"

    def ready(self) -> None:
        connection_created.connect(_tile_session_settings, dispatch_uid="maptiles_session_settings")
        # Each module declares its layers in its own ``tiles`` package (tiles/layers.py): import them
        # all, in INSTALLED_APPS order (the order of the combined base layer's parts).
        autodiscover_modules("tiles")
