"""The WSGI fast lane (tiles/lane.py) answers vector tiles exactly as the Django view does, and passes
everything else to Django."""
from __future__ import annotations

import pytest
from django.conf import settings
from rest_framework.authtoken.models import Token

from tiles import mvt

from .conftest import client_for, lonlat_to_tile

pytestmark = pytest.mark.django_db


def _building_tile(demo, z=16) -> str:
    c = demo.community.children.first().children.filter(floors__isnull=False).first().geom.point_on_surface
    return "/tiles/building/{}/{}/{}.mvt".format(z, *lonlat_to_tile(c.x, c.y, z))


@pytest.fixture(params=["production", "defaults"])
def security(request, settings):
    """Production security settings (TLS behind a proxy, SSL redirect, HSTS, secure cookies), or the
    defaults a local `scripts/run` serves with. Clients are made after this, so their middleware
    (Django's handler and the lane alike) are built from these settings."""
    if request.param == "production":
        settings.SECURE_SSL_REDIRECT = True
        settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
        settings.SECURE_HSTS_SECONDS = 31536000
        settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
        settings.SECURE_HSTS_PRELOAD = True
        settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True
        csp = "core.middleware.ContentSecurityPolicyMiddleware"  # the kernel's page policy, where configured
        if csp not in settings.MIDDLEWARE:
            settings.MIDDLEWARE = [*settings.MIDDLEWARE, csp]
    return request.param


def _same(lane_resp, view_resp, *, secure: bool = True) -> None:
    """Same status, body, and every header and cookie; and the security headers are really there."""
    assert getattr(lane_resp, "lane", False) and not getattr(view_resp, "lane", False)
    assert lane_resp.status_code == view_resp.status_code
    assert lane_resp.content == view_resp.content
    assert sorted(lane_resp.items()) == sorted(view_resp.items())
    assert {k: v.output() for k, v in lane_resp.cookies.items()} == {k: v.output() for k, v in view_resp.cookies.items()}
    assert lane_resp["X-Content-Type-Options"] == "nosniff"
    # The redirect (SecurityMiddleware) and the 413 (request limits) are answered before
    # XFrameOptionsMiddleware is reached: Django's pages have no X-Frame-Options there either.
    if lane_resp.status_code not in (301, 413):
        assert lane_resp["X-Frame-Options"] == "DENY"
    assert lane_resp["Referrer-Policy"] == "same-origin"
    assert lane_resp["Cross-Origin-Opener-Policy"] == "same-origin"
    if "core.middleware.ContentSecurityPolicyMiddleware" in settings.MIDDLEWARE and lane_resp.status_code not in (301, 413):
        assert "frame-ancestors 'none'" in lane_resp["Content-Security-Policy"]
    if secure and settings.SECURE_HSTS_SECONDS:
        assert lane_resp["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"


def _both(lane, view, path, **extra):
    return lane.get(path, **extra), view.get(path, **extra)


@pytest.mark.parametrize("who", ["village_staff", "town_admin", "anonymous"])
def test_lane_and_view_give_the_same_answers(demo, who, security):
    user = None if who == "anonymous" else getattr(demo, who)
    lane, view = client_for(user), client_for(user, lane=False)
    tls = {"secure": True}
    paths = {
        _building_tile(demo): {200, 403},  # anonymous: 403 layer_forbidden
        "/tiles/community/12/3338/1703.mvt": {200, 204},
        "/tiles/base/3/6/3.mvt": {200, 204},
        "/tiles/building/3/0/0.mvt": {204, 403},  # below the layer's zooms: empty
        "/tiles/nope/1/0/0.mvt": {404},
        "/tiles/building/23/0/0.mvt": {400, 403},
        "/tiles/building/a/0/0.pbf": {400, 403},
    }
    seen = set()
    for path, expected in paths.items():
        first, other = _both(lane, view, path, HTTP_ACCEPT_ENCODING="gzip", **tls)
        assert first.status_code in expected, (path, first.status_code)
        _same(first, other)
        _same(*_both(lane, view, path, **tls))  # no gzip accepted: plain bytes
        if first.get("ETag"):
            not_modified = _both(lane, view, path, HTTP_IF_NONE_MATCH=first["ETag"], **tls)
            assert not_modified[0].status_code == 304
            _same(*not_modified)
            seen.add(304)
        head = lane.head(path, **tls), view.head(path, **tls)
        _same(*head)
        assert head[0].content == b""
        seen.add(first.status_code)
    assert {200, 404, 204} <= seen and (403 in seen or 400 in seen)
    # A body over the request limit (the kernel's RequestLimitsMiddleware): 413, from both.
    too_big = _both(lane, view, _building_tile(demo), CONTENT_LENGTH=str(10**10), **tls)
    assert too_big[0].status_code == 413
    _same(*too_big)
    # Plain HTTP: redirected to HTTPS by SecurityMiddleware in production, served by default.
    plain = _both(lane, view, _building_tile(demo))
    _same(*plain, secure=False)
    if security == "production":
        assert plain[0].status_code == 301 and plain[0]["Location"].startswith("https://localhost/tiles/")
        # Behind the TLS proxy: the proxy's header says the client used HTTPS.
        proxied = _both(lane, view, _building_tile(demo), HTTP_X_FORWARDED_PROTO="https")
        assert proxied[0].status_code in (200, 403)
        _same(*proxied)
    else:
        assert plain[0].status_code in (200, 403)


def test_token_requests(demo, security):
    key = Token.objects.create(user=demo.village_staff).key
    lane, view = client_for(), client_for(lane=False)
    path = _building_tile(demo)
    ok = _both(lane, view, path, HTTP_AUTHORIZATION=f"Token {key}", secure=True)
    assert ok[0].status_code == 200
    _same(*ok)
    bad = _both(lane, view, path, HTTP_AUTHORIZATION="Token nope", secure=True)
    assert bad[0].status_code == 401 and bad[0].json()["code"] == "invalid_token"
    _same(*bad)


def test_the_replayed_middleware_run_once_per_kind_of_answer(demo, security):
    """The lane remembers what the middleware did to an answer of a kind (tiles/lane.py) and fills
    the same headers in for the next one; an answer of another kind, another scheme or language runs
    the real middleware again."""
    lane, view = client_for(demo.village_staff), client_for(demo.village_staff, lane=False)
    runs = []
    chain = lane.lane.chain
    lane.lane.chain = lambda request: runs.append(request.path) or chain(request)
    paths = [_building_tile(demo), _building_tile(demo, 17), _building_tile(demo, 15)]
    for path in paths:
        _same(*_both(lane, view, path, secure=True))
    assert len(runs) == 1  # the two later tiles: same kind of answer, headers from the template
    _same(*_both(lane, view, paths[0], secure=True, HTTP_COOKIE="django_language=en"))
    assert len(runs) == 2
    assert lane.get(paths[0], secure=True, HTTP_COOKIE="django_language=en")["Content-Language"] == "en"
    plain = _both(lane, view, paths[1])
    _same(*plain, secure=False)
    assert len(runs) == 3
    if security == "production":  # plain HTTP is never remembered: every such request is redirected
        assert plain[0].status_code == 301
        assert lane.get(paths[2]).status_code == 301 and len(runs) == 4


def test_an_unknown_middleware_turns_the_lane_off(demo, settings):
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, "django.middleware.gzip.GZipMiddleware"]
    resp = client_for(demo.village_staff).get(_building_tile(demo))
    assert not getattr(resp, "lane", False) and resp.status_code == 200


def test_everything_else_goes_to_django(demo):
    c = client_for(demo.superuser)
    for resp in (c.get("/tiles/"), c.get("/tiles/building.json"), c.get("/tiles/terrain/3/0/0.mvt"),
                 c.post("/tiles/district/0/0/0.mvt"), c.get("/api/units/")):
        assert not getattr(resp, "lane", False)
    assert c.post("/tiles/district/0/0/0.mvt").status_code == 405


def test_head_has_headers_but_no_body(demo):
    c = client_for(demo.village_staff)
    get, head = c.get(_building_tile(demo)), c.head(_building_tile(demo))
    assert head.lane and head.status_code == 200 and head.content == b""
    assert head["ETag"] == get["ETag"] and int(head["Content-Length"]) == len(get.content)


def test_a_host_not_allowed_is_left_to_django(demo, security):
    resp = client_for().get("/tiles/district/0/0/0.mvt", HTTP_HOST="evil.example", secure=True)
    assert not getattr(resp, "lane", False) and resp.status_code == 400


def test_logout_takes_effect_at_once(demo):
    c = client_for(demo.village_staff)
    path = _building_tile(demo)
    assert c.get(path).status_code == 200
    c.logout()
    resp = c.get(path)
    assert resp.lane and resp.status_code == 403 and resp.json()["code"] == "layer_forbidden"


def test_an_unexpected_failure_is_a_json_500_and_the_lane_goes_on(demo, monkeypatch):
    c = client_for(demo.village_staff)
    path = _building_tile(demo)
    real = mvt.render

    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(mvt, "render", broken)
    resp = c.get(path)
    assert resp.lane and resp.status_code == 500 and resp.json()["code"] == "server_error"
    assert "disk on fire" not in resp.content.decode()
    monkeypatch.setattr(mvt, "render", real)
    assert c.get(path).status_code == 200


def test_the_tile_is_stored_after_it_is_sent_and_a_failed_store_is_harmless(demo, monkeypatch):
    from tiles import cache

    stored: list[str] = []
    monkeypatch.setattr(cache, "put", lambda key, value: stored.append(key) or 1 / 0)
    resp = client_for(demo.village_staff).get(_building_tile(demo), HTTP_ACCEPT_ENCODING="gzip")
    assert resp.lane and resp.status_code == 200 and len(stored) == 1
