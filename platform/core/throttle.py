"""Counting attempts in the shared cache: one counter per (scope, who) for a time window.

The cache is Redis wherever more than one server process runs (``REDIS_URL``; scripts/run starts
one), so every process counts against the same limit; without ``REDIS_URL`` each process counts
alone (tests, a single development process). Used for sign-in failures (accounts.throttle) and for
searches that could confirm a guessed ID number or phone (population).
"""
from __future__ import annotations

import hashlib

from django.core.cache import cache


def _key(scope: str, who: str) -> str:
    return f"throttle:{scope}:{hashlib.sha256(who.encode()).hexdigest()[:32]}"


def count(scope: str, who: str) -> int:
    return int(cache.get(_key(scope, who), 0))


def hit(scope: str, who: str, window_seconds: int) -> int:
    """Count one attempt; returns the attempts within the window, this one included."""
    key = _key(scope, who)
    if cache.add(key, 1, window_seconds):
        return 1
    try:
        return int(cache.incr(key))
    except ValueError:  # expired between add and incr
        cache.set(key, 1, window_seconds)
        return 1


def reset(scope: str, who: str) -> None:
    cache.delete(_key(scope, who))
