"""Server-side tile cache: Redis when REDIS_URL is set, else Django's process-memory cache.

Keys carry (layer, layer fingerprint, data version, scope, z/x/y). Versions only grow, so an edit
makes new keys and old entries simply age out: no scan, no delete, nothing to forget.

With Redis the tile bytes go to the server as they are, through django-redis's own connection pool:
its cache API would pickle every value and build a versioned key, which costs more CPU than a warm
tile does otherwise. Vector tiles are stored gzipped (``compress``).
"""
from __future__ import annotations

import hashlib
import logging
from typing import Any

from django.core.cache import caches
from isal import igzip
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

TIMEOUT = 7 * 24 * 3600
# ISA-L's gzip at level 2: 4x faster than zlib's level 3 for a 4 % larger tile (scripts/bench/tiles).
GZIP_LEVEL = 2


def _raw_redis() -> Any | None:
    """The redis-py client behind the default cache if it is django-redis, else None."""
    backend = caches["default"]
    client = getattr(backend, "client", None)
    return client.get_client(write=True) if hasattr(client, "get_client") else None


def compress(data: bytes) -> bytes:
    return igzip.compress(data, compresslevel=GZIP_LEVEL, mtime=0) if data else b""


def tile_key(kind: str, layer: str, fingerprint: str, version: int, scope: str, z: int, x: int, y: int) -> str:
    return f"tile:{kind}:{layer}:{fingerprint}:{version}:{scope}:{z}/{x}/{y}"


def etag_for(key: str) -> str:
    return '"' + hashlib.blake2b(key.encode(), digest_size=12).hexdigest() + '"'


def get(key: str) -> bytes | None:
    """The cached bytes, or None: also when Redis is unreachable (tiles are then made afresh)."""
    if (client := _raw_redis()) is None:
        return caches["default"].get(key)
    try:
        return client.get(key)
    except RedisError as exc:
        logger.warning("tile cache unreachable, serving uncached: %s", exc)
        return None


def put(key: str, value: bytes) -> None:
    if (client := _raw_redis()) is None:
        caches["default"].set(key, value, TIMEOUT)
        return
    try:
        client.set(key, value, ex=TIMEOUT)
    except RedisError as exc:
        logger.warning("tile cache unreachable, tile not stored: %s", exc)
