"""Keeping the turnout layer fresh (tiles/__init__.py explains why a scan does not bump per row)."""
from __future__ import annotations

import threading
import time

from django.db import connection, transaction

TURNOUT_BUMP_SECONDS = 15.0
SOURCE = "polling:turnout"
_last = 0.0
_lock = threading.Lock()

# The source's epoch row (zc = -1): every tile of the layer goes stale, cheaply (tiles/versions.py).
_BUMP = ("INSERT INTO maptiles_tileversion (source, zc, cx, cy, version) "
         "VALUES (%s, -1, 0, 0, nextval('maptiles_version_seq')) "
         "ON CONFLICT (source, zc, cx, cy) DO UPDATE SET version = EXCLUDED.version")


def _bump() -> None:
    with connection.cursor() as c:
        c.execute(_BUMP, [SOURCE])


def turnout_changed(*, now: bool = False) -> None:
    """After the transaction commits: bump at once (``now``: a vote opened or counted) or at most
    every TURNOUT_BUMP_SECONDS in this process (scans)."""
    global _last
    with _lock:
        t = time.monotonic()
        if not now and t - _last < TURNOUT_BUMP_SECONDS:
            return
        _last = t
    transaction.on_commit(_bump)
