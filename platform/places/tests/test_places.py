"""Places: scoped API, writes only inside the writer's jurisdiction and the unit's boundary, demo points."""
from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from places import demo as places_demo
from places.models import PLACE_MODELS, CommunityEvent, Facility

pytestmark = pytest.mark.django_db


def api(user=None) -> APIClient:
    c = APIClient(HTTP_HOST="localhost")
    if user is not None:
        c.force_authenticate(user)
    return c


@pytest.fixture
def points(demo):
    return places_demo.generate([demo.community, demo.neighbour_community], seed=11)


def _inside(unit):
    p = unit.geom.point_on_surface
    return {"type": "Point", "coordinates": [p.x, p.y]}


def test_demo_points_are_deterministic_and_inside_their_unit(demo, points):
    assert all(points[k] >= 2 for k in ("facility", "organisation", "resident_unit", "event"))
    for model in PLACE_MODELS.values():
        for place in model.objects.filter(unit__in=[demo.community, demo.neighbour_community]):
            assert place.unit.geom.covers(place.geom)
            assert place.geom_3857 is not None  # kept by the DB trigger
    first = sorted(Facility.objects.filter(unit=demo.community).values_list("name", "geom"))
    places_demo.generate([demo.community], seed=11)
    again = sorted(Facility.objects.filter(unit=demo.community).values_list("name", "geom"))
    assert [(n, g.wkt) for n, g in first] == [(n, g.wkt) for n, g in again]


@pytest.mark.parametrize("kind", list(PLACE_MODELS))
def test_list_is_scoped(demo, points, kind):
    mine = api(demo.village_staff).get(f"/api/places/{kind}/").json()
    assert mine["type"] == "FeatureCollection" and mine["features"]
    assert {f["properties"]["unit"] for f in mine["features"]} == {demo.community.id}
    town = api(demo.town_admin).get(f"/api/places/{kind}/").json()
    assert {demo.community.id, demo.neighbour_community.id} <= {f["properties"]["unit"] for f in town["features"]}
    assert api().get(f"/api/places/{kind}/").status_code in (401, 403)


def test_detail_of_neighbours_place_is_404(demo, points):
    theirs = Facility.objects.filter(unit=demo.neighbour_community).first()
    assert api(demo.village_staff).get(f"/api/places/facility/{theirs.id}/").status_code == 404


def test_create_inside_own_unit(demo):
    resp = api(demo.village_staff).post("/api/places/facility/", {
        "type": "Feature", "geometry": _inside(demo.community),
        "properties": {"name": "新建养老站", "category": "elderly", "unit": demo.community.id},
    }, format="json")
    assert resp.status_code == 201, resp.content
    f = Facility.objects.get(name="新建养老站")
    assert f.geom_3857 is not None and f.unit == demo.community


def test_create_refused_outside_jurisdiction_or_boundary(demo):
    body = {"type": "Feature", "geometry": _inside(demo.neighbour_community),
            "properties": {"name": "越界", "category": "elderly", "unit": demo.neighbour_community.id}}
    resp = api(demo.village_staff).post("/api/places/facility/", body, format="json")
    assert resp.status_code == 403 and resp.json()["code"] == "unit_out_of_scope"
    body["properties"]["unit"] = demo.community.id  # own unit, but the point lies in the neighbour's
    resp = api(demo.village_staff).post("/api/places/facility/", body, format="json")
    assert resp.status_code == 400 and resp.json()["code"] == "point_outside_unit"
    assert not Facility.objects.filter(name="越界").exists()


def test_read_only_role_cannot_write(demo):
    resp = api(demo.town_supervisor).post("/api/places/event/", {
        "type": "Feature", "geometry": _inside(demo.community),
        "properties": {"name": "活动", "category": "culture", "unit": demo.community.id,
                       "starts_at": "2026-05-01T09:00:00+08:00"},
    }, format="json")
    assert resp.status_code == 403 and resp.json()["code"] == "forbidden_role"
    assert not CommunityEvent.objects.filter(name="活动").exists()


def test_filters_and_bad_bbox(demo, points):
    ext = demo.community.geom.extent
    bbox = ",".join(str(v) for v in ext)
    resp = api(demo.town_admin).get(f"/api/places/facility/?bbox={bbox}&unit={demo.community.id}")
    assert resp.status_code == 200 and resp.json()["features"]
    resp = api(demo.town_admin).get("/api/places/facility/?bbox=1,2,x")
    assert resp.status_code == 400 and resp.json()["code"] == "invalid_bbox"
