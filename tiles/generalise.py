"""Coverage-aware simplification of boundary levels for low zooms.

Why shapely's coverage_simplify: simplifying each polygon on its own (ST_Simplify,
ST_SimplifyPreserveTopology) moves the two copies of a shared edge differently and opens gaps and
slivers between neighbours. coverage_simplify (GEOS ≥ 3.12, bundled with shapely ≥ 2.1; Debian's
PostGIS has GEOS 3.11) simplifies each shared edge once, so neighbours keep identical edges. A
PostGIS topology would do the same but needs every writer to maintain it.

Each boundary level is simplified as ONE coverage (all units of that level), per zoom band, into
maptiles_generalisedunit. Freshness follows the database's version counter (migration 0001): when
the level's global version differs from the one the rows were built from, the next low-zoom tile
(or ``seed_tiles``) rebuilds the level under an advisory lock — so edits made by any writer,
including raw SQL, are reflected.
"""
from __future__ import annotations

import logging
import time
from typing import Any

import numpy as np
import shapely
from django.db import connection, transaction

from .watch import memo

log = logging.getLogger(__name__)

WORLD = 40075016.68557849
# (band, deepest zoom using it). Zooms beyond the last band read the raw geometry.
BANDS: tuple[tuple[int, int], ...] = ((0, 7), (1, 9), (2, 11), (3, 12))
RAW_FROM_ZOOM = BANDS[-1][1] + 1
# Tolerance: 2 tile units (of 4096) at the band's deepest zoom, i.e. well under a screen pixel.
TOLERANCE_UNITS = 2.0


def band_for_zoom(z: int) -> int | None:
    for band, deepest in BANDS:
        if z <= deepest:
            return band
    return None


def tolerance_m(band: int) -> float:
    deepest = dict(BANDS)[band]
    return TOLERANCE_UNITS * WORLD / (2**deepest) / 4096


def current_version(cursor: Any, level: int) -> tuple[int, int | None]:
    cursor.execute(
        "SELECT COALESCE((SELECT version FROM maptiles_tileversion"
        " WHERE source = %s AND zc = 0 AND cx = 0 AND cy = 0), 0),"
        " (SELECT source_version FROM maptiles_generalisation WHERE level = %s)",
        [f"unit:{level}", level],
    )
    wanted, built = cursor.fetchone()
    return int(wanted), built


def ensure_fresh(level: int) -> bool:
    """Rebuild the level's simplified geometry if it is stale. Returns True if it rebuilt.

    A server process remembers "fresh" until the next version change (tiles/watch.py), so low-zoom
    tiles do not each spend a query on this check."""
    if memo.get(("g", level)):
        return False
    epoch = memo.epoch
    with connection.cursor() as cur:
        wanted, built = current_version(cur, level)
    rebuilt = False if built is not None and built == wanted else refresh(level)
    memo.put(("g", level), True, epoch)
    return rebuilt


@transaction.atomic
def refresh(level: int) -> bool:
    t0 = time.monotonic()
    with connection.cursor() as cur:
        # One rebuild at a time per level; a waiting request re-checks and usually finds it done.
        cur.execute("SELECT pg_advisory_xact_lock(hashtext('maptiles_generalise'), %s)", [level])
        wanted, built = current_version(cur, level)
        if built is not None and built == wanted:
            return False
        cur.execute(
            "SELECT id, ST_AsBinary(geom_3857) FROM adminunits_adminunit"
            " WHERE level = %s AND geom_3857 IS NOT NULL ORDER BY id",
            [level],
        )
        rows = cur.fetchall()
        cur.execute("DELETE FROM maptiles_generalisedunit WHERE level = %s", [level])
        if rows:
            ids = [r[0] for r in rows]
            geoms = shapely.from_wkb([bytes(r[1]) for r in rows])
            out: list[tuple] = []
            for band, _deepest in BANDS:
                simplified = _simplify(geoms, tolerance_m(band))
                for uid, g in zip(ids, simplified, strict=True):
                    if g is None or g.is_empty:
                        continue
                    if g.geom_type == "Polygon":
                        g = shapely.MultiPolygon([g])
                    out.append((uid, level, band, shapely.to_wkb(g, hex=False)))
            cur.executemany(
                "INSERT INTO maptiles_generalisedunit (unit_id, level, band, geom_3857)"
                " VALUES (%s, %s, %s, ST_SetSRID(ST_GeomFromWKB(%s), 3857))",
                out,
            )
        cur.execute(
            "INSERT INTO maptiles_generalisation (level, source_version, refreshed_at) VALUES (%s, %s, now())"
            " ON CONFLICT (level) DO UPDATE SET source_version = EXCLUDED.source_version, refreshed_at = now()",
            [level, wanted],
        )
    log.info("generalised level %s: %s units in %.2fs", level, len(rows), time.monotonic() - t0)
    return True


def _simplify(geoms: np.ndarray, tolerance: float) -> np.ndarray:
    try:
        result = shapely.coverage_simplify(geoms, tolerance)
    except shapely.errors.GEOSException:  # not a valid coverage: keep raw rather than break tiles
        log.warning("coverage_simplify failed; low zooms use raw geometry", exc_info=True)
        return geoms
    invalid = ~shapely.is_valid(result)
    if invalid.any():
        result[invalid] = shapely.make_valid(result[invalid])
        result[invalid] = [
            shapely.MultiPolygon(shapely.get_parts(g)[shapely.get_type_id(shapely.get_parts(g)) == 3])
            if g.geom_type == "GeometryCollection" else g
            for g in result[invalid]
        ]
    return result
