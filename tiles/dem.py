"""A deterministic, realistic DEM for the Yubei demo (no real DEM ships in any package we may use).

Chongqing's main city sits in the "parallel ridge-valley" belt (川东平行岭谷): long, narrow
anticline ridges (中梁山, 铜锣山, 明月山) running NNE-SSW rise to 700-1,000 m above rolling hills
at 250-450 m, cut by river valleys near 200 m. The model: three ridges with along-strike height
variation and asymmetric flanks + multi-octave value noise for the hills + a meandering river
valley; clipped to 200-1,000 m. Written as a tiled, DEFLATE-compressed float32 GeoTIFF in
CGCS2000 (EPSG:4490) with rasterio. Same seed -> same bytes of elevation.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import rasterio
from django.conf import settings
from rasterio.transform import from_origin

DEFAULT_SEED = 2026
RESOLUTION_DEG = 0.0004  # ~40 m
STRIKE_DEG = 20.0  # ridges run NNE-SSW: 20° east of north
# Yubei's extent (from data/chongqing-districts.geojson) widened a little, used when it is missing.
FALLBACK_BOUNDS = (106.40, 29.53, 107.00, 30.13)


def dem_path() -> Path:
    return Path(settings.DEM_PATH)


def yubei_bounds(margin: float = 0.03) -> tuple[float, float, float, float]:
    src = settings.DATA_DIR / "chongqing-districts.geojson"
    try:
        features = json.loads(src.read_text(encoding="utf-8"))["features"]
        feat = next(f for f in features if f["properties"].get("code") == "500112")
        coords = np.array(_flatten(feat["geometry"]["coordinates"]))
        minx, miny = coords.min(axis=0)
        maxx, maxy = coords.max(axis=0)
        return (float(minx) - margin, float(miny) - margin, float(maxx) + margin, float(maxy) + margin)
    except (OSError, StopIteration, KeyError, ValueError):
        return FALLBACK_BOUNDS


def _flatten(c: Any) -> list[Any]:
    if isinstance(c[0], int | float):
        return [c[:2]]
    return [p for sub in c for p in _flatten(sub)]


def _value_noise(rng: np.random.Generator, shape: tuple[int, int], cell_px: float) -> np.ndarray:
    """Smooth noise in [-1, 1]: random values on a coarse lattice, bicubic-smoothed (smoothstep)."""
    h, w = shape
    gh, gw = int(h / cell_px) + 3, int(w / cell_px) + 3
    lattice = rng.uniform(-1, 1, size=(gh, gw))
    yy = np.arange(h) / cell_px
    xx = np.arange(w) / cell_px
    y0, x0 = yy.astype(int), xx.astype(int)
    ty, tx = yy - y0, xx - x0
    ty, tx = ty * ty * (3 - 2 * ty), tx * tx * (3 - 2 * tx)
    a = lattice[np.ix_(y0, x0)]
    b = lattice[np.ix_(y0, x0 + 1)]
    c = lattice[np.ix_(y0 + 1, x0)]
    d = lattice[np.ix_(y0 + 1, x0 + 1)]
    top = a + (b - a) * tx[None, :]
    bottom = c + (d - c) * tx[None, :]
    return top + (bottom - top) * ty[:, None]


def synthesise(bounds: tuple[float, float, float, float], res: float = RESOLUTION_DEG,
               seed: int = DEFAULT_SEED) -> tuple[np.ndarray, object]:
    minx, miny, maxx, maxy = bounds
    w, h = int(round((maxx - minx) / res)), int(round((maxy - miny) / res))
    rng = np.random.default_rng(seed)
    lon = minx + (np.arange(w) + 0.5) * res
    lat = maxy - (np.arange(h) + 0.5) * res
    lon0, lat0 = (minx + maxx) / 2, (miny + maxy) / 2
    # Local kilometres (east, north).
    x_km = (lon - lon0)[None, :] * 111.32 * np.cos(np.radians(lat0))
    y_km = (lat - lat0)[:, None] * 110.57
    s = np.radians(STRIKE_DEG)
    across = x_km * np.cos(s) - y_km * np.sin(s)  # perpendicular to the ridges
    along = x_km * np.sin(s) + y_km * np.cos(s)
    px_km = res * 111.0

    # Rolling hills (丘陵): several octaves of value noise around 320 m.
    z = np.full((h, w), 320.0)
    amp = 70.0
    for cell_km in (12.0, 6.0, 3.0, 1.5, 0.75, 0.35):
        z += amp * _value_noise(rng, (h, w), cell_km / px_km)
        amp *= 0.55

    # Three anticline ridges: (position across strike in km, crest height above hills, half-width km).
    for pos, crest, half_width in ((-17.0, 640.0, 1.6), (4.0, 720.0, 1.9), (19.0, 660.0, 1.5)):
        wiggle = 1.2 * _value_noise(rng, (h, w), 25.0 / px_km)  # axes bend a little
        height_var = 0.75 + 0.25 * _value_noise(rng, (h, w), 18.0 / px_km)
        d = across - pos - wiggle
        flank = np.where(d < 0, half_width * 1.25, half_width * 0.85)  # asymmetric limbs
        ridge = crest * height_var * np.exp(-((d / flank) ** 2))
        # Ridges die out towards their ends (plunging anticlines), as they do north of Yubei.
        ridge *= 1.0 / (1.0 + np.exp((np.abs(along) - 32.0) / 4.0))
        # Gullies cut across the ridge flanks.
        ridge *= 0.85 + 0.15 * _value_noise(rng, (h, w), 0.6 / px_km)
        z += ridge

    # A meandering river (the Jialing/Yangtze side) in the south-west, valley floor near 200 m.
    river_across = -10.0 + 3.0 * np.sin(along / 4.0) - 0.25 * along
    dist = np.abs(across - river_across)
    valley = np.exp(-((dist / 2.2) ** 2))
    south = 1.0 / (1.0 + np.exp((along + 5.0) / 6.0))  # only in the southern half
    z = z - (z - 200.0) * valley * south * 0.9

    z = np.clip(z, 200.0, 1000.0).astype("float32")
    return z, from_origin(minx, maxy, res, res)


def write_dem(path: Path | None = None, seed: int = DEFAULT_SEED,
              bounds: tuple[float, float, float, float] | None = None) -> Path:
    path = path or dem_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    z, transform = synthesise(bounds or yubei_bounds(), seed=seed)
    tmp = path.with_suffix(".tmp.tif")
    profile = dict(driver="GTiff", width=z.shape[1], height=z.shape[0], count=1, dtype="float32",
                   crs="EPSG:4490", transform=transform, nodata=-9999.0, tiled=True, blockxsize=256,
                   blockysize=256, compress="deflate", predictor=3)
    with rasterio.open(tmp, "w", **profile) as dst:
        dst.write(z, 1)
        dst.update_tags(SOURCE="synthetic: tiles.dem (parallel ridge-valley model)", SEED=str(seed))
    tmp.replace(path)  # atomic: readers never see half a file
    return path
