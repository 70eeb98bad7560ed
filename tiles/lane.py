"""The WSGI fast lane for vector tiles.

A map view asks for dozens of tiles at a time, and most are warm: answering one from the cache costs
less than Django's middleware chain and URL resolution around it. ``TileLane`` wraps the Django WSGI
application (config/wsgi.py): a GET of ``/tiles/{layer}/{z}/{x}/{y}.mvt|pbf`` for a vector layer is
answered by ``serve.vector_tile`` directly; everything else (raster tiles, errors of method, other
URLs, a Host that is not allowed) goes to Django unchanged.

Security settings are Django's, applied by Django's own code, never restated here: the configured
middleware that shape every answer (``REPLAYED``: SecurityMiddleware's SSL redirect, HSTS, nosniff,
Referrer-Policy and Cross-Origin-Opener-Policy; CommonMiddleware; the locale middleware;
XFrameOptionsMiddleware) run around the tile, in the configured order, as the same classes and with
the same exception handling Django builds its chain with. The rest of the configured middleware are
known to change nothing in a tile's answer (``INERT``, with the reason each); if settings name any
other middleware, the lane steps aside and Django answers every request. The Host header is checked
by ``HttpRequest.get_host`` (ALLOWED_HOSTS). The session cookie is read with Django's own session store
and ``auth.get_user`` (so logout and password changes hold at once), and the persistent database
connection is released by the same rule as ``request_finished`` (CONN_MAX_AGE, errors). The lane never
writes: no session save, no CSRF, nothing to audit. ``tiles/tests/test_lane.py`` compares status, body
and every header of lane and view for every kind of answer, with production security settings.
"""
from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Iterable, Iterator
from http import HTTPStatus
from importlib import import_module
from types import SimpleNamespace
from typing import Any, cast

from django.conf import settings
from django.contrib import auth
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import DisallowedHost
from django.core.handlers.exception import convert_exception_to_response
from django.core.handlers.wsgi import WSGIRequest
from django.db import connection
from django.http import HttpRequest, HttpResponse, parse_cookie
from django.middleware.clickjacking import XFrameOptionsMiddleware
from django.middleware.common import CommonMiddleware
from django.middleware.locale import LocaleMiddleware
from django.middleware.security import SecurityMiddleware
from django.utils.module_loading import import_string

from . import raster, serve, watch
from .views import http_response

_TILE_PATH = re.compile(r"^/tiles/(?P<layer>[^/]+)/(?P<z>[^/]+)/(?P<x>[^/]+)/(?P<y>[^/.]+)\.(?P<ext>mvt|pbf)$")
logger = logging.getLogger("django.request")
_REASONS = {s.value: s.phrase for s in HTTPStatus}
_DB_SESSIONS = "django.contrib.sessions.backends.db"

#: Middleware whose work shows in every answer: run on the lane's answers too (Django's by class,
#: subclasses included; the kernel's by path: request limits — 413 and draining an unread body —
#: and the Content-Security-Policy header).
REPLAYED: tuple[type, ...] = (SecurityMiddleware, CommonMiddleware, LocaleMiddleware, XFrameOptionsMiddleware)
REPLAYED_PATHS = frozenset({"core.middleware.RequestLimitsMiddleware", "core.middleware.ContentSecurityPolicyMiddleware"})
#: Middleware that change nothing in a tile's answer, and why (the parity test holds them to it).
INERT: dict[str, str] = {
    "whitenoise.middleware.WhiteNoiseMiddleware": "answers STATIC_URL paths only",
    "django.contrib.sessions.middleware.SessionMiddleware":
        "the lane reads the session through the same store and never modifies it; its only header, "
        "Vary: Cookie, is on every tile answer already",
    "django.middleware.csrf.CsrfViewMiddleware": "GET and HEAD are safe methods and a tile never asks for a token",
    "django.contrib.auth.middleware.AuthenticationMiddleware": "the lane finds the user with auth.get_user itself",
    "django.contrib.messages.middleware.MessageMiddleware": "a tile neither adds nor reads messages",
    "audit.middleware.AuditContextMiddleware": "the lane writes nothing, so there is nothing to attribute",
}

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


def _replayed(path: str) -> bool:
    return path in REPLAYED_PATHS or issubclass(import_string(path), REPLAYED)


def _replayed_chain(inner: Callable[[HttpRequest], HttpResponse]) -> Callable[[HttpRequest], HttpResponse] | None:
    """``inner`` wrapped in the configured middleware that shape every answer, the way
    ``BaseHandler.load_middleware`` wraps a view (same classes, order and exception handling).
    None when settings name a middleware the lane does not know to be inert for a tile."""
    unknown = [path for path in settings.MIDDLEWARE if not _replayed(path) and path not in INERT]
    if settings.SESSION_SAVE_EVERY_REQUEST:
        unknown.append("SESSION_SAVE_EVERY_REQUEST")  # the session middleware would then write on every tile
    if unknown:
        logger.warning("tile lane off: no rule for %s, so Django answers every tile", ", ".join(unknown))
        return None
    handler = convert_exception_to_response(inner)
    for path in reversed(settings.MIDDLEWARE):
        if _replayed(path):
            handler = convert_exception_to_response(import_string(path)(handler))
    return cast(Callable[[HttpRequest], HttpResponse], handler)  # sync middleware over a sync view


# The headers of a kind of answer, and where its ETag and Content-Length go (-1: none).
Template = tuple[tuple[tuple[str, str], ...], int, int]
_MEMO_MAX = 4096  # entries per memo; request inputs are client-controlled, so the memo is bounded


class TileLane:
    """``watch``: keep this process's memo of versions and token and session users (tiles/watch.py). Server
    processes want it; a test holding a transaction must not (its edits never commit, so never notify).
    The middleware are built once, from the settings at construction, as Django's handler builds its own.

    Running the replayed middleware on every tile would cost more than a warm tile itself (building
    the request and response objects, five header rewrites). What they do to a tile's answer depends
    only on the request's scheme, host, proxy and language inputs (``_request_key``) and on the
    answer's status and headers other than its ETag (``_shape``), so the lane runs the real chain once
    per such combination and remembers the result as a header template: the same headers, with the
    answer's own values and the body length filled in. A 404 (where CommonMiddleware and the locale
    middleware look at the path), any change of status or body, or a cookie is never remembered; nor
    is a plain-HTTP request while SECURE_SSL_REDIRECT is on (its redirect can depend on the path), nor
    a request with a body (the request limits check and drain it each time).
    """

    def __init__(self, django_app: WSGIApp, *, watch: bool = False):
        self.django_app = django_app
        self.watch = watch
        self.chain = _replayed_chain(self._tile)
        self._proxy_header = settings.SECURE_PROXY_SSL_HEADER[0] if settings.SECURE_PROXY_SSL_HEADER else ""
        self._passes: set[tuple] = set()  # request keys the replayed middleware let through unchanged
        self._templates: dict[tuple, Template] = {}

    def _request_key(self, environ: dict) -> tuple:
        """Every request input the replayed middleware read: scheme and TLS proxy header
        (``is_secure``), host inputs (``get_host``, PREPEND_WWW), script prefix, language cookie and
        Accept-Language (the locale middleware), the body's length (request limits)."""
        cookie = environ.get("HTTP_COOKIE", "")
        lang = parse_cookie(cookie).get(settings.LANGUAGE_COOKIE_NAME) if settings.LANGUAGE_COOKIE_NAME in cookie else None
        return (environ.get("wsgi.url_scheme"), environ.get(self._proxy_header), environ.get("HTTP_HOST"),
                environ.get("SERVER_NAME"), environ.get("SERVER_PORT"), environ.get("HTTP_X_FORWARDED_HOST"),
                environ.get("HTTP_X_FORWARDED_PORT"), environ.get("SCRIPT_NAME"), lang,
                environ.get("HTTP_ACCEPT_LANGUAGE"), environ.get("CONTENT_LENGTH") or "")

    def __call__(self, environ: dict, start_response: StartResponse) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD")
        match = _TILE_PATH.match(environ.get("PATH_INFO", "")) if method in ("GET", "HEAD") else None
        if match is None or match["layer"] in raster.RASTER_LAYERS or self.chain is None:
            return self.django_app(environ, start_response)
        key = self._request_key(environ)
        request = None
        if key in self._passes:  # known to reach the tile: answer it, then look for the template
            if self.watch:
                watch.ensure_started()
            answer = _answer(environ, match.groupdict())
            shape = _shape(answer)
            if answer.status != 404 and (template := self._templates.get((key, shape))) is not None:
                headers = _fill(template, answer)
                start_response(f"{answer.status} {_REASONS[answer.status]}", headers)
                return _Body(answer.body if method == "GET" else b"", answer.after)
            request = WSGIRequest(environ)
            request.tile_answer = answer  # type: ignore[attr-defined]
        else:
            request = WSGIRequest(environ)
            try:
                request.get_host()
            except DisallowedHost:  # Django answers it (400, logged to django.security) like any other URL
                return self.django_app(environ, start_response)
            if self.watch:
                watch.ensure_started()
            request.tile_match = match.groupdict()  # type: ignore[attr-defined]
        response = self.chain(request)
        self._learn(key, request, response)
        # What WSGIHandler sends (the lane's answers set no cookie, but a middleware could).
        headers = [*response.items(), *(("Set-Cookie", c.output(header="")) for c in response.cookies.values())]
        start_response(f"{response.status_code} {response.reason_phrase}", headers)
        return _Body(response.content if method == "GET" else b"", getattr(response, "tile_after", None))

    def _learn(self, key: tuple, request: HttpRequest, response: HttpResponse) -> None:
        answer = getattr(request, "tile_answer", None)
        if answer is None:  # the middleware answered (a redirect): the tile was never asked for
            return
        if not request.is_secure() and settings.SECURE_SSL_REDIRECT:
            return
        if request.META.get("CONTENT_LENGTH") not in (None, "", "0"):  # a body to check and drain every time
            return
        if len(self._passes) >= _MEMO_MAX or len(self._templates) >= _MEMO_MAX:
            self._passes.clear()
            self._templates.clear()
        self._passes.add(key)
        if (answer.status == 404 or response.status_code != answer.status or response.content != answer.body
                or response.cookies):
            return
        if (template := _template(answer, list(response.items()))) is not None:
            self._templates[(key, _shape(answer))] = template

    @staticmethod
    def _tile(request: HttpRequest) -> HttpResponse:
        """The "view" inside the replayed middleware."""
        answer = getattr(request, "tile_answer", None)
        if answer is None:
            answer = _answer(request.META, request.tile_match)  # type: ignore[attr-defined]
            request.tile_answer = answer  # type: ignore[attr-defined]
        response = http_response(answer)
        response.tile_after = answer.after  # type: ignore[attr-defined]  # run once the answer is sent
        return response


def _answer(environ: dict, match: dict[str, str]) -> serve.Answer:
    req = serve.TileRequest(
        authorization=environ.get("HTTP_AUTHORIZATION", ""),
        accept_encoding=environ.get("HTTP_ACCEPT_ENCODING", ""),
        if_none_match=environ.get("HTTP_IF_NONE_MATCH", ""),
        session_user=_session_user(environ),
    )
    try:
        return serve.vector_tile(req, **match)
    except Exception:  # what Django's handler does: log it, answer 500, keep serving
        logger.exception("tile %s failed", environ.get("PATH_INFO"))
        return serve.error(500, "server_error", "服务器内部错误，请稍后重试。")
    finally:
        if not connection.in_atomic_block:  # what request_finished does (tests hold a transaction)
            connection.close_if_unusable_or_obsolete()


def _shape(answer: serve.Answer) -> tuple:
    """What the replayed middleware may see of an answer: status, whether it has a body, its headers
    (the ETag's value aside: the middleware only ever copy it)."""
    return answer.status, bool(answer.body), tuple(h for h in answer.headers if h[0] != "ETag")


def _etag(answer: serve.Answer) -> str | None:
    return next((v for n, v in answer.headers if n == "ETag"), None)


def _template(answer: serve.Answer, final: list[tuple[str, str]]) -> Template | None:
    """The final headers of an answer of this shape: literal values (the shape fixes every value the
    answer brings but its ETag), and the slots of the ETag and of a Content-Length equal to the body's
    length, filled in per answer."""
    headers: list[tuple[str, str]] = []
    etag_at = length_at = -1
    for name, value in final:
        low = name.lower()
        if low == "etag":
            if value != _etag(answer):  # changed by a middleware: it would not carry over to other tiles
                return None
            etag_at = len(headers)
        elif low == "content-length" and value == str(len(answer.body)):
            length_at = len(headers)
        headers.append((name, value))
    return tuple(headers), etag_at, length_at


def _fill(template: Template, answer: serve.Answer) -> list[tuple[str, str]]:
    literal, etag_at, length_at = template
    headers = list(literal)
    if etag_at >= 0:
        headers[etag_at] = (headers[etag_at][0], _etag(answer) or "")
    if length_at >= 0:
        headers[length_at] = (headers[length_at][0], str(len(answer.body)))
    return headers


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
