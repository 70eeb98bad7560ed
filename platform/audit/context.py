"""Who is acting, from where: set per request by the middleware, per command by ``acting_as``."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class AuditContext:
    user: Any = None
    ip: str | None = None
    reason: str = ""


# AuditContext is a frozen dataclass, so a shared default is safe.
_current: ContextVar[AuditContext] = ContextVar("audit_context", default=AuditContext())  # noqa: B039


def current() -> AuditContext:
    return _current.get()


@contextmanager
def acting_as(user: Any = None, ip: str | None = None, reason: str = "") -> Iterator[None]:
    token = _current.set(AuditContext(user=user, ip=ip, reason=reason))
    try:
        yield
    finally:
        _current.reset(token)


@contextmanager
def reason(text: str) -> Iterator[None]:
    """Attach a reason (e.g. "边界调整：并入新建小区") to the changes made inside the block."""
    ctx = current()
    token = _current.set(AuditContext(user=ctx.user, ip=ctx.ip, reason=text))
    try:
        yield
    finally:
        _current.reset(token)
