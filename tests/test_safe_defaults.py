"""Safe defaults an adversarial test found missing: scoped browsable-API pages, audit events of people
leaving a pool readable where they left, the published demo password refused, the policy header on
every answer, and a keep-alive connection that survives a refused anonymous POST with a body."""
from __future__ import annotations

import socket
from typing import Any

import pytest
from audit.models import AuditEvent
from core.testing import token_client
from django.db import connection
from django.test import Client
from population import services
from population.tests.conftest import make_id

from boundaries.models import AdminUnit

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/api/organisations/", "/api/departments/", "/api/users/", "/api/places/facility/"])
def test_browsable_api_pages_list_no_units_outside_the_scope(demo, path) -> None:
    client = Client()
    client.force_login(demo.village_admin if path == "/api/users/" else demo.village_staff)
    r = client.get(path, HTTP_ACCEPT="text/html")
    assert r.status_code == 200 and r["Content-Type"].startswith("text/html")
    html = r.content.decode()
    assert "<select" not in html or 'name="unit"' not in html
    outside = AdminUnit.objects.exclude(path__startswith=demo.town.path).exclude(
        pk__in=[u.pk for u in demo.community.ancestors()] if hasattr(demo.community, "ancestors") else []
    ).exclude(level__lte=demo.town.level).values_list("name", flat=True)[:200]
    leaked = [n for n in outside if f">{n}<" in html]
    assert not leaked, leaked[:5]
    assert len(r.content) < 300_000


def test_a_resident_sees_no_unit_select_either(demo) -> None:
    client = Client()
    client.force_login(demo.resident)
    r = client.get("/api/places/facility/", HTTP_ACCEPT="text/html")
    assert r.status_code == 200 and "<option" not in r.content.decode()


def test_people_leaving_a_pool_are_audited_where_they_left(demo) -> None:
    staff = demo.village_staff
    p = services.add_person(staff, {"name": "离开者", "id_number": make_id()})
    services.transfer_out(staff, p, "搬往邻村", to_pool=demo.neighbour_community)
    q = services.add_person(staff, {"name": "迁出者", "id_number": make_id()})
    services.transfer_out(staff, q, "迁出本市", out_of_city=True)
    for person in (p, q):
        events = AuditEvent.objects.filter(model="population.Person", object_id=str(person.pk), action="update")
        assert events.exists()
        assert all(e.unit_path == demo.community.path for e in events), [e.unit_path for e in events]
        # The sending community's administrator (and the district's) read them.
        for reader in (demo.village_admin, demo.district_admin):
            assert AuditEvent.objects.visible_to(reader).filter(pk__in=events.values("pk")).count() == events.count()
        r = token_client(demo.village_admin).get("/api/audit/", {"model": "population.Person"})
        assert r.status_code == 200


def test_the_published_demo_password_is_refused_for_new_accounts(demo) -> None:
    client = token_client(demo.village_admin)
    r = client.post("/api/users/", {"username": "new_clerk_pw", "password": "Demo2026!yb", "unit": demo.community.pk,
                                    "role": "staff", "login_type": "community"}, format="json")
    assert r.status_code == 400 and r.json()["code"] == "password_policy", r.json()
    assert "公开" in r.json()["detail"]
    r = client.post("/api/users/", {"username": "new_clerk_pw", "password": "Ab1", "unit": demo.community.pk,
                                    "role": "staff", "login_type": "community"}, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 400 and "密码太短" in r.json()["detail"], r.json()


@pytest.mark.parametrize("path", ["/", "/accounts/login/", "/api/units/", "/no-such-page/", "/api/docs/", "/app/"])
def test_every_answer_carries_the_policy(client: Client, path: str) -> None:
    csp = client.get(path)["Content-Security-Policy"]
    script_src = next(d for d in csp.split(";") if d.strip().startswith("script-src"))
    assert script_src.strip() == "script-src 'self'"
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp and "base-uri 'self'" in csp


def test_no_inline_scripts_in_server_pages(demo) -> None:
    """What the policy would block: every <script> of the server's own pages has a src (or is data)."""
    import re

    client = Client()
    client.force_login(demo.superuser)
    unit = demo.community
    for path in ("/", "/accounts/login/", "/api/docs/", f"/admin/adminunits/adminunit/{unit.pk}/change/",
                 "/admin/", "/api/units/?format=api"):
        html = client.get(path).content.decode()
        for tag in re.findall(r"<script\b[^>]*>", html):
            assert "src=" in tag or 'type="application/json"' in tag, (path, tag)
        assert not re.findall(r"<[^>]+\son[a-z]+=", html), (path, re.findall(r"<[^>]+\son[a-z]+=[^>]*>", html)[:3])


def test_keep_alive_survives_a_refused_anonymous_post(keys: dict[str, str]) -> None:
    """Through the production server (granian, as scripts/run serves): a 4 kB anonymous POST is refused,
    and the next request on the same connection is answered."""
    from django.conf import settings

    from tests.test_error_pages import served

    db = settings.DATABASES["default"]
    url = (f"postgis://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
           f"/{connection.settings_dict['NAME']}")
    with served(url, keys) as port:
        for size in (2048, 4096, 70_000):
            body = b'{"q": "' + b"x" * size + b'"}'
            with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
                s.sendall(b"POST /api/population/people/search/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                          b"Content-Type: application/json\r\nContent-Length: " + str(len(body)).encode() +
                          b"\r\n\r\n" + body)
                first = _response(s)
                assert first.startswith((b"HTTP/1.1 401", b"HTTP/1.1 403")), first[:80]
                s.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                second = _response(s)
                assert second.startswith(b"HTTP/1.1 200"), (size, second[:200])


def _response(s: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = s.recv(65536)
        if not chunk:
            return data
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    length = next((int(line.split(b":")[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")), 0)
    while len(rest) < length:
        chunk = s.recv(65536)
        if not chunk:
            break
        rest += chunk
    return head + b"\r\n\r\n" + rest


@pytest.fixture
def keys() -> dict[str, Any]:
    import secrets

    return {"SECRET_KEY": secrets.token_urlsafe(50), "PII_ENCRYPTION_KEY": "test-pii-key"}
