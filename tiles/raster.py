"""The rasterio tile backend: terrain (Terrarium PNG), hillshade and imagery, in EPSG:3857 tiles.

Sources are read through rasterio: the DEM (small) is reprojected from an in-memory array; imagery
(an orthophoto or COG, possibly large) through a per-thread WarpedVRT so only the needed overview
and blocks are read. Tiles outside the source answer None -> 204 at once.
"""
from __future__ import annotations

import io
import math
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import rasterio
from django.conf import settings
from PIL import Image
from rasterio.enums import Resampling
from rasterio.transform import from_bounds
from rasterio.vrt import WarpedVRT
from rasterio.warp import reproject, transform_bounds

from . import dem

if TYPE_CHECKING:
    from core.types import AnyUser

WORLD_HALF = 20037508.342789244
TILE = 256
MEDIA_TYPES = {"png": "image/png", "webp": "image/webp"}
_lock = threading.Lock()
_local = threading.local()


def tile_bounds(z: int, x: int, y: int) -> tuple[float, float, float, float]:
    size = 2 * WORLD_HALF / (1 << z)
    minx = -WORLD_HALF + x * size
    maxy = WORLD_HALF - y * size
    return minx, maxy - size, minx + size, maxy


def _intersects(a: tuple, b: tuple) -> bool:
    return a[0] < b[2] and a[2] > b[0] and a[1] < b[3] and a[3] > b[1]


@dataclass
class _Dem:
    array: np.ndarray
    transform: Any
    crs: Any
    nodata: float
    bounds_3857: tuple
    floor: float
    mtime: float


_dem_cache: dict[str, _Dem] = {}


def load_dem() -> _Dem:
    """The DEM in memory; generated (deterministically) on first use if the file is missing."""
    path = dem.dem_path()
    with _lock:
        if not path.exists():
            dem.write_dem(path)
        mtime = path.stat().st_mtime
        cached = _dem_cache.get(str(path))
        if cached is None or cached.mtime != mtime:
            with rasterio.open(path) as ds:
                arr = ds.read(1)
                nodata = ds.nodata if ds.nodata is not None else -9999.0
                b = transform_bounds(ds.crs, "EPSG:3857", *ds.bounds)
                valid = arr[arr != nodata]
                cached = _Dem(arr, ds.transform, ds.crs, nodata, b, float(valid.min()) if valid.size else 0.0, mtime)
            _dem_cache[str(path)] = cached
        return cached


def elevation_tile(z: int, x: int, y: int, pad: int = 0) -> np.ndarray | None:
    """(256+2*pad)² float32 elevations in metres for the tile, NaN where the DEM has no data."""
    d = load_dem()
    minx, miny, maxx, maxy = tile_bounds(z, x, y)
    if not _intersects((minx, miny, maxx, maxy), d.bounds_3857):
        return None
    px = (maxx - minx) / TILE
    n = TILE + 2 * pad
    out = np.full((n, n), np.nan, dtype="float32")
    reproject(
        source=d.array, destination=out, src_transform=d.transform, src_crs=d.crs, src_nodata=d.nodata,
        dst_transform=from_bounds(minx - pad * px, miny - pad * px, maxx + pad * px, maxy + pad * px, n, n),
        dst_crs="EPSG:3857", dst_nodata=np.nan, resampling=Resampling.bilinear,
    )
    return out


def terrarium_encode(elev: np.ndarray) -> np.ndarray:
    """Terrarium: height = (R*256 + G + B/256) - 32768."""
    v = elev.astype("float64") + 32768.0
    r = np.floor(v / 256.0)
    g = np.floor(v - r * 256.0)
    b = np.floor((v - r * 256.0 - g) * 256.0)
    return np.stack([r, g, b], axis=-1).clip(0, 255).astype("uint8")


def terrarium_decode(rgb: np.ndarray) -> np.ndarray:
    rgb = rgb.astype("float64")
    return rgb[..., 0] * 256.0 + rgb[..., 1] + rgb[..., 2] / 256.0 - 32768.0


def _png(arr: np.ndarray, mode: str, fmt: str = "png") -> bytes:
    buf = io.BytesIO()
    img = Image.fromarray(arr)
    if fmt == "webp":
        img.save(buf, "WEBP", quality=85, method=2)
    else:
        img.save(buf, "PNG", compress_level=3)
    return buf.getvalue()


def render_terrain(z: int, x: int, y: int, ext: str) -> bytes | None:
    elev = elevation_tile(z, x, y)
    if elev is None or np.isnan(elev).all():
        return None
    # Where the tile runs past the DEM, the valley floor (not 0 m) avoids a cliff at the edge.
    elev = np.where(np.isnan(elev), load_dem().floor, elev)
    return _png(terrarium_encode(elev), "RGB")


def render_hillshade(z: int, x: int, y: int, ext: str, azimuth: float = 315.0, altitude: float = 45.0) -> bytes | None:
    elev = elevation_tile(z, x, y, pad=1)
    if elev is None or np.isnan(elev[1:-1, 1:-1]).all():
        return None
    minx, miny, maxx, maxy = tile_bounds(z, x, y)
    lat = math.degrees(math.atan(math.sinh(math.pi * ((miny + maxy) / 2) / WORLD_HALF)))
    # Ground size of a pixel: Mercator metres shrink by cos(latitude).
    cell = (maxx - minx) / TILE * math.cos(math.radians(lat))
    filled = np.where(np.isnan(elev), np.nanmean(elev), elev)
    dzdy, dzdx = np.gradient(filled, cell)
    slope = np.arctan(np.hypot(dzdx, dzdy))
    aspect = np.arctan2(-dzdx, dzdy)
    az, alt = math.radians(360.0 - azimuth + 90.0), math.radians(altitude)
    shade = np.sin(alt) * np.cos(slope) + np.cos(alt) * np.sin(slope) * np.cos(az - aspect)
    shade = np.clip(shade, 0, 1)[1:-1, 1:-1]
    # Overlay style: black with alpha where shaded, white-ish with alpha on sunlit slopes, flat = clear.
    flat = math.sin(alt)
    dark = np.clip((flat - shade) / flat, 0, 1)
    light = np.clip((shade - flat) / (1 - flat), 0, 1)
    rgba = np.zeros((TILE, TILE, 4), dtype="uint8")
    rgba[..., :3] = np.where(light[..., None] > 0, 255, 0)
    rgba[..., 3] = (np.maximum(dark * 180, light * 90)).astype("uint8")
    rgba[np.isnan(elev[1:-1, 1:-1]), 3] = 0
    return _png(rgba, "RGBA")


def _imagery_dataset() -> Any:
    """Per-thread handle on the configured orthophoto (rasterio handles are not thread-safe)."""
    path = settings.IMAGERY_PATH
    mtime = Path(path).stat().st_mtime
    cached = getattr(_local, "imagery", None)
    if cached and cached[0] == (path, mtime):
        return cached[1], cached[2]
    src = rasterio.open(path)
    bounds = transform_bounds(src.crs, "EPSG:3857", *src.bounds)
    _local.imagery = ((path, mtime), src, bounds)
    return src, bounds


def render_imagery(z: int, x: int, y: int, ext: str) -> bytes | None:
    src, src_bounds = _imagery_dataset()
    b = tile_bounds(z, x, y)
    if not _intersects(b, src_bounds):
        return None
    # A VRT shaped exactly like the tile: GDAL picks the overview and reads only the blocks needed.
    with WarpedVRT(src, crs="EPSG:3857", transform=from_bounds(*b, TILE, TILE), width=TILE, height=TILE,
                   resampling=Resampling.bilinear, add_alpha=src.count in (1, 3)) as vrt:
        bands = [i for i in (1, 2, 3) if i <= src.count] or [1]
        data = vrt.read(bands)
        mask = vrt.dataset_mask()
    if not mask.any():
        return None
    if data.dtype != np.uint8:  # stretch 16-bit or float imagery into 8 bits
        lo, hi = np.percentile(data[:, mask > 0], [2, 98])
        data = np.clip((data - lo) / max(hi - lo, 1e-6) * 255, 0, 255).astype("uint8")
    if len(bands) == 1:
        data = np.repeat(data, 3, axis=0)
    rgba = np.dstack([data.transpose(1, 2, 0), mask.astype("uint8")])
    return _png(rgba, "RGBA", ext)


@dataclass(frozen=True)
class RasterLayer:
    name: str
    title: str
    kind: str  # "raster-dem" or "raster"
    formats: tuple[str, ...]
    minzoom: int
    maxzoom: int
    public: bool
    encoding: str | None = None
    disabled_reason: str = ""

    def enabled(self) -> bool:
        if self.name == "imagery":
            return bool(settings.HD_IMAGERY_ENABLED and settings.IMAGERY_PATH
                        and Path(settings.IMAGERY_PATH).exists())
        return True

    def visible_to(self, user: AnyUser) -> bool:
        return self.public or bool(user is not None and user.is_authenticated)

    def fingerprint(self) -> str:
        path = Path(settings.IMAGERY_PATH) if self.name == "imagery" else dem.dem_path()
        try:
            st = path.stat()
        except OSError:
            return "missing"
        return f"{hash(str(path)) & 0xFFFFFF:x}-{int(st.st_mtime)}-{st.st_size}"

    def render(self, z: int, x: int, y: int, ext: str) -> bytes | None:
        if z < self.minzoom:
            return None
        return {"terrain": render_terrain, "hillshade": render_hillshade, "imagery": render_imagery}[self.name](
            z, x, y, ext)


RASTER_LAYERS: dict[str, RasterLayer] = {
    "terrain": RasterLayer("terrain", "地形（高程）", "raster-dem", ("png",), 0, 14, public=True, encoding="terrarium"),
    "hillshade": RasterLayer("hillshade", "山体阴影", "raster", ("png",), 0, 15, public=True),
    "imagery": RasterLayer("imagery", "高清影像", "raster", ("png", "webp"), 0, 20, public=False,
                           disabled_reason="高清影像仅在政务外网区提供，或尚未配置影像文件（IMAGERY_PATH）。"),
}
