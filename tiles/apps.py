from typing import Any

from django.apps import AppConfig
from django.db.backends.signals import connection_created


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
