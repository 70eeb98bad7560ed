"""Server-side tile cache: Django's cache (Redis when REDIS_URL is set, else process memory).

Keys carry (layer, layer fingerprint, data version, scope, z/x/y). Versions only grow, so an edit
makes new keys and old entries simply age out: no scan, no delete, nothing to forget.
"""
from __future__ import annotations

import hashlib

from django.core.cache import caches

TIMEOUT = 7 * 24 * 3600


def _cache():
    return caches["default"]


def tile_key(kind: str, layer: str, fingerprint: str, version: int, scope: str, z: int, x: int, y: int) -> str:
    return f"tile:{kind}:{layer}:{fingerprint}:{version}:{scope}:{z}/{x}/{y}"


def etag_for(key: str) -> str:
    return '"' + hashlib.blake2b(key.encode(), digest_size=12).hexdigest() + '"'


def get(key: str) -> bytes | None:
    return _cache().get(key)


def put(key: str, value: bytes) -> None:
    _cache().set(key, value, TIMEOUT)
