"""Server-side tile cache, two levels: this process's memory, then Redis when REDIS_URL is set
(shared by every process and host, filled ahead by ``seed_tiles``); without Redis, Django's
process-memory cache stands in for it.

Keys carry (layer, layer fingerprint, data version, scope, z/x/y). Versions only grow, so an edit
makes new keys and old entries simply age out: no scan, no delete, nothing to forget — in either
level. The memory level answers a warm tile without a network round trip; it is bounded in bytes
(TILE_MEMORY_CACHE_MB per process) and drops the least recently used tiles first.

With Redis the tile bytes go to the server as they are, on a connection of the thread's own: Django's
cache API would pickle every value and build a versioned key, which costs more CPU than a warm tile
does otherwise. Vector tiles are stored gzipped (``compress``).
"""
from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections import OrderedDict
from typing import Any

import redis
from django.conf import settings
from django.core.cache import caches
from isal import igzip
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

TIMEOUT = 7 * 24 * 3600
# ISA-L's gzip at level 2: 4x faster than zlib's level 3 for a 4 % larger tile (scripts/bench/tiles).
GZIP_LEVEL = 2


class MemoryLRU:
    """Bytes by key, at most ``budget`` bytes in all; thread-safe."""

    def __init__(self, budget: int):
        self.budget, self.size = budget, 0
        self._data: OrderedDict[str, bytes] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> bytes | None:
        with self._lock:
            value = self._data.get(key)
            if value is not None:
                self._data.move_to_end(key)
            return value

    def put(self, key: str, value: bytes) -> None:
        if len(value) > self.budget // 8:  # one huge tile must not flush the rest
            return
        with self._lock:
            if (old := self._data.pop(key, None)) is not None:
                self.size -= len(old)
            self._data[key] = value
            self.size += len(value)
            while self.size > self.budget:
                self.size -= len(self._data.popitem(last=False)[1])

    def clear(self) -> None:
        with self._lock:
            self._data.clear()
            self.size = 0


memory = MemoryLRU(settings.TILE_MEMORY_CACHE_MB * 1024 * 1024)


_local = threading.local()
RETRY_AFTER = 5.0  # seconds without Redis after it failed, so a dead Redis does not slow every tile


def _redis() -> Any | None:
    """This thread's own Redis connection, or None without REDIS_URL or while Redis is failing.

    One connection per thread (single_connection_client): a pooled client checks a connection out and
    probes its socket on every command, which costs a cold tile as much as the command itself."""
    if not settings.REDIS_URL or getattr(_local, "down_until", 0.0) > time.monotonic():
        return None
    if getattr(_local, "url", None) != settings.REDIS_URL:
        _local.redis, _local.url = None, settings.REDIS_URL
    if _local.redis is None:
        _local.redis = redis.Redis.from_url(settings.REDIS_URL, single_connection_client=True,
                                            socket_timeout=2, socket_connect_timeout=1)
    return _local.redis


def _redis_failed(exc: Exception, what: str) -> None:
    logger.warning("tile cache unreachable (%s), serving uncached for %.0f s: %s", what, RETRY_AFTER, exc)
    _local.redis, _local.down_until = None, time.monotonic() + RETRY_AFTER


def compress(data: bytes) -> bytes:
    return igzip.compress(data, compresslevel=GZIP_LEVEL, mtime=0) if data else b""


def tile_key(kind: str, layer: str, fingerprint: str, version: int, scope: str, z: int, x: int, y: int) -> str:
    return f"tile:{kind}:{layer}:{fingerprint}:{version}:{scope}:{z}/{x}/{y}"


def etag_for(key: str) -> str:
    return '"' + hashlib.blake2b(key.encode(), digest_size=12).hexdigest() + '"'


def get(key: str) -> bytes | None:
    """The cached bytes, or None: also when Redis is unreachable (tiles are then made afresh)."""
    if (value := memory.get(key)) is not None:
        return value
    if not settings.REDIS_URL:
        value = caches["default"].get(key)
    else:
        try:
            value = client.get(key) if (client := _redis()) is not None else None
        except RedisError as exc:
            _redis_failed(exc, "get")
            return None
    if value is not None:
        memory.put(key, value)
    return value


def put(key: str, value: bytes) -> None:
    memory.put(key, value)
    if not settings.REDIS_URL:
        caches["default"].set(key, value, TIMEOUT)
        return
    try:
        if (client := _redis()) is not None:
            client.set(key, value, ex=TIMEOUT)
    except RedisError as exc:
        _redis_failed(exc, "set")


def clear_memory() -> None:
    """Empty this process's level (tests, benchmarks measuring cold tiles)."""
    memory.clear()
