"""Which version a tile is at: the max over the version rows that cover it (migration 0001).

Rows: the tile's cell of the z12 grid (z >= 12) or z8 grid (z 8-11) or the global cell (z < 8), and
the per-source bulk "epoch" row (zc = -1) that statements touching thousands of rows bump instead.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from django.db import connection

CELL_ZOOMS = (12, 8)  # the grids the triggers bump; below z8 the global cell (zc=0) answers

_VERSION_SQL = (
    "SELECT COALESCE(max(version), 0) FROM maptiles_tileversion"
    " WHERE source = ANY(%s) AND ((zc = %s AND cx = %s AND cy = %s) OR (zc = -1 AND cx = 0 AND cy = 0))"
)


def cell_for(z: int, x: int, y: int) -> tuple[int, int, int]:
    for zc in CELL_ZOOMS:
        if z >= zc:
            return zc, x >> (z - zc), y >> (z - zc)
    return 0, 0, 0


def tile_version(sources: tuple[str, ...], z: int, x: int, y: int) -> int:
    with connection.cursor() as cur:
        cur.execute(_VERSION_SQL, [list(sources), *cell_for(z, x, y)])
        return int(cur.fetchone()[0])


@dataclass(frozen=True)
class TokenPrincipal:
    """The token's user as far as tiles need it (scope and visibility), read in the same query as
    the tile version: one database round trip for a warm, token-authenticated tile."""

    id: int
    is_superuser: bool
    unit: Any = field(default=None)
    is_authenticated: bool = True
    is_active: bool = True


def token_user_and_version(key: str, sources: tuple[str, ...], z: int, x: int, y: int
                           ) -> tuple[TokenPrincipal | None, int]:
    with connection.cursor() as cur:
        cur.execute(
            "SELECT u.id, u.is_superuser, a.path, (" + _VERSION_SQL + ")"
            " FROM authtoken_token AS t JOIN accounts_user AS u ON u.id = t.user_id"
            " LEFT JOIN adminunits_adminunit AS a ON a.id = u.unit_id"
            " WHERE t.key = %s AND u.is_active",
            [list(sources), *cell_for(z, x, y), key],
        )
        row = cur.fetchone()
    if row is None:
        return None, 0
    unit = SimpleNamespace(path=row[2]) if row[2] is not None else None
    return TokenPrincipal(id=row[0], is_superuser=row[1], unit=unit), int(row[3])
