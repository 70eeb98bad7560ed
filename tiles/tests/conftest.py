"""Fixtures for the tiles tests: the shared tiny demo (root conftest), a clean cache, tile helpers."""
from __future__ import annotations

import gzip
import math
import socket
import time

import mapbox_vector_tile
import pytest
from django.core.cache import cache
from django.core.handlers.wsgi import WSGIRequest
from django.http import HttpResponse
from django.test import Client

from tiles import cache as tile_cache
from tiles.lane import TileLane


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()
    tile_cache.clear_memory()
    yield
    cache.clear()
    tile_cache.clear_memory()


@pytest.fixture(scope="session")
def dem_file(tmp_path_factory):
    """The real generator, written once per session to a temporary path."""
    from tiles import dem

    path = tmp_path_factory.mktemp("dem") / "yubei-dem.tif"
    dem.write_dem(path)
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def until(condition, timeout: float = 5.0) -> bool:
    """Poll ``condition`` until true (for what arrives asynchronously: notifications)."""
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        if condition():
            return True
        time.sleep(0.02)
    return False


def lonlat_to_tile(lon: float, lat: float, z: int) -> tuple[int, int]:
    n = 1 << z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return x, y


class _FallThrough(Exception):
    pass


def _to_django(environ, start_response):
    raise _FallThrough


class LaneClient(Client):
    """Django's test client, but vector tiles are answered by the WSGI fast lane, as in production
    (config/wsgi.py); whatever the lane passes on is answered by Django as usual."""

    def __init__(self, **defaults):
        super().__init__(**defaults)
        django_handler, lane = self.handler, TileLane(_to_django)
        self.lane = lane

        def handler(environ):
            captured: dict = {}

            def start_response(status, headers):
                captured.update(status=int(status.split()[0]), headers=headers)

            try:
                result = lane(environ, start_response)
            except _FallThrough:
                return django_handler(environ)
            try:
                body = b"".join(result)
            finally:
                result.close()  # as a WSGI server does once the response is sent
            resp = HttpResponse(body, status=captured["status"])
            del resp["Content-Type"]
            for name, value in captured["headers"]:
                resp[name] = value
            resp.wsgi_request = WSGIRequest(environ)
            resp.lane = True  # answered by the lane, not by a Django view
            return resp

        self.handler = handler


def client_for(user=None, *, lane: bool = True) -> Client:
    c = (LaneClient if lane else Client)(HTTP_HOST="localhost")
    if user is not None:
        c.force_login(user)
    return c


def fetch(client: Client, path: str, **headers):
    """GET a vector tile; returns (response, decoded layers dict) — {} for 204."""
    resp = client.get(path, HTTP_ACCEPT_ENCODING="gzip", **headers)
    if resp.status_code != 200:
        return resp, {}
    body = resp.content
    if resp.get("Content-Encoding") == "gzip":
        body = gzip.decompress(body)
    return resp, mapbox_vector_tile.decode(body)


def codes(decoded: dict, layer: str) -> set[str]:
    return {f["properties"].get("code") for f in decoded.get(layer, {}).get("features", [])}
