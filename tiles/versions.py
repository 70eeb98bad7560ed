"""Which version a tile is at: the max over the version rows that cover it (migration 0001).

Rows: the tile's cell of the z12 grid (z >= 12) or z8 grid (z 8-11) or the global cell (z < 8), and
the per-source bulk "epoch" row (zc = -1) that statements touching thousands of rows bump instead.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from types import SimpleNamespace
from typing import Any

from . import db
from .watch import memo

CELL_ZOOMS = (12, 8)  # the grids the triggers bump; below z8 the global cell (zc=0) answers

_VERSION_SQL = (
    "SELECT COALESCE(max(version), 0) FROM maptiles_tileversion"
    " WHERE source = ANY(%s::text[]) AND ((zc = %s AND cx = %s AND cy = %s) OR (zc = -1 AND cx = 0 AND cy = 0))"
)


_TOKEN_SQL = (
    "SELECT u.id, u.is_superuser, a.path, u.role, u.login_type, (" + _VERSION_SQL + ")"
    " FROM authtoken_token AS t JOIN accounts_user AS u ON u.id = t.user_id"
    " LEFT JOIN adminunits_adminunit AS a ON a.id = u.unit_id"
    " WHERE t.key = %s AND u.is_active"
)


@lru_cache(maxsize=256)
def _array_literal(sources: tuple[str, ...]) -> str:
    """The sources as one text[] literal: psycopg's adaptation of a Python list costs ~0.1 ms a query,
    as much as the lookup itself (measured with scripts/bench/tiles_breakdown.py)."""
    return "{" + ",".join('"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"' for s in sources) + "}"


def cell_for(z: int, x: int, y: int) -> tuple[int, int, int]:
    for zc in CELL_ZOOMS:
        if z >= zc:
            return zc, x >> (z - zc), y >> (z - zc)
    return 0, 0, 0


def tile_version(sources: tuple[str, ...], z: int, x: int, y: int) -> int:
    sources, cell = tuple(sources), cell_for(z, x, y)
    if (version := memo.get(("v", sources, cell))) is not None:
        return version
    epoch = memo.epoch
    row = db.fetchone(_VERSION_SQL, [_array_literal(sources), *cell])
    version = int(row[0]) if row else 0
    memo.put(("v", sources, cell), version, epoch)
    return version


@dataclass(frozen=True)
class TokenPrincipal:
    """The token's user as far as tiles need it (scope, and the role and login type that core.roles
    decides a layer's visibility by), read in the same query as the tile version, and kept in the
    process memo afterwards (tiles/watch.py)."""

    id: int
    is_superuser: bool
    role: str
    login_type: str
    unit: Any = field(default=None)
    is_authenticated: bool = True
    is_active: bool = True


def token_user_and_version(key: str, sources: tuple[str, ...], z: int, x: int, y: int
                           ) -> tuple[TokenPrincipal | None, int]:
    """The token's user (None if the token is unknown or its user inactive) and the tile's version.
    Both come from the process memo when it has them (tiles/watch.py), else from one query."""
    if (user := memo.get(("t", key))) is not None:
        return user, tile_version(sources, z, x, y)
    sources, cell = tuple(sources), cell_for(z, x, y)
    epoch = memo.epoch
    row = db.fetchone(_TOKEN_SQL, [_array_literal(sources), *cell, key])
    if row is None:
        return None, 0
    unit = SimpleNamespace(path=row[2]) if row[2] is not None else None
    user = TokenPrincipal(id=row[0], is_superuser=row[1], role=row[3], login_type=row[4], unit=unit)
    memo.put(("t", key), user, epoch)
    memo.put(("v", sources, cell), int(row[5]), epoch)
    return user, int(row[5])
