"""API permission classes. Scoping (what rows) is accounts.scoping; these decide who may call."""
from __future__ import annotations

from typing import Any

from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request

from accounts.models import Role


class IsStaffAccount(BasePermission):
    """Staff accounts (any role but resident): houses, users, audit, organisations."""

    message = "居民账号无权访问此功能。"

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and (user.is_superuser or user.role != Role.RESIDENT))


class IsUnitAdmin(BasePermission):
    """The unit's system administrator (or a superuser): accounts and the audit trail."""

    message = "仅单位系统管理员可以执行此操作。"

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.is_unit_admin)


class ReadStaffWriteAdmin(BasePermission):
    """Read for staff accounts, write for unit administrators (organisations, departments)."""

    message = "仅单位系统管理员可以修改。"

    def has_permission(self, request: Request, view: Any) -> bool:
        if request.method in SAFE_METHODS:
            return IsStaffAccount().has_permission(request, view)
        return IsUnitAdmin().has_permission(request, view)
