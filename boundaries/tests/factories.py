"""Small trees for boundary tests: a district square split into towns, a town into communities.

Coordinates are away from the demo (which holds 500000 and Yubei); areas are measured in EPSG:4545.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from accounts.models import Role, User
from django.contrib.gis.geos import GEOSGeometry, MultiPolygon, Polygon

from boundaries.levels import Kind, Level
from boundaries.models import AdminUnit

X0, Y0 = 104.00, 30.60
D = 0.01  # 0.01° ≈ 967 m east-west, 1,109 m north-south


def mp(*polys: Polygon) -> MultiPolygon:
    return MultiPolygon(*polys, srid=4490)


def rect(x0: float, y0: float, x1: float, y1: float) -> MultiPolygon:
    return mp(Polygon.from_bbox((x0, y0, x1, y1)))


def gj(x0: float, y0: float, x1: float, y1: float) -> dict[str, Any]:
    return {"type": "Polygon", "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]}


def ring(coords: list[tuple[float, float]]) -> dict[str, Any]:
    pts = [list(c) for c in coords]
    if pts[0] != pts[-1]:
        pts.append(pts[0])
    return {"type": "Polygon", "coordinates": [pts]}


@dataclass
class Tree:
    city: AdminUnit
    district: AdminUnit
    town: AdminUnit
    other_town: AdminUnit
    west: AdminUnit  # community in the west half of the town
    district_admin: User
    town_admin: User
    town_staff: User
    village_staff: User
    neighbour_staff: User
    town_supervisor: User
    east: AdminUnit | None = None


def _unit(**kwargs: Any) -> AdminUnit:
    unit = AdminUnit.objects.create(**kwargs)
    unit.refresh_from_db()  # area_m2 and geom_3857 come from the database trigger
    return unit


def make_user(username: str, unit: AdminUnit, role: str = Role.STAFF) -> User:
    # No password: hashing one costs ~0.3 s; API tests authenticate with force_authenticate.
    return User.objects.create(username=username, unit=unit, role=role)


def make_tree(with_east: bool = False) -> Tree:
    """District 4D×2D; town = west half 2D×2D; other town = east half; community `west` = town's west half."""
    city = _unit(level=Level.CITY, kind=Kind.CITY, code="510000", name="测试市",
                                    geom=rect(X0 - D, Y0 - D, X0 + 5 * D, Y0 + 3 * D))
    district = _unit(level=Level.DISTRICT, kind=Kind.DISTRICT, code="510112", name="渝北区",
                                        parent=city, geom=rect(X0, Y0, X0 + 4 * D, Y0 + 2 * D))
    town = _unit(level=Level.TOWN, kind=Kind.SUBDISTRICT, code="510112001", name="双龙湖街道",
                                    parent=district, geom=rect(X0, Y0, X0 + 2 * D, Y0 + 2 * D))
    other = _unit(level=Level.TOWN, kind=Kind.TOWN, code="510112101", name="某镇",
                                     parent=district, geom=rect(X0 + 2 * D, Y0, X0 + 4 * D, Y0 + 2 * D))
    west = _unit(level=Level.COMMUNITY, kind=Kind.COMMUNITY, code="510112001001", name="西社区",
                                    parent=town, geom=rect(X0, Y0, X0 + D, Y0 + 2 * D))
    east = None
    if with_east:
        east = _unit(level=Level.COMMUNITY, kind=Kind.COMMUNITY, code="510112001002",
                                        name="东社区", parent=town, geom=rect(X0 + D, Y0, X0 + 2 * D, Y0 + 2 * D))
    neighbour = east or _unit(
        level=Level.COMMUNITY, kind=Kind.VILLAGE, code="510112001201", name="邻村", parent=town, geom=None
    )
    return Tree(
        city=city, district=district, town=town, other_town=other, west=west, east=east,
        district_admin=make_user("d_admin", district, Role.ADMIN),
        town_admin=make_user("t_admin", town, Role.ADMIN),
        town_staff=make_user("t_staff", town, Role.STAFF),
        village_staff=make_user("v_staff", west, Role.STAFF),
        neighbour_staff=make_user("n_staff", neighbour, Role.STAFF),
        town_supervisor=make_user("t_super", town, Role.SUPERVISOR),
    )


def geos(obj: dict[str, Any]) -> GEOSGeometry:
    import json

    return GEOSGeometry(json.dumps(obj), srid=4490)
