"""Who sees a published item: ONE query for "what may this person see".

An item's audience is a unit's subtree (``Reviewable.audience_path``: the publisher's unit, widened
by escalation). A reader is covered when the audience unit is their unit or one of its ancestors —
a resident of a village sees the village's, the town's and the district's items. Staff also see
every item published in their jurisdiction (core.scoping), whatever its audience. Residents read
through their bound community (their account's unit); a resident with none sees nothing.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import models
from django.utils import timezone

from . import roles
from .scoping import ScopedQuerySet, scope_path


def covering_paths(path: str) -> list[str]:
    """Paths of the unit and its ancestors: "500000/500112/" → ["500000/", "500000/500112/"]."""
    parts = [p for p in path.split("/") if p]
    return ["".join(f"{c}/" for c in parts[:i]) for i in range(1, len(parts) + 1)]


def audience_filter(user: Any, *, scope_lookup: str = "unit__path") -> models.Q | None:
    """The condition on an item for ``user`` to read it (None: everything; an empty match: nothing)."""
    if not roles.is_signed_in(user):
        return models.Q(pk__in=[])
    if roles.is_superuser(user):
        return None
    unit = getattr(user, "unit", None)
    if unit is None:
        return models.Q(pk__in=[])
    covered = models.Q(audience_path__in=covering_paths(unit.path))
    if roles.is_staff_account(user):
        prefix = scope_path(user)
        covered |= models.Q(**{f"{scope_lookup}__startswith": prefix})
    return covered


class AudienceQuerySet(ScopedQuerySet):
    """For reviewable items: ``visible_to`` is the staff jurisdiction (drafts included, for managing);
    ``readable_by`` is what a person may read (published, due, audience covers them)."""

    def readable_by(self, user: Any, at: dt.datetime | None = None) -> AudienceQuerySet:
        from .workflow.models import State

        cond = audience_filter(user, scope_lookup=self.scope_path_lookup)
        qs = self.filter(state=State.PUBLISHED, published_at__lte=at or timezone.now())
        return qs if cond is None else qs.filter(cond)
