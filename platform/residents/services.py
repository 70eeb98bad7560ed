"""Binding a resident account to its community: claim (no oracle), then staff confirm or reject."""
from __future__ import annotations

import datetime as dt
from typing import Any

from core import crypto, roles
from core.errors import DomainError
from core.scoping import in_scope
from django.db import transaction
from django.utils import timezone
from population import ids
from population.models import Person

from boundaries.levels import Level
from boundaries.models import AdminUnit

from .models import ClaimStatus, CommunityClaim

CLAIMS_PER_DAY = 5


@transaction.atomic
def submit_claim(user: Any, community_id: Any, name: str, id_number: str, phone: str) -> CommunityClaim:
    """Record a claim. The answer is the same whether a record matched or not."""
    if not roles.is_resident(user):
        raise DomainError("residents_only", "仅居民账号可以绑定社区。", status_code=403)
    community = AdminUnit.objects.filter(pk=community_id, level=Level.COMMUNITY).first() if str(community_id).isdigit() else None
    if community is None:
        raise DomainError("community_required", "请选择您居住的村（社区）。")
    name = (name or "").strip()
    if not name or len(name) > 50:
        raise DomainError("name_required", "请填写姓名。")
    number = ids.parse_id(id_number).number
    phone_norm = ids.normalise_phone(phone)
    since = timezone.now() - dt.timedelta(days=1)
    if CommunityClaim.objects.select_for_update().filter(user=user, created_at__gte=since).count() >= CLAIMS_PER_DAY:
        raise DomainError("too_many_claims", "今天提交次数过多，请明天再试。", status_code=429)
    id_hash, phone_hash = crypto.id_hash(number), crypto.phone_hash(phone_norm)
    person = Person.objects.filter(id_hash=id_hash, phone_hash=phone_hash, name=name, pool=community).first()
    CommunityClaim.objects.filter(user=user, status=ClaimStatus.PENDING).update(
        status=ClaimStatus.CANCELLED, decided_at=timezone.now(), reason="提交了新的申请")
    return CommunityClaim.objects.create(user=user, community=community, name=name, id_hash=id_hash,
                                         phone_hash=phone_hash, person=person)


def may_decide(user: Any, claim: CommunityClaim) -> bool:
    return roles.can_write(user) and in_scope(user, claim.community)


@transaction.atomic
def decide(user: Any, claim: CommunityClaim, confirm: bool, reason: str = "") -> CommunityClaim:
    locked = CommunityClaim.objects.select_for_update().select_related("community", "user").get(pk=claim.pk)
    if not may_decide(user, locked):
        raise DomainError("forbidden", "只能处理本社区（管辖范围内）的绑定申请。", status_code=403)
    if locked.status != ClaimStatus.PENDING:
        raise DomainError("state_changed", "该申请已处理。", status_code=409)
    if confirm and locked.person_id is None:
        raise DomainError("no_match", "人口库中没有与申请信息一致的人员，不能确认。")
    locked.status = ClaimStatus.CONFIRMED if confirm else ClaimStatus.REJECTED
    locked.decided_at, locked.decided_by = timezone.now(), user
    locked.reason = (reason or "").strip()[:200]
    locked.save()
    if confirm:
        account = locked.user
        account.unit = locked.community
        account.save(update_fields=["unit"])
    return locked
