"""The WSGI fast lane (tiles/lane.py) answers vector tiles exactly as the Django view does, and passes
everything else to Django."""
from __future__ import annotations

import pytest
from rest_framework.authtoken.models import Token

from tiles import mvt

from .conftest import client_for, lonlat_to_tile

pytestmark = pytest.mark.django_db

_COMPARED = ("Content-Type", "Content-Encoding", "ETag", "Cache-Control", "X-Content-Type-Options")


def _building_tile(demo, z=16) -> str:
    c = demo.community.children.first().children.filter(floors__isnull=False).first().geom.point_on_surface
    return "/tiles/building/{}/{}/{}.mvt".format(z, *lonlat_to_tile(c.x, c.y, z))


def _same(lane_resp, view_resp) -> None:
    assert getattr(lane_resp, "lane", False) and not getattr(view_resp, "lane", False)
    assert lane_resp.status_code == view_resp.status_code
    assert lane_resp.content == view_resp.content
    for name in _COMPARED:
        assert lane_resp.get(name) == view_resp.get(name), name
    # LocaleMiddleware adds Accept-Language to the view's Vary; no tile depends on the language.
    vary = {v.strip() for v in (view_resp.get("Vary") or "").split(",") if v.strip()} - {"Accept-Language"}
    assert {v.strip() for v in (lane_resp.get("Vary") or "").split(",") if v.strip()} == vary


@pytest.mark.parametrize("who", ["village_staff", "town_admin", "anonymous"])
def test_lane_and_view_give_the_same_answers(demo, who):
    user = None if who == "anonymous" else getattr(demo, who)
    lane, view = client_for(user), client_for(user, lane=False)
    paths = [_building_tile(demo), "/tiles/community/12/3338/1703.mvt", "/tiles/base/3/6/3.mvt",
             "/tiles/building/3/0/0.mvt", "/tiles/nope/1/0/0.mvt", "/tiles/building/23/0/0.mvt",
             "/tiles/building/a/0/0.pbf"]
    for path in paths:
        first = lane.get(path, HTTP_ACCEPT_ENCODING="gzip")
        _same(first, view.get(path, HTTP_ACCEPT_ENCODING="gzip"))
        _same(lane.get(path), view.get(path))  # no gzip accepted: plain bytes
        if first.get("ETag"):
            _same(lane.get(path, HTTP_IF_NONE_MATCH=first["ETag"]),
                  view.get(path, HTTP_IF_NONE_MATCH=first["ETag"]))


def test_token_requests(demo):
    key = Token.objects.create(user=demo.village_staff).key
    lane, view = client_for(), client_for(lane=False)
    path = _building_tile(demo)
    _same(lane.get(path, HTTP_AUTHORIZATION=f"Token {key}"), view.get(path, HTTP_AUTHORIZATION=f"Token {key}"))
    bad = lane.get(path, HTTP_AUTHORIZATION="Token nope")
    assert bad.lane and bad.status_code == 401 and bad.json()["code"] == "invalid_token"


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


def test_a_host_not_allowed_is_left_to_django(demo):
    resp = client_for().get("/tiles/district/0/0/0.mvt", HTTP_HOST="evil.example")
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
