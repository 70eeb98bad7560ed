"""Who may draw what, built on ``core.roles`` (which levels) and ``core.scoping`` (where).

Rules:
- Only writing roles draw: admin and staff (and superusers). Reviewers, supervisors and residents
  read their subtree but never change a boundary.
- A user creates units exactly one level below their own unit, inside it (the unit's children).
  A village/community also draws its buildings, which sit one level further down inside its
  neighbourhoods: a village/community draws its compounds, villager groups and buildings.
- A user reshapes (or restores) any unit strictly below their own unit in their subtree: the level
  directly below is their own drawing, deeper levels are corrections by an upper level.
- Nobody reshapes their own unit or anything outside their subtree; the parent level draws it.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from core import roles
from core.errors import DomainError
from core.scoping import in_scope

from .levels import Level
from .models import AdminUnit

if TYPE_CHECKING:
    from accounts.models import User


def _writer_unit(user: User) -> AdminUnit | None:
    return getattr(user, "unit", None) if roles.can_write(user) else None


def can_create_child(user: User, parent: AdminUnit) -> bool:
    """May ``user`` draw a new unit directly under ``parent``? The level comes from
    ``core.roles.draw_levels``; the parent is their own unit, or (for buildings) one of its
    neighbourhoods."""
    if parent.level + 1 not in roles.draw_levels(user):
        return False
    if roles.is_superuser(user):
        return True
    unit = _writer_unit(user)
    if unit is None:
        return False
    return parent.pk == unit.pk or (parent.level == Level.NEIGHBOURHOOD and parent.path.startswith(unit.path))


def can_reshape(user: User, target: AdminUnit) -> bool:
    """May ``user`` change (or restore) the boundary of an existing unit?"""
    if target.level == Level.CITY:
        return roles.is_superuser(user)
    if roles.is_superuser(user):
        return True
    unit = _writer_unit(user)
    if unit is None:
        return False
    return target.path.startswith(unit.path) and target.level > unit.level


def _forbidden(user: User, action: str, unit: AdminUnit) -> DomainError:
    if user is None or not getattr(user, "is_authenticated", False):
        return DomainError("not_authenticated", "请先登录。", status_code=401)
    if not in_scope(user, unit):
        # Outside the jurisdiction: do not even confirm the unit exists.
        return DomainError("not_found", "未找到该单位。", status_code=404)
    if not roles.can_write(user):
        return DomainError("forbidden_role", "您的角色只能查看，不能绘制或修改边界。", status_code=403)
    return DomainError(
        "forbidden_level",
        f"您只能{action}本单位下一级的边界，或更正本辖区内下级单位的边界；“{unit.name}”不在此范围。",
        status_code=403,
    )


def check_can_create_child(user: User, parent: AdminUnit) -> None:
    if not can_create_child(user, parent):
        raise _forbidden(user, "新建", parent)


def check_can_reshape(user: User, target: AdminUnit) -> None:
    if not can_reshape(user, target):
        raise _forbidden(user, "修改", target)
