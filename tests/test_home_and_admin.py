"""The home page (sign-in, the jurisdiction's unit tree) and an admin that works offline."""
from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

from boundaries.levels import Level
from boundaries.models import AdminUnit

pytestmark = pytest.mark.django_db

EXTERNAL = re.compile(r"""(?:src|href)\s*=\s*["'](?:https?:)?//""", re.I)
ANY_URL = re.compile(r"""https?://(?!127\.0\.0\.1|localhost|testserver)[^\s"'<>)]+""", re.I)


def test_home_offers_sign_in_to_anonymous_users() -> None:
    html = Client().get("/").content.decode()
    assert 'name="username"' in html and 'name="password"' in html and "unit-tree" not in html


def test_home_shows_the_tree_of_the_jurisdiction(demo: Any) -> None:
    client = Client()
    client.force_login(demo.town_admin)
    html = client.get("/").content.decode()
    codes = set(re.findall(r'data-code="(\d+)"', html))
    assert codes == {demo.town.code} | set(AdminUnit.objects.filter(parent=demo.town).values_list("code", flat=True))
    client.force_login(demo.village_staff)
    codes = set(re.findall(r'data-code="(\d+)"', client.get("/").content.decode()))
    assert demo.community.code in codes and demo.neighbour_community.code not in codes
    assert all(c.startswith(demo.community.code) for c in codes)
    assert any(len(c) == 19 for c in codes)  # down to the buildings


def test_sign_in_through_the_home_page(demo: Any) -> None:
    client = Client()
    r = client.post("/accounts/login/", {"username": "yubei_admin", "password": "Demo2026!yb", "next": "/"})
    assert r.status_code == 302
    assert "渝北区" in client.get("/").content.decode()


def test_admin_map_widget_has_no_outside_url(demo: Any) -> None:
    client = Client()
    client.force_login(demo.superuser)
    unit = AdminUnit.objects.filter(level=Level.COMMUNITY).first()
    r = client.get(f"/admin/adminunits/adminunit/{unit.pk}/change/")
    assert r.status_code == 200
    html = r.content.decode()
    # The widget starts from a static script (no inline script under the Content-Security-Policy).
    assert "vendor/ol/ol.js" in html and "OLMapWidget.js" in html and "gis/offline-widget.js" in html
    assert 'id="id_geom_options" type="application/json"' in html or 'type="application/json" id="id_geom_options"' in html
    assert not EXTERNAL.findall(html), EXTERNAL.findall(html)
    assert not [u for u in ANY_URL.findall(html) if "w3.org" not in u], ANY_URL.findall(html)
    for asset in ("vendor/ol/ol.js", "vendor/ol/ol.css", "gis/js/OLMapWidget.js", "gis/offline-widget.js"):
        assert finders.find(asset), asset
    # Every other GIS admin of the project gets the offline widget too.
    from django.contrib import admin
    from django.contrib.gis.admin import GISModelAdmin

    for model, model_admin in admin.site._registry.items():
        if isinstance(model_admin, GISModelAdmin) and model_admin.has_add_permission(r.wsgi_request):
            url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/add/"
            page = client.get(url)
            assert page.status_code == 200, url
            assert not EXTERNAL.findall(page.content.decode()), url


def test_admin_lists_are_scoped(demo: Any) -> None:
    demo_admin = demo.town_admin
    demo_admin.is_staff = True
    demo_admin.save(update_fields=["is_staff"])
    from django.contrib.auth.models import Permission

    demo_admin.user_permissions.add(*Permission.objects.filter(codename__in=["view_adminunit", "view_user"]))
    client = Client()
    client.force_login(demo_admin)
    html = client.get("/admin/adminunits/adminunit/?level__exact=2").content.decode()
    assert demo.town.name in html and demo.other_town.name not in html
    # Column headers are the fields' Chinese names, not "Code" or "Boundary version".
    assert "代码" in html and "边界版本" in html and "Boundary version" not in html
    assert client.get(f"/admin/adminunits/adminunit/{demo.other_town.pk}/change/").status_code in (302, 404)


def test_pages_in_chinese_by_default_and_english_on_request(demo: Any) -> None:
    client = Client()
    assert "智慧社区 · 基层治理平台" in client.get("/").content.decode()
    # A browser set to English still gets Chinese: the language is the user's choice on the page
    # (one cookie for every page, the map included), not the browser's.
    english_browser = Client(HTTP_ACCEPT_LANGUAGE="en")
    html = english_browser.get("/").content.decode()
    assert "智慧社区 · 基层治理平台" in html and 'lang="zh-hans"' in html
    english_browser.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "Smart Community · Grassroots Governance Platform" in english_browser.get("/").content.decode()
    english_browser.force_login(demo.town_admin)
    assert "units in this jurisdiction" in english_browser.get("/").content.decode()
    assert '<html lang="en">' in english_browser.get("/map/").content.decode()
    client.force_login(demo.town_admin)
    assert "个单位" in client.get("/").content.decode()
    r = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert r.status_code == 302 and "Units of my jurisdiction" in client.get("/").content.decode()


def test_sign_in_checks_the_user_type(demo: Any) -> None:
    """The sign-in page's user type must match the account; the message says which one is right."""
    client = Client()
    data = {"username": demo.village_staff.username, "password": "Demo2026!yb", "next": "/"}
    r = client.post("/accounts/login/", {**data, "login_type": "government"})
    assert r.status_code == 200 and "_auth_user_id" not in client.session
    html = r.content.decode()
    assert "该账号不是“政府部门”账号" in html and "“村·社区”" in html and "<header>" in html
    r = client.post("/accounts/login/", {**data, "password": "wrong", "login_type": "community"})
    assert "用户名或密码不正确" in r.content.decode()
    r = client.post("/accounts/login/", {**data, "login_type": "community"})
    assert r.status_code == 302 and "_auth_user_id" in client.session
    # The favicon every page asks for exists.
    assert Client().get("/favicon.ico").status_code == 301
