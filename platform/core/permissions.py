"""DRF permission classes, built on ``core.roles``. Scoping (which rows) is ``core.scoping``; these
decide who may call an endpoint at all. Each refusal carries a stable ``code`` (DRF passes it to the
exception, and ``core.errors`` puts it in the JSON body)."""
from __future__ import annotations

from typing import Any

from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request

from . import roles


class IsSignedIn(BasePermission):
    """Any signed-in account, residents included: for what is one's own (my messages, my jobs);
    the service decides what the account may do with it."""

    message = "请先登录。"
    code = "not_authenticated"

    def has_permission(self, request: Request, view: Any) -> bool:
        return roles.is_signed_in(request.user)


class IsStaffAccount(BasePermission):
    """Any signed-in account but a resident's."""

    message = "居民账号无权访问此功能。"
    code = "resident_forbidden"

    def has_permission(self, request: Request, view: Any) -> bool:
        return roles.is_staff_account(request.user)


class IsUnitAdmin(BasePermission):
    """The unit's system administrator (or a superuser)."""

    message = "仅单位系统管理员可以执行此操作。"
    code = "admin_only"

    def has_permission(self, request: Request, view: Any) -> bool:
        return roles.is_unit_admin(request.user)


class ReadStaffWriteAdmin(BasePermission):
    """Read for staff accounts, write for unit administrators."""

    message = "仅单位系统管理员可以修改。"
    code = "admin_only"

    def has_permission(self, request: Request, view: Any) -> bool:
        if request.method in SAFE_METHODS:
            return roles.is_staff_account(request.user)
        return roles.is_unit_admin(request.user)


class ReadStaffWriteWriter(BasePermission):
    """Read for staff accounts, write for roles that may change domain data (admin, staff)."""

    message = "您的角色只能查看，不能修改。"
    code = "forbidden_role"

    def has_permission(self, request: Request, view: Any) -> bool:
        if request.method in SAFE_METHODS:
            return roles.is_staff_account(request.user)
        return roles.can_write(request.user)


class ReadAnyWriteResident(BasePermission):
    """Read for every signed-in account, write for residents only: what a resident sends from
    民政易 about themselves (binding their community, later their requests)."""

    message = "仅居民账号可以提交。"
    code = "residents_only"

    def has_permission(self, request: Request, view: Any) -> bool:
        if request.method in SAFE_METHODS:
            return roles.is_signed_in(request.user)
        return roles.is_resident(request.user)


class ReadAnyWriteWriter(BasePermission):
    """Read for every signed-in account (residents included: public data such as facilities),
    write for roles that may change domain data."""

    message = "您的角色只能查看，不能修改。"
    code = "forbidden_role"

    def has_permission(self, request: Request, view: Any) -> bool:
        if request.method in SAFE_METHODS:
            return roles.is_signed_in(request.user)
        return roles.can_write(request.user)


class ReadAnyWriteAdmin(BasePermission):
    """Any signed-in account reads (scoped by the queryset); unit administrators write (a
    committee's record: residents read their own committee, its administrator keeps it)."""

    message = "仅单位系统管理员可以修改。"
    code = "admin_only"

    def has_permission(self, request: Request, view: Any) -> bool:
        if request.method in SAFE_METHODS:
            return roles.is_signed_in(request.user)
        return roles.is_unit_admin(request.user)

