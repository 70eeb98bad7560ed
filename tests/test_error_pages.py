"""No error page gives a setting away under the defaults scripts/run serves with.

The server is started as scripts/run starts it (``run_defaults`` from scripts/lib/setup.sh, then
scripts/serve), with DEBUG unset, so the defaults decide. Every error a visitor can provoke — 404,
a foreign Host header (400), a form posted without its CSRF token (403), a deeply nested JSON body,
malformed JSON, and 500s from a database that cannot be reached — is checked for the keys, the
database address and password, URL pattern lists and tracebacks. A second test shows the check
catches Django's debug pages, so it cannot pass by looking at nothing.
"""
from __future__ import annotations

import http.client
import os
import secrets
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client

ROOT = Path(__file__).resolve().parent.parent

# Text that only Django's debug pages (or a leaked traceback) contain.
DEBUG_MARKERS = (
    "Traceback", "Using the URLconf", "URLconf defined in", "Django tried these URL patterns", "[name=",
    "DisallowedHost", "You’re seeing this error because", "You're seeing this error because",
    "DEBUG = True", "settings.py", "site-packages", "Exception Value", "OperationalError", "psycopg",
    "DATABASE", "SECRET_KEY", "PII_ENCRYPTION_KEY", "postgis://",
)

NESTED_JSON = "[" * 3000 + "]" * 3000


def leaks(text: str, secret_values: list[str]) -> list[str]:
    found = [m for m in DEBUG_MARKERS if m in text]
    found += [f"secret value {v[:6]}…" for v in secret_values if v and v in text]
    return found


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def served(database_url: str, keys: dict[str, str]) -> Iterator[int]:
    """scripts/serve with scripts/run's defaults: DEBUG, SECURE_COOKIES and ALLOWED_HOSTS unset."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items()
           if k not in ("DEBUG", "SECURE_COOKIES", "ALLOWED_HOSTS", "CSRF_TRUSTED_ORIGINS", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    env.update(keys, DATABASE_URL=database_url, PORT=str(port), HOST="127.0.0.1", WEB_WORKERS="1",
               ACCESS_LOG="0", SERVER_LOG_LEVEL="warning", REDIS_URL="")
    proc = subprocess.Popen(
        ["bash", "-c", 'source scripts/lib/setup.sh && run_defaults && exec scripts/serve'],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        for _ in range(300):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if proc.poll() is not None:
                    pytest.fail(f"the server exited: {proc.stderr.read().decode()[-2000:]}")  # type: ignore[union-attr]
                time.sleep(0.1)
        yield port
    finally:
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:  # a busy machine: granian's graceful stop can take long
            proc.kill()
            proc.wait()


def request(port: int, method: str, path: str, body: str | None = None,
            headers: dict[str, str] | None = None) -> tuple[int, str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(method, path, body=body.encode() if body is not None else None, headers=headers or {})
        resp = conn.getresponse()
        head = "\n".join(f"{k}: {v}" for k, v in resp.getheaders())
        return resp.status, head + "\n\n" + resp.read().decode("utf-8", "replace")
    finally:
        conn.close()


JSON = {"Content-Type": "application/json"}

# (method, path, body, headers, expected status or None where only "an error" is certain)
VISITOR_ERRORS = [
    ("GET", "/no-such-page/", None, {}, 404),
    ("GET", "/api/no-such-endpoint/", None, {}, 404),
    ("GET", "/static/no-such-file.js", None, {}, 404),
    ("GET", "/tiles/no-such-layer/0/0/0.mvt", None, {}, None),
    ("GET", "/", None, {"Host": "evil.example"}, 400),
    ("GET", "/api/units/", None, {"Host": "evil.example"}, 400),
    ("GET", "/tiles/boundary/0/0/0.mvt", None, {"Host": "evil.example"}, None),
    ("POST", "/accounts/login/", "username=a&password=b", {"Content-Type": "application/x-www-form-urlencoded"}, 403),
    ("POST", "/api/auth/token/", NESTED_JSON, JSON, None),
    ("POST", "/api/auth/token/", '{"username": ', JSON, 400),
    ("POST", "/api/auth/token/", "x" * 5000, {"Content-Type": "multipart/form-data; boundary=zz"}, None),
]


def _check(port: int, cases: list[tuple], secret_values: list[str]) -> None:
    problems = []
    for method, path, body, headers, expected in cases:
        status, text = request(port, method, path, body, headers)
        if expected is not None and status != expected:
            problems.append(f"{method} {path}: status {status}, expected {expected}")
        if status < 400:
            problems.append(f"{method} {path}: status {status}, expected an error")
        found = leaks(text, secret_values)
        if found:
            problems.append(f"{method} {path} ({status}) shows {found}")
    assert not problems, "\n".join(problems)


@pytest.fixture
def keys() -> dict[str, str]:
    return {"SECRET_KEY": secrets.token_urlsafe(50), "PII_ENCRYPTION_KEY": secrets.token_urlsafe(32)}


@pytest.mark.django_db
def test_error_pages_of_the_running_platform_show_no_setting(keys: dict[str, str]) -> None:
    db = settings.DATABASES["default"]
    url = (f"postgis://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
           f"/{connection.settings_dict['NAME']}")
    with served(url, keys) as port:
        _check(port, VISITOR_ERRORS, [*keys.values(), url])


def test_server_errors_show_no_setting(keys: dict[str, str]) -> None:
    # A database that refuses the connection: every request that needs it fails with a 500, the
    # case in which a debug page would print the database's address, name and password.
    password, name = secrets.token_hex(12), "no_such_db_" + secrets.token_hex(6)
    url = f"postgis://smartcommunity:{password}@127.0.0.1:{settings.DATABASES['default']['PORT'] or 5432}/{name}"
    token = {"Authorization": "Token " + "0" * 40}
    server_errors = [
        ("GET", "/healthz", None, {}, 500),
        ("GET", "/api/me/", None, token, 500),
        ("GET", "/admin/", None, {"Cookie": "sessionid=" + "a" * 32}, 500),
        ("POST", "/api/auth/token/", '{"username": "a", "password": "b"}', JSON, 500),
    ]
    with served(url, keys) as port:
        # Without a database the visitor errors may turn into 500s too: only leaks count for them.
        anything = [(m, p, b, h, None) for m, p, b, h, _ in VISITOR_ERRORS]
        _check(port, server_errors + anything, [*keys.values(), url, password, name])


@pytest.mark.django_db
def test_the_check_catches_debug_pages(settings: object, client: Client) -> None:
    settings.DEBUG = True  # type: ignore[attr-defined]
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Using the URLconf" in leaks(response.content.decode(), [])
    assert "[name=" in leaks(response.content.decode(), [])

