"""The read API of the tree: GeoJSON features, filters, the light form, tree and ancestors."""
from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from boundaries.levels import Level
from boundaries.models import AdminUnit

pytestmark = pytest.mark.django_db


def client_for(user: Any) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


def test_features_carry_the_contract_properties(demo: Any) -> None:
    body = client_for(demo.district_admin).get("/api/units/?level=2").json()
    assert body["type"] == "FeatureCollection" and body["count"] == 30 and "next" in body
    feature = body["features"][0]
    assert feature["type"] == "Feature" and feature["geometry"]["type"] == "MultiPolygon"
    assert feature["id"] == feature["properties"]["id"]
    assert {"id", "code", "name", "level", "kind", "parent", "area_m2", "floors", "height_m",
            "building_use"} <= set(feature["properties"])
    light = client_for(demo.district_admin).get("/api/units/?level=2&geometry=false").json()
    assert light["features"][0]["geometry"] is None and light["count"] == 30


def test_filters(demo: Any) -> None:
    client = client_for(demo.district_admin)
    town = demo.town
    children = client.get(f"/api/units/?parent={town.pk}&geometry=false&page_size=100").json()
    assert {f["properties"]["code"] for f in children["features"]} == set(
        AdminUnit.objects.filter(parent=town).values_list("code", flat=True))
    subtree = client.get(f"/api/units/?subtree={demo.community.pk}&geometry=false&page_size=1000").json()
    assert subtree["count"] == AdminUnit.objects.filter(path__startswith=demo.community.path).count()
    found = client.get("/api/units/?q=五星路&geometry=false").json()
    assert [f["properties"]["code"] for f in found["features"]] == [demo.community.code]
    # A bbox around the demo community's centroid finds it (and not a far-away town).
    c = demo.community.geom.centroid
    box = f"{c.x - 0.001},{c.y - 0.001},{c.x + 0.001},{c.y + 0.001}"
    hits = client.get(f"/api/units/?bbox={box}&level=3&geometry=false").json()
    assert demo.community.code in {f["properties"]["code"] for f in hits["features"]}
    assert hits["count"] < 5
    for bad in ("1,2,3", "a,b,c,d", "10,10,5,5", "0,0,200,95"):
        r = client.get(f"/api/units/?bbox={bad}")
        assert r.status_code == 400 and r.json()["code"] == "invalid_bbox"


def test_tree_and_ancestors(demo: Any) -> None:
    client = client_for(demo.town_admin)
    tree = client.get("/api/units/tree/?depth=1").json()
    assert tree[0]["code"] == demo.town.code
    assert len(tree[0]["children"]) == AdminUnit.objects.filter(parent=demo.town).count()
    assert all(child["children"] == [] for child in tree[0]["children"])
    deep = client.get(f"/api/units/tree/?root={demo.community.pk}&depth=2").json()[0]
    assert deep["children"] and all(n["level"] == Level.NEIGHBOURHOOD for n in deep["children"])
    assert client.get("/api/units/tree/?depth=9").json()["code"] == "invalid_parameter"
    crumbs = client.get(f"/api/units/{demo.community.pk}/ancestors/").json()
    assert [a["code"] for a in crumbs] == ["500000", "500112", demo.town.code]


def test_houses_of_a_building(demo: Any) -> None:
    client = client_for(demo.village_staff)
    building = AdminUnit.objects.filter(level=Level.BUILDING, path__startswith=demo.community.path,
                                        houses__isnull=False).first()
    listed = client.get(f"/api/houses/?building={building.pk}&page_size=1000").json()
    assert listed["count"] == building.houses.count() > 0
    assert client.get(f"/api/units/{building.pk}/houses/").json()[0]["building"] == building.pk
    assert client.get(f"/api/units/{demo.community.pk}/houses/").json()["code"] == "not_a_building"
    assert client_for(demo.resident).get("/api/houses/").status_code == 403


def test_load_demo_command_if_empty_and_refusal(demo: Any) -> None:
    out = StringIO()
    call_command("load_demo", "--if-empty", stdout=out)
    assert "already present" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("load_demo", "--scale", "tiny", stdout=StringIO())
    out = StringIO()
    call_command("demo_accounts", stdout=out)
    assert "Demo2026!yb" in out.getvalue() and demo.village_staff.username in out.getvalue()
