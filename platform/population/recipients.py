"""Who a notice reaches: the residents of a unit (with filters) as recipients for core.notices.

Phones are handed over as stored (ciphertext, keyed hash, masked form): nothing is decrypted until
the SMS is actually sent. ``accounts`` maps person ids to the resident accounts bound to them (the
resident app's "我的社区"), so those residents get the in-app message as well.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from core.errors import DomainError
from core.notices.services import Recipient
from core.scoping import in_scope
from django.utils import timezone

from boundaries.levels import Level
from boundaries.models import AdminUnit

from .codes import PersonStatus, Tag
from .ids import age_on
from .models import Person

PERSON_REF = "population.person:{}"


def residents(user: Any, unit: AdminUnit, *, tags: Sequence[str] = (), min_age: int | None = None,
              max_age: int | None = None, on: dt.date | None = None,
              accounts: Mapping[int, int] | None = None) -> list[Recipient]:
    """The active residents of ``unit`` (its pools, or for a neighbourhood/building the people living
    in its houses) that ``user`` may see, narrowed by tags (any of) and age on ``on``."""
    if not in_scope(user, unit):
        raise DomainError("unit_outside_jurisdiction", "该单位不在您的管辖范围内。", status_code=403)
    unknown = set(tags) - set(Tag.values)
    if unknown:
        raise DomainError("tag_invalid", "人员标签无效。")
    qs = Person.objects.visible_to(user).filter(status=PersonStatus.ACTIVE)
    if unit.level <= Level.COMMUNITY:
        qs = qs.in_subtree(unit.path)
    else:
        qs = qs.filter(house__building__path__startswith=unit.path)
    if tags:
        qs = qs.filter(tags__overlap=list(tags))
    day = on or timezone.localdate()
    rows = qs.order_by("id").values_list("id", "birth_date", "phone_hash", "phone_cipher", "phone_masked")
    out = []
    for pk, birth, phone_hash, phone_cipher, phone_masked in rows.iterator(chunk_size=5000):
        if min_age is not None or max_age is not None:
            age = age_on(birth, day)
            if (min_age is not None and age < min_age) or (max_age is not None and age > max_age):
                continue
        out.append(Recipient(
            account_id=accounts.get(pk) if accounts else None, person_ref=PERSON_REF.format(pk),
            phone_hash=bytes(phone_hash) if phone_hash else None,
            phone_cipher=bytes(phone_cipher) if phone_cipher else None, phone_masked=phone_masked or ""))
    return out
