"""Accounts, roles, institutions and departments.

A user belongs to one administrative unit and reads that unit's subtree (core.scoping). What their
role lets them do is decided in one place, core.roles.
"""
from __future__ import annotations

from typing import ClassVar

from core.roles import LoginType, Role
from core.scoping import ScopedQuerySet
from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.db import models

__all__ = ["LoginType", "Role", "Organisation", "Department", "User"]


class Organisation(models.Model):
    """An institution (机构): a bureau, a town government, a village committee..."""

    name = models.CharField(max_length=100, verbose_name="名称")
    unit = models.ForeignKey("adminunits.AdminUnit", on_delete=models.PROTECT, related_name="organisations", verbose_name="单位")

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "机构"
        verbose_name_plural = "机构"
        constraints = [models.UniqueConstraint(fields=["unit", "name"], name="organisation_unique_name")]

    def __str__(self) -> str:
        return self.name


class DepartmentQuerySet(ScopedQuerySet):
    scope_path_lookup = "organisation__unit__path"


class Department(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="departments", verbose_name="机构")
    name = models.CharField(max_length=100, verbose_name="名称")

    objects = DepartmentQuerySet.as_manager()

    class Meta:
        verbose_name = "部门"
        verbose_name_plural = "部门"
        constraints = [models.UniqueConstraint(fields=["organisation", "name"], name="department_unique_name")]

    def __str__(self) -> str:
        return f"{self.organisation.name}·{self.name}"


class UserQuerySet(ScopedQuerySet):
    pass


class UserManager(DjangoUserManager.from_queryset(UserQuerySet)):  # type: ignore[misc]
    """Django's user manager (create_user...) over a scoped queryset: ``User.objects.visible_to(u)``."""


class User(AbstractUser):
    unit = models.ForeignKey(
        "adminunits.AdminUnit", null=True, blank=True, on_delete=models.PROTECT, related_name="users", verbose_name="单位"
    )
    login_type = models.CharField(max_length=20, choices=LoginType.choices, default=LoginType.COMMUNITY, verbose_name="用户类型")
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.STAFF, verbose_name="角色")
    department = models.ForeignKey(Department, null=True, blank=True, on_delete=models.SET_NULL, related_name="users", verbose_name="部门")
    display_name = models.CharField("姓名", max_length=50, blank=True)

    objects: ClassVar[UserManager] = UserManager()

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"
