"""Who may do what: ONE definition of each capability, used by API permissions, services, tiles and the
map client's capabilities (``GET /api/me/``).

Where a user may act is their unit's subtree (``core.scoping``); what they may do there is their role:

========== ======================================================================================
role       may
========== ======================================================================================
admin      everything staff may, plus accounts, organisations, the audit trail, full exports
staff      write domain data (draw, keep the population record, run the civic modules), reveal
           one person's full ID number or phone with a reason (audited)
reviewer   read, and review what others submit for publication or approval
supervisor read only (town and district oversight)
resident   the resident app (民政易): their own community's published items, their own requests
========== ======================================================================================

A superuser may do everything everywhere. A resident is recognised by role OR login type (both are
set together by the account API; either alone must never grant staff rights).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models

from .levels import Level

if TYPE_CHECKING:
    from .types import AnyUser


class LoginType(models.TextChoices):
    GOVERNMENT = "government", "政府部门"
    COMMUNITY = "community", "村·社区"
    RESIDENT = "resident", "居民"


class Role(models.TextChoices):
    ADMIN = "admin", "系统管理员"
    STAFF = "staff", "工作人员"
    REVIEWER = "reviewer", "审核员"
    SUPERVISOR = "supervisor", "只读督导"
    RESIDENT = "resident", "居民"


def is_signed_in(user: AnyUser) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False))


def is_superuser(user: AnyUser) -> bool:
    return is_signed_in(user) and bool(getattr(user, "is_superuser", False))


def is_resident(user: AnyUser) -> bool:
    """A resident account (民政易): never staff rights, whatever else it carries."""
    if not is_signed_in(user) or is_superuser(user):
        return False
    return getattr(user, "role", "") == Role.RESIDENT or getattr(user, "login_type", "") == LoginType.RESIDENT


def is_staff_account(user: AnyUser) -> bool:
    """Any signed-in account that is not a resident's: reads its jurisdiction's records."""
    return is_signed_in(user) and not is_resident(user)


def _has_role(user: AnyUser, *roles: str) -> bool:
    if is_superuser(user):
        return True
    return is_staff_account(user) and getattr(user, "role", "") in roles


def can_write(user: AnyUser) -> bool:
    """May change domain data in their jurisdiction."""
    return _has_role(user, Role.ADMIN, Role.STAFF)


def is_unit_admin(user: AnyUser) -> bool:
    """Administers their unit: accounts, organisations, the audit trail."""
    return _has_role(user, Role.ADMIN)


def can_review(user: AnyUser) -> bool:
    """May approve or reject what others submit (publication, decisions) at their unit's level."""
    return _has_role(user, Role.ADMIN, Role.REVIEWER)


def can_review_unit(user: AnyUser, unit: Any) -> bool:
    """May approve or reject what is submitted to ``unit``'s level: a reviewer or administrator of
    exactly that unit (a village reviews its own items, the town what villages send up, the
    district what towns send up). Reviewing is not inherited downwards or upwards."""
    if unit is None:
        return False
    if is_superuser(user):
        return True
    return can_review(user) and getattr(user, "unit_id", None) == getattr(unit, "pk", None)


def can_reveal(user: AnyUser) -> bool:
    """May see one person's full ID number or phone at a time, with a reason (audited). Also gates
    anything that could confirm a full ID number, such as searching by one."""
    return _has_role(user, Role.ADMIN, Role.STAFF)


def can_export_full(user: AnyUser) -> bool:
    """May export unmasked lists of people."""
    return _has_role(user, Role.ADMIN)


def can_export(user: AnyUser) -> bool:
    """May export boundaries (GeoJSON, GeoPackage, Shapefile, CSV) of their jurisdiction and masked
    lists of people; every export is audited."""
    return is_staff_account(user)


def can_manage_seals(user: AnyUser) -> bool:
    """May upload, replace and retire the seals (印章) of units in their jurisdiction (audited)."""
    return _has_role(user, Role.ADMIN, Role.STAFF)


def can_guide_elections(user: AnyUser) -> bool:
    """Acts for the election guidance body (镇街选举指导机构): staff or administrators of a town
    (街道/镇) or of the district above it. Only they lift an election's stop (异常情况) and authorise
    its next step; a village or community never can, whatever its role."""
    if is_superuser(user):
        return True
    unit = getattr(user, "unit", None)
    return _has_role(user, Role.ADMIN, Role.STAFF) and unit is not None and Level.DISTRICT <= unit.level <= Level.TOWN


def can_read_population(user: AnyUser) -> bool:
    """May read the population record of their jurisdiction (masked)."""
    return is_staff_account(user)


def draw_levels(user: AnyUser) -> tuple[int, ...]:
    """Levels of the units a user may create: the level below their unit; a village/community also
    draws its buildings, which sit one level further down inside its neighbourhoods."""
    if is_superuser(user):
        return tuple(range(Level.DISTRICT, Level.BUILDING + 1))
    unit = getattr(user, "unit", None) if can_write(user) else None
    if unit is None or unit.level >= Level.BUILDING:
        return ()
    if unit.level == Level.COMMUNITY:
        return (Level.NEIGHBOURHOOD, Level.BUILDING)
    return (unit.level + 1,)


def capabilities(user: AnyUser) -> dict[str, Any]:
    """What the client may offer this user: nobody is shown an action they cannot take."""
    return {
        "resident": is_resident(user),
        "staff": is_staff_account(user),
        "write": can_write(user),
        "review": can_review(user),
        "reveal": can_reveal(user),
        "export": can_export(user),
        "export_full": can_export_full(user),
        "unit_admin": is_unit_admin(user),
        "population": can_read_population(user),
        "seals": can_manage_seals(user),
        "guide_elections": can_guide_elections(user),
        "draw_levels": list(draw_levels(user)),
    }
