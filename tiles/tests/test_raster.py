"""Terrain (Terrarium PNG), hillshade and imagery tiles from real GeoTIFFs through rasterio."""
from __future__ import annotations

import io

import numpy as np
import pytest
import rasterio
from PIL import Image
from rasterio.transform import from_origin

from tiles import dem
from tiles.raster import terrarium_decode, terrarium_encode

from .conftest import client_for, lonlat_to_tile

pytestmark = pytest.mark.django_db

YUBEI = (106.63, 29.72)  # a point inside Yubei


@pytest.fixture
def dem_settings(settings, dem_file):
    settings.DEM_PATH = str(dem_file)
    return dem_file


def test_demo_dem_is_deterministic_hilly_with_ridges(dem_file):
    with rasterio.open(dem_file) as ds:
        z = ds.read(1)
        assert ds.crs.to_epsg() == 4490
    assert 195 <= z.min() < 260 and 850 < z.max() <= 1000
    assert np.percentile(z, 50) < 450  # mostly rolling hills, ridges are narrow
    again, _ = dem.synthesise(dem.yubei_bounds())
    assert np.array_equal(again, z)
    # Ridges run NNE-SSW: along them elevation varies far less than across them (WNW-ESE).
    h, w = z.shape
    s = np.radians(dem.STRIKE_DEG)
    k = np.cos(np.radians(29.85))  # a degree of longitude is shorter than one of latitude
    t = np.arange(-500, 500)

    def spread(cy, cx, dx, dy):
        r, c = (cy - t * dy).astype(int), (cx + t * dx / k).astype(int)
        ok = (r >= 0) & (r < h) & (c >= 0) & (c < w)
        return z[r[ok], c[ok]].std()

    along = np.mean([spread(h // 2 + o, w // 2, np.sin(s), np.cos(s)) for o in range(-300, 301, 60)])
    across = np.mean([spread(h // 2 + o, w // 2, np.cos(s), -np.sin(s)) for o in range(-300, 301, 60)])
    assert across > 2 * along


def test_terrarium_roundtrip():
    e = np.array([[-12.5, 0.0, 199.99609375, 999.5]], dtype="float32")
    assert np.allclose(terrarium_decode(terrarium_encode(e)), e, atol=1 / 256)


def test_terrain_tile_decodes_to_yubei_elevations(demo, dem_settings):
    x, y = lonlat_to_tile(*YUBEI, 12)
    resp = client_for().get(f"/tiles/terrain/12/{x}/{y}.png")
    assert resp.status_code == 200 and resp["Content-Type"] == "image/png"
    img = Image.open(io.BytesIO(resp.content))
    assert img.size == (256, 256) and img.mode == "RGB"
    rgb = np.asarray(img)
    elev = (rgb[..., 0].astype(float) * 256 + rgb[..., 1] + rgb[..., 2] / 256) - 32768
    assert 195 <= elev.min() and elev.max() <= 1001
    assert elev.std() > 1  # real relief, not a flat fill
    assert resp["ETag"] and client_for().get(f"/tiles/terrain/12/{x}/{y}.png",
                                            HTTP_IF_NONE_MATCH=resp["ETag"]).status_code == 304


def test_terrain_outside_dem_is_empty_and_fast(demo, dem_settings):
    resp = client_for().get("/tiles/terrain/12/0/0.png")
    assert resp.status_code == 204 and resp.content == b""


def test_hillshade_tile(demo, dem_settings):
    x, y = lonlat_to_tile(*YUBEI, 11)
    resp = client_for().get(f"/tiles/hillshade/11/{x}/{y}.png")
    assert resp.status_code == 200
    img = np.asarray(Image.open(io.BytesIO(resp.content)))
    assert img.shape == (256, 256, 4)
    assert img[..., 3].max() > 60  # shaded slopes are drawn
    assert client_for().get("/tiles/hillshade/11/0/0.png").status_code == 204


@pytest.fixture
def orthophoto(tmp_path, settings):
    """A small RGB GeoTIFF over part of Yubei, as a user's orthophoto would be."""
    path = tmp_path / "ortho.tif"
    w = h = 200
    data = np.zeros((3, h, w), dtype="uint8")
    data[0] = 200
    data[1] = np.linspace(0, 255, w, dtype="uint8")[None, :]
    data[2] = 50
    with rasterio.open(path, "w", driver="GTiff", width=w, height=h, count=3, dtype="uint8", crs="EPSG:4490",
                       transform=from_origin(YUBEI[0] - 0.01, YUBEI[1] + 0.01, 0.0001, 0.0001)) as dst:
        dst.write(data)
    settings.IMAGERY_PATH = str(path)
    settings.HD_IMAGERY_ENABLED = True
    return path


def test_imagery_tiles_png_and_webp(demo, orthophoto):
    x, y = lonlat_to_tile(*YUBEI, 15)
    staff = client_for(demo.village_staff)
    resp = staff.get(f"/tiles/imagery/15/{x}/{y}.png")
    assert resp.status_code == 200
    img = np.asarray(Image.open(io.BytesIO(resp.content)))
    assert img.shape == (256, 256, 4) and img[..., 3].max() == 255
    assert abs(int(np.median(img[img[..., 3] > 0][:, 0])) - 200) <= 2
    resp = staff.get(f"/tiles/imagery/15/{x}/{y}.webp")
    assert resp.status_code == 200 and resp["Content-Type"] == "image/webp"
    assert staff.get("/tiles/imagery/15/0/0.png").status_code == 204
    assert client_for().get(f"/tiles/imagery/15/{x}/{y}.png").status_code == 403


def test_imagery_disabled_in_the_internet_zone(demo, orthophoto, settings):
    settings.HD_IMAGERY_ENABLED = False
    resp = client_for(demo.superuser).get("/tiles/imagery/15/0/0.png")
    assert resp.status_code == 404 and resp.json()["code"] == "layer_disabled"
    assert "imagery" not in {e["name"] for e in client_for(demo.superuser).get("/tiles/").json()["layers"]}
