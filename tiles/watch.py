"""A per-process memo of tile versions and token users, kept true by PostgreSQL notifications.

Every tile request needs its version (and, with a token, its user): one small query that costs as
much CPU as answering a warm tile from the cache. The answers change only when a version row or an
account changes, and statement triggers on those tables (migration 0003) then NOTIFY the channel
``maptiles_changed`` at commit. Each server process keeps one listening connection; any notification
empties the memo, so the next request reads the database again.

Rules that keep it correct:
* The memo answers only while the listener is connected. When it drops, the memo is emptied and
  unused until it is back (notifications sent meanwhile are lost, so it starts empty again).
* A value read from the database is stored only if no notification arrived since the read began
  (the epoch check): a read that raced a commit never outlives the notification.
* Entries expire after ``MAX_AGE`` seconds and the listener checks its connection every
  ``KEEPALIVE`` seconds, which bounds staleness even if the connection died silently.

An edit therefore shows in tiles as soon as each process has received the notification (well under
a millisecond after commit on one host); tests/request paths inside a transaction never see the memo
(the lane starts the listener only in server processes).
"""
from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Hashable
from typing import Any

import psycopg
from django.db import connections

logger = logging.getLogger(__name__)

CHANNEL = "maptiles_changed"
MAX_AGE = 30.0  # seconds an entry is trusted without a fresh read
KEEPALIVE = 5.0  # seconds between the listener's connection checks
MAX_ENTRIES = 50_000
APPLICATION_NAME = "maptiles-listen"


class Memo:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._data: dict[Hashable, tuple[Any, float]] = {}
        self._epoch = 0
        self.live = False

    def get(self, key: Hashable) -> Any | None:
        if not self.live:
            return None
        entry = self._data.get(key)
        if entry is None or time.monotonic() - entry[1] > MAX_AGE:
            return None
        return entry[0]

    @property
    def epoch(self) -> int:
        return self._epoch

    def put(self, key: Hashable, value: Any, epoch: int) -> None:
        """Store a value read from the database after ``epoch`` was taken (see the module's rules)."""
        with self._lock:
            if not self.live or epoch != self._epoch:
                return
            if len(self._data) >= MAX_ENTRIES:
                self._data.clear()
            self._data[key] = (value, time.monotonic())

    def invalidate(self, *, live: bool | None = None) -> None:
        with self._lock:
            self._epoch += 1
            self._data.clear()
            if live is not None:
                self.live = live


memo = Memo()
_started_in: int | None = None
_start_lock = threading.Lock()


def ensure_started() -> None:
    """Start this process's listener once (lazily: server workers may fork after import)."""
    global _started_in
    if _started_in == os.getpid():
        return
    with _start_lock:
        if _started_in == os.getpid():
            return
        _started_in = os.getpid()
        memo.invalidate(live=False)  # a forked child must not trust its parent's memo
        threading.Thread(target=listen_forever, name="maptiles-listen", daemon=True).start()


def listen_forever(stop: threading.Event | None = None) -> None:
    stop = stop or threading.Event()
    while not stop.is_set():
        try:
            listen_once(stop)
        except Exception as exc:  # noqa: BLE001 - any failure: stop trusting the memo, reconnect
            logger.warning("tile version listener lost its connection (%s); reconnecting", exc)
        finally:
            memo.invalidate(live=False)
        stop.wait(1.0)


def listen_once(stop: threading.Event) -> None:
    params = connections["default"].get_connection_params()
    params.pop("cursor_factory", None)
    params["application_name"] = APPLICATION_NAME  # visible in pg_stat_activity
    with psycopg.connect(**params, autocommit=True) as conn:
        conn.execute(f"LISTEN {CHANNEL}")
        memo.invalidate(live=True)
        while not stop.is_set():
            # Notifications that arrive during the check below are kept by psycopg and come first here.
            for _ in conn.notifies(timeout=KEEPALIVE):
                memo.invalidate()
            conn.execute("SELECT 1")  # a dead connection raises here within KEEPALIVE
