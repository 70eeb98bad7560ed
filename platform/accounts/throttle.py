"""Sign-in rate limiting and the record of failed sign-ins.

Failures are counted in the cache per (username, client address) for 15 minutes; at
``LOGIN_RATE_LIMIT`` failures further attempts are refused before the password is even checked
(the session login form and the token endpoint alike). Each failure is an audit event
(``login_failed``), visible to the administrators above the account's unit. Counting per
username *and* address keeps one attacker from locking a clerk out from every office.
"""
from __future__ import annotations

import hashlib
from typing import Any

from audit.middleware import client_ip
from audit.models import Action, AuditEvent
from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

WINDOW_SECONDS = 15 * 60


def _key(username: str, ip: str | None) -> str:
    digest = hashlib.sha256(f"{username.strip().lower()}|{ip or '-'}".encode()).hexdigest()[:32]
    return f"login-fail:{digest}"


def is_locked(username: str, request: HttpRequest | None) -> bool:
    ip = client_ip(request) if request is not None else None
    return int(cache.get(_key(username, ip), 0)) >= settings.LOGIN_RATE_LIMIT


def reset(username: str, request: HttpRequest | None) -> None:
    cache.delete(_key(username, client_ip(request) if request is not None else None))


def record_failure(username: str, request: HttpRequest | None) -> None:
    from accounts.models import User

    ip = client_ip(request) if request is not None else None
    key = _key(username, ip)
    if cache.add(key, 1, WINDOW_SECONDS) is False:
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, WINDOW_SECONDS)
    user = User.objects.filter(username__iexact=username).select_related("unit").first() if username else None
    AuditEvent.objects.create(
        actor=None,
        actor_name=username[:150],
        ip=ip,
        action=Action.LOGIN_FAILED,
        model="accounts.User",
        object_id=str(user.pk) if user else "",
        object_repr=username[:200],
        # Unknown usernames have no unit: only superusers read those events.
        unit_path=user.unit.path if user is not None and user.unit is not None else "",
    )


def on_login_failed(sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kw: Any) -> None:
    """``user_login_failed`` receiver: every failed ``authenticate()`` counts and is recorded."""
    record_failure(str(credentials.get("username", "")), request)
