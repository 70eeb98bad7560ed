"""The WSGI fast lane for vector tiles.

A map view asks for dozens of tiles at a time, and most are warm: answering one from the cache costs
less than Django's middleware chain and URL resolution around it. ``TileLane`` wraps the Django WSGI
application (config/wsgi.py): a GET of ``/tiles/{layer}/{z}/{x}/{y}.mvt|pbf`` for a vector layer is
answered by ``serve.vector_tile`` directly; everything else (raster tiles, errors of method, other
URLs) goes to Django unchanged.

What the middleware would have done for such a request is done here, as far as a tile needs it: the
Host header is checked against ALLOWED_HOSTS (else Django answers 400), the session cookie is read
with Django's own session store and ``auth.get_user`` (so logout and password changes hold at once),
and the persistent database connection is released by the same rule as ``request_finished``
(CONN_MAX_AGE, errors). The lane never writes: no session save, no CSRF, nothing to audit.
"""
from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Iterable, Iterator
from http import HTTPStatus
from importlib import import_module
from types import SimpleNamespace
from typing import Any

from django.conf import settings
from django.contrib import auth
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.http import parse_cookie
from django.http.request import split_domain_port, validate_host

from . import raster, serve, watch

_TILE_PATH = re.compile(r"^/tiles/(?P<layer>[^/]+)/(?P<z>[^/]+)/(?P<x>[^/]+)/(?P<y>[^/.]+)\.(?P<ext>mvt|pbf)$")
logger = logging.getLogger("django.request")
_DB_SESSIONS = "django.contrib.sessions.backends.db"
_REASONS = {s.value: f"{s.value} {s.phrase}" for s in HTTPStatus}

StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict, StartResponse], Iterable[bytes]]


def _session_user(environ: dict) -> Callable[[], Any]:
    """The session's user, as AuthenticationMiddleware finds it (Django's session store and
    ``auth.get_user``: expiry, password-change hash, active flag). A signed-in user is remembered in
    the process memo (tiles/watch.py) until the session expires or any session or user row changes
    (migrations 0003/0004 notify), so a map view's dozens of tiles do not each read three rows."""

    def resolve() -> Any:
        key = parse_cookie(environ.get("HTTP_COOKIE", "")).get(settings.SESSION_COOKIE_NAME)
        if not key:
            return AnonymousUser()
        if (hit := watch.memo.get(("s", key))) is not None and hit[1] > time.time():
            return hit[0]
        epoch = watch.memo.epoch
        store = import_module(settings.SESSION_ENGINE).SessionStore(key)
        user = auth.get_user(SimpleNamespace(session=store))  # type: ignore[arg-type]
        # Only database sessions notify (the trigger is on django_session); remember until the row expires.
        if user.is_authenticated and watch.memo.live and settings.SESSION_ENGINE == _DB_SESSIONS:
            expires = store.model.objects.filter(session_key=key).values_list("expire_date", flat=True).first()
            if expires is not None:
                _ = user.unit  # loaded now: the remembered user must not query later
                watch.memo.put(("s", key), (user, expires.timestamp()), epoch)
        return user

    return resolve


def _host_allowed(environ: dict) -> bool:
    host = environ.get("HTTP_HOST") or environ.get("SERVER_NAME", "")
    domain, _port = split_domain_port(host)
    allowed = settings.ALLOWED_HOSTS
    if settings.DEBUG and not allowed:
        allowed = [".localhost", "127.0.0.1", "[::1]"]
    return bool(domain) and validate_host(domain, allowed)


class TileLane:
    """``watch``: keep this process's memo of versions and token and session users (tiles/watch.py). Server
    processes want it; a test holding a transaction must not (its edits never commit, so never notify).
    """

    def __init__(self, django_app: WSGIApp, *, watch: bool = False):
        self.django_app = django_app
        self.watch = watch

    def __call__(self, environ: dict, start_response: StartResponse) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD")
        match = _TILE_PATH.match(environ.get("PATH_INFO", "")) if method in ("GET", "HEAD") else None
        if match is None or match["layer"] in raster.RASTER_LAYERS or not _host_allowed(environ):
            return self.django_app(environ, start_response)
        if self.watch:
            watch.ensure_started()
        req = serve.TileRequest(
            authorization=environ.get("HTTP_AUTHORIZATION", ""),
            accept_encoding=environ.get("HTTP_ACCEPT_ENCODING", ""),
            if_none_match=environ.get("HTTP_IF_NONE_MATCH", ""),
            session_user=_session_user(environ),
        )
        try:
            answer = serve.vector_tile(req, **match.groupdict())
        except Exception:  # what Django's handler does: log it, answer 500, keep serving
            logger.exception("tile %s failed", environ.get("PATH_INFO"))
            answer = serve.error(500, "server_error", "服务器内部错误，请稍后重试。")
        finally:
            if not connection.in_atomic_block:  # what request_finished does (tests hold a transaction)
                connection.close_if_unusable_or_obsolete()
        headers = list(answer.headers)
        if answer.status not in (204, 304):
            headers.append(("Content-Length", str(len(answer.body))))
        start_response(_REASONS[answer.status], headers)
        return _Body(answer.body if method == "GET" else b"", answer.after)


class _Body:
    """The response body; ``close()`` — which WSGI servers call once the response is sent — runs the
    answer's deferred work, so storing a fresh tile in the cache does not delay it."""

    def __init__(self, body: bytes, after: Callable[[], None] | None):
        self.chunks = [body] if body else []
        self.after = after

    def __iter__(self) -> Iterator[bytes]:
        return iter(self.chunks)

    def close(self) -> None:
        if self.after is not None:
            try:
                self.after()
            except Exception:  # the client has its tile; a cache that is down must not break serving
                logger.exception("storing a tile failed")
