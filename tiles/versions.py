"""Which version a tile is at: the max over the version cells that contain it (migration 0001)."""
from __future__ import annotations

from django.db import connection

CELL_ZOOMS = (12, 8)  # the grids the triggers bump; below z8 the global cell (zc=0) answers


def cell_for(z: int, x: int, y: int) -> tuple[int, int, int]:
    for zc in CELL_ZOOMS:
        if z >= zc:
            return zc, x >> (z - zc), y >> (z - zc)
    return 0, 0, 0


def tile_version(sources: tuple[str, ...], z: int, x: int, y: int) -> int:
    zc, cx, cy = cell_for(z, x, y)
    with connection.cursor() as cur:
        cur.execute(
            "SELECT COALESCE(max(version), 0) FROM maptiles_tileversion"
            " WHERE source = ANY(%s) AND zc = %s AND cx = %s AND cy = %s",
            [list(sources), zc, cx, cy],
        )
        return int(cur.fetchone()[0])
