"""Job kinds: a module declares one with ``@job_task("population.stats_report", title=...)`` in its
``jobs.py``; every app's ``jobs.py`` is imported when a kind is first looked up (web and worker)."""
from __future__ import annotations

import importlib
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.module_loading import autodiscover_modules

#: ``start(user, params) -> (unit, clean_params)`` checks a start request from the API (who may start
#: it, for which unit, with which parameters) and raises DomainError to refuse it.
StartCheck = Callable[[Any, dict[str, Any]], tuple[Any, dict[str, Any]]]


@dataclass(frozen=True)
class JobKind:
    kind: str
    fn: Callable[..., None]
    title: str
    start: StartCheck | None = None


_kinds: dict[str, JobKind] = {}
_discovered = False
_lock = threading.Lock()
# The kernel's own job kinds live beside their services, not in core/jobs.py.
_KERNEL_JOB_MODULES = ("core.notices.jobs", "core.documents.jobs")


def job_task(kind: str, *, title: str = "", start: StartCheck | None = None) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Declare ``fn(job, **params)`` as the job ``kind``. ``title`` is the Chinese name users see;
    ``start`` (optional) lets users start the job through ``POST /api/jobs/``."""

    def register(fn: Callable[..., None]) -> Callable[..., None]:
        existing = _kinds.get(kind)
        if existing is not None and existing.fn.__qualname__ != fn.__qualname__:
            raise ValueError(f"job kind {kind!r} is declared twice")
        _kinds[kind] = JobKind(kind, fn, title or kind, start)
        return fn

    return register


def discover() -> None:
    global _discovered
    if _discovered:
        return
    with _lock:
        if not _discovered:
            for name in _KERNEL_JOB_MODULES:
                importlib.import_module(name)
            autodiscover_modules("jobs")
            _discovered = True


def get(kind: str) -> JobKind:
    discover()
    try:
        return _kinds[kind]
    except KeyError:
        raise LookupError(f"unknown job kind {kind!r}") from None


def kinds() -> dict[str, JobKind]:
    discover()
    return dict(_kinds)
