"""Writing places: the one path every writer (API, admin actions, demo) goes through."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from core import roles
from core.errors import DomainError
from core.scoping import in_scope
from django.contrib.gis.geos import Point
from django.db import transaction

from .models import Place

if TYPE_CHECKING:
    from accounts.models import User


def check_unit_and_point(user: User, unit: Any, geom: Point) -> None:
    """A writer may place points only in their jurisdiction, and only inside the unit's boundary."""
    if not in_scope(user, unit):
        raise DomainError("unit_out_of_scope", "所选单元不在您的管辖范围内。", status_code=403)
    if not roles.can_write(user):
        raise DomainError("read_only", "您的角色没有修改权限。", status_code=403)
    if geom is None or geom.empty:
        raise DomainError("point_required", "请在地图上选择位置。")
    point = geom.transform(4490, clone=True) if geom.srid not in (None, 4490, 4326) else geom
    assert isinstance(point, Point)
    if unit.geom is not None and not unit.geom.covers(Point(point.x, point.y, srid=4490)):
        raise DomainError("point_outside_unit", f"位置不在“{unit.name}”的边界内。")


@transaction.atomic
def save_place(user: User, place: Place) -> Place:
    if place.geom is not None and place.geom.srid != 4490:
        place.geom.srid = 4490  # 4326 and 4490 coordinates coincide (PostGIS applies no datum shift between them)
    check_unit_and_point(user, place.unit, place.geom)
    place.full_clean(exclude=["geom_3857"])
    place.save()
    return place


@transaction.atomic
def delete_place(user: User, place: Place) -> None:
    check_unit_and_point(user, place.unit, place.geom)
    place.delete()
