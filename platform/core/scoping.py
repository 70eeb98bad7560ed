"""THE jurisdiction scoping mechanism. Every API view, service and tile layer goes through it.

A user belongs to an administrative unit; they see that unit's subtree. Units carry a materialised
path of codes ("500000/500112/500112001/"), so "in the subtree" is one indexed prefix match. Each
scoped model names the lookup from itself to that path in ``scope_path_lookup``.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Self

from django.db import models

if TYPE_CHECKING:
    from .types import AnyUser


def scope_path(user: AnyUser) -> str | None:
    """The path prefix a user may see: '' for everything, None for nothing."""
    if user is None or not user.is_authenticated:
        return None
    if user.is_superuser:
        return ""
    unit = getattr(user, "unit", None)
    return unit.path if unit is not None else None


class ScopedQuerySet(models.QuerySet):
    #: Lookup from the model to the AdminUnit.path it belongs to; override per model.
    scope_path_lookup: str = "unit__path"

    def visible_to(self, user: AnyUser) -> Self:
        prefix = scope_path(user)
        if prefix is None:
            return self.none()
        if prefix == "":
            return self
        return self.filter(**{f"{self.scope_path_lookup}__startswith": prefix})

    def in_subtree(self, path: str) -> Self:
        return self.filter(**{f"{self.scope_path_lookup}__startswith": path})


def in_scope(user: AnyUser, unit: Any) -> bool:
    """Is ``unit`` (anything with a ``path``) inside the user's jurisdiction?"""
    prefix = scope_path(user)
    return prefix is not None and unit is not None and unit.path.startswith(prefix)
