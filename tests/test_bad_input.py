"""No 500 for any body a user can send: each malformed request an adversarial test sent is a JSON
error ``{"code", "detail"}`` with a stable code and a Chinese message, and nothing is written.

Wrong field types, a wrong top-level type (a list, a string, ``false``), geometry of the wrong type or
empty, JSON nested thousands deep, broken JSON and oversized bodies — on the population, places,
boundaries and accounts endpoints; object 404s in the same JSON format.
"""
from __future__ import annotations

import json
import re

import pytest
from population import services
from population.models import Person, Transfer
from population.tests.conftest import make_id
from rest_framework.test import APIClient

from boundaries.levels import Level
from boundaries.models import AdminUnit

pytestmark = pytest.mark.django_db

CJK = re.compile(r"[\u4e00-\u9fff]")
NESTED = "[" * 3000 + "]" * 3000
NESTED_OBJECT = '{"a":' * 3000 + "1" + "}" * 3000


def assert_error(r, status: int, code: str | None = None) -> dict:
    assert r.status_code == status, (r.status_code, r.content[:300])
    assert r["Content-Type"].startswith("application/json"), r["Content-Type"]
    body = r.json()
    assert isinstance(body.get("code"), str) and body["code"], body
    assert CJK.search(body["detail"]), f"detail not in Chinese: {body['detail']!r}"
    if code is not None:
        assert body["code"] == code, body
    return body


def raw(client: APIClient, method: str, url: str, text: str, content_type: str = "application/json"):
    return getattr(client, method)(url, data=text, content_type=content_type)


@pytest.fixture
def person(demo) -> Person:
    return services.add_person(demo.village_staff, {"name": "测试人", "id_number": make_id()})


@pytest.fixture
def staff(actors) -> APIClient:
    return actors.client("village_staff")


PEOPLE = "/api/population/people/"


@pytest.mark.parametrize("payload", [
    {"name": 12345}, {"tags": 5}, {"household": "abc"}, {"tags": [1, {"a": 2}]}, {"phone": ["138"]},
    {"ethnicity": {"x": 1}}, {"household": [1]},
])
def test_person_patch_with_wrong_types_is_refused(staff, person, payload) -> None:
    before = Person.objects.values().get(pk=person.pk)
    r = staff.patch(f"{PEOPLE}{person.pk}/", payload, format="json")
    if payload == {"name": 12345}:
        # A number is a valid name text for DRF's CharField ("12345"); the point is: no 500.
        assert r.status_code in (200, 400), r.content[:300]
    else:
        assert_error(r, 400)
        after = Person.objects.values().get(pk=person.pk)
        assert {k: v for k, v in after.items() if k != "updated_at"} == \
            {k: v for k, v in before.items() if k != "updated_at"}


@pytest.mark.parametrize("text", ["[1, 2]", '"a string"', "false", "12", "null"])
def test_person_patch_with_a_body_that_is_no_object(staff, person, text) -> None:
    assert_error(raw(staff, "patch", f"{PEOPLE}{person.pk}/", text), 400, "invalid_body")


@pytest.mark.parametrize("action", ["reveal", "unplace"])
@pytest.mark.parametrize("text", ['{"reason": 12345}', '{"reason": ["x"]}', '{"reason": {"a": 1}}', "[]", "false"])
def test_reason_of_wrong_type(staff, person, action, text) -> None:
    r = raw(staff, "post", f"{PEOPLE}{person.pk}/{action}/", text)
    if text == '{"reason": 12345}':
        assert r.status_code in (200, 400)  # "12345" is text enough for a reason; no 500
        if r.status_code == 400:
            assert_error(r, 400)
    else:
        assert_error(r, 400)


def test_transfer_reject_with_body_false(demo, staff, person) -> None:
    t = services.transfer_out(demo.village_staff, person, "搬家", to_pool=demo.neighbour_community)
    assert t is not None
    other = APIClient()
    other.force_authenticate(demo.neighbour_staff)
    for text in ("false", "[]", '{"reason": [1]}'):
        assert_error(raw(other, "post", f"/api/population/transfers/{t.pk}/reject/", text), 400)
    assert Transfer.objects.get(pk=t.pk).status == "pending"


@pytest.mark.parametrize("kind", ["facility", "organisation", "resident_unit", "event"])
@pytest.mark.parametrize("geometry", [
    {"type": "Polygon", "coordinates": [[[106.5, 29.6], [106.6, 29.6], [106.6, 29.7], [106.5, 29.6]]]},
    {"type": "GeometryCollection", "geometries": []},
    {"type": "Point", "coordinates": []},
    {"type": "Point", "coordinates": ["a", "b"]},
    {"type": "Point", "coordinates": [1e308, 1e308, 1e308, 1e308]},
    "POLYGON EMPTY", 5, [1, 2], {"type": "Nonsense"},
])
def test_places_refuse_a_geometry_of_the_wrong_type(demo, staff, kind, geometry) -> None:
    url = f"/api/places/{kind}/"
    extra = {"starts_at": "2026-01-01T10:00:00+08:00", "ends_at": "2026-01-01T12:00:00+08:00"} if kind == "event" else {}
    payload = {"name": "测试点", "category": "other", "unit": demo.community.pk, "geom": geometry, **extra}
    before = sum(1 for _ in staff.get(url).json()["features"])
    assert_error(staff.post(url, payload, format="json"), 400)
    form = {k: (json.dumps(v) if isinstance(v, dict | list) else str(v)) for k, v in payload.items()}
    assert_error(staff.post(url, form, format="multipart"), 400)
    assert sum(1 for _ in staff.get(url).json()["features"]) == before


@pytest.mark.parametrize("text", ["5", '"x"', "[1]", '{"properties": 5}', '{"type": "Feature", "properties": []}'])
def test_places_refuse_a_body_that_is_no_feature(staff, text) -> None:
    assert_error(raw(staff, "post", "/api/places/facility/", text), 400)


NESTED_TARGETS = [
    ("post", "/api/auth/token/"), ("post", PEOPLE), ("post", PEOPLE + "search/"),
    ("post", "/api/population/city-record/search/"), ("post", "/api/places/facility/"),
    ("post", "/api/boundaries/preview/"), ("post", "/api/units/"), ("post", "/api/publication/posts/"),
    ("post", "/api/jobs/"), ("post", "/api/population/export/"),
]


@pytest.mark.parametrize(("method", "url"), NESTED_TARGETS)
@pytest.mark.parametrize("text", [NESTED, NESTED_OBJECT])
def test_deeply_nested_json_is_refused(staff, method, url, text) -> None:
    r = raw(staff, method, url, text)
    assert_error(r, 400, "json_too_deep")


def test_nesting_within_the_limit_reaches_the_serializer(staff) -> None:
    r = raw(staff, "post", PEOPLE + "search/", '{"q": ' + "[" * 20 + "]" * 20 + "}")
    assert_error(r, 400, "invalid")


@pytest.mark.parametrize("text", ['{"username": ', "{'a': 1}", '{"a": NaN}', '{"a": Infinity}', "\xff\xfe"])
def test_malformed_json_is_a_json_error(actors, text) -> None:
    assert_error(raw(actors.client("anonymous"), "post", "/api/auth/token/", text), 400, "invalid_json")


def test_object_404s_are_json_with_a_code_in_chinese(staff, demo, person) -> None:
    for url in (f"{PEOPLE}999999999/", "/api/places/facility/999999999/", "/api/units/999999999/",
                "/api/population/transfers/999999999/accept/", "/api/publication/posts/999999999/"):
        r = staff.post(url, {}, format="json") if url.endswith("accept/") else staff.get(url)
        body = assert_error(r, 404)
        assert body["code"] in ("not_found", "unit_not_found"), body
        assert "matches the given query" not in r.content.decode()
    # Another jurisdiction's person is "not found" in the same words (its existence does not leak).
    neighbour = APIClient()
    neighbour.force_authenticate(demo.neighbour_staff)
    assert_error(neighbour.get(f"{PEOPLE}{person.pk}/"), 404, "not_found")


def test_standard_refusals_are_chinese(actors) -> None:
    r = actors.client("anonymous").get(PEOPLE)
    assert_error(r, r.status_code if r.status_code in (401, 403) else 401, "not_authenticated")
    assert_error(actors.client("village_staff").put(PEOPLE + "search/", {}, format="json"), 405, "method_not_allowed")
    assert_error(raw(actors.client("village_staff"), "post", PEOPLE + "search/", "<x/>", "application/xml"),
                 415, "unsupported_media_type")


def test_oversized_bodies_are_a_json_413(staff, settings) -> None:
    settings.MAX_REQUEST_BYTES = 50_000
    body = json.dumps({"q": "x" * 60_000})
    for url in (PEOPLE + "search/", "/api/auth/token/", "/api/places/facility/", "/api/boundaries/preview/"):
        r = raw(staff, "post", url, body)
        assert_error(r, 413, "body_too_large")
        assert r.json()["extra"]["max_bytes"] == 50_000
    r = raw(staff, "post", "/api/auth/token/", "a=" + "x" * 60_000, "application/x-www-form-urlencoded")
    assert_error(r, 413, "body_too_large")


def test_a_large_preview_within_the_documented_limit_is_parsed(staff, demo) -> None:
    """65,000 vertices (≈2.6 MB of JSON, above Django's default 2.5 MB) reach the boundary pipeline."""
    import math

    town = demo.town
    c = town.geom.centroid
    n = 65_000
    ring = [[c.x + 0.001 * math.cos(2 * math.pi * i / n), c.y + 0.001 * math.sin(2 * math.pi * i / n)] for i in range(n)]
    ring.append(ring[0])
    text = json.dumps({"parent": town.pk, "geometry": {"type": "Polygon", "coordinates": [ring]}})
    assert len(text) > 2_621_440
    r = raw(staff, "post", "/api/boundaries/preview/", text)
    assert r.status_code != 500 and r["Content-Type"].startswith("application/json"), r.content[:300]
    assert r.status_code != 413 and r.json().get("code") not in ("invalid_form", "body_too_large"), r.json()


def test_wrong_top_level_types_everywhere(actors, demo, person) -> None:
    staff = actors.client("village_staff")
    admin = actors.client("village_admin")
    community = AdminUnit.objects.filter(level=Level.COMMUNITY).first()
    assert community is not None
    urls = [PEOPLE, PEOPLE + "search/", f"{PEOPLE}{person.pk}/place/", f"{PEOPLE}{person.pk}/transfer-out/",
            "/api/population/city-record/search/", f"/api/population/city-record/{person.pk}/transfer-in/",
            "/api/population/export/", "/api/boundaries/preview/", "/api/units/", "/api/jobs/", "/api/places/event/",
            "/api/publication/posts/", "/api/auth/token/"]
    for text in ("[]", '"x"', "false", "0", "null", "[[1]]"):
        for url in urls:
            r = raw(staff, "post", url, text)
            assert r.status_code < 500 and r["Content-Type"].startswith("application/json"), (url, text, r.status_code)
            if r.status_code >= 400:
                assert_error(r, r.status_code)
        r = raw(admin, "post", "/api/organisations/", text)
        assert r.status_code < 500, (text, r.status_code)


@pytest.mark.parametrize("value", ["true", "1.5", "-3", "abc", "９"])
def test_a_unit_parameter_that_is_no_number(staff, value) -> None:
    """Found by the schemathesis run (tests/test_api_fuzz.py): ``?unit=true`` was a 500."""
    for url in ("/api/population/households/", PEOPLE):
        r = staff.get(url, {"unit": value})
        assert r.status_code < 500, (url, value, r.status_code)
        if r.status_code >= 400:
            assert_error(r, r.status_code)
