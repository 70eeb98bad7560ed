"""Households (户) and the pieces of the transfer workflow around the core services: the directory
of destination communities, the notices a transfer sends, and moving a whole household.

Writes follow population.services: role check, one transaction, row locks, the audit context;
refusals are DomainErrors with Chinese messages.
"""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from core import roles
from core.errors import DomainError
from core.notices.services import notify
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from boundaries.levels import Level
from boundaries.models import AdminUnit

from . import services
from .codes import HouseRelation
from .models import Household, Person, Transfer

if TYPE_CHECKING:
    from accounts.models import User

DIRECTORY_LIMIT = 20


def community_directory(q: str, limit: int = DIRECTORY_LIMIT) -> list[dict[str, Any]]:
    """Communities of the whole city a clerk may send a person to (名称、代码和所属镇街 are public
    statistical data): matched by name or code, each with its town so that two 新华社区 differ."""
    q = (q or "").strip()
    if not q:
        return []
    qs = AdminUnit.objects.filter(level=Level.COMMUNITY).filter(Q(name__contains=q) | Q(code__startswith=q))
    rows = list(qs.select_related("parent").order_by("code")[:limit])
    return [{"id": u.pk, "code": u.code, "name": u.name, "town": u.parent.name if u.parent else ""} for u in rows]


def _clerks_of(unit: AdminUnit) -> list[User]:
    """The accounts that keep ``unit``'s pool: active staff and administrators of that unit."""
    from accounts.models import User

    return [u for u in User.objects.filter(unit=unit, is_active=True) if roles.can_write(u)]


def notify_transfer_sent(transfer: Transfer, sender: User) -> None:
    """Tell the receiving community that a person is waiting in its 转入待接收 list."""
    people = _clerks_of(transfer.to_pool)
    if not people:
        return
    notify(people, "居住人口转入待接收",
           f"{transfer.from_pool.name}将{transfer.person.name}转往本村（社区），事由：{transfer.reason}。请在“人口”→“转入待接收”中接收或退回。",
           link="/map/#population/inbox", unit=transfer.to_pool, sender=sender)


def notify_transfer_decided(transfer: Transfer, decider: User) -> None:
    """Tell the clerk who sent the person what became of the transfer."""
    sender = transfer.created_by
    if sender is None or not sender.is_active:
        return
    verb = "已接收" if transfer.status == "accepted" else "已退回"
    notify([sender], f"转出人员{verb}", f"{transfer.to_pool.name}{verb}{transfer.person.name}。",
           link="/map/#population", unit=transfer.from_pool, sender=decider)


# -- households ----------------------------------------------------------------------------------
def households(user: User, pool: AdminUnit | None = None, q: str = "") -> QuerySet[Household]:
    qs = Household.objects.visible_to(user).select_related("unit", "house__building")
    if pool is not None:
        qs = qs.filter(unit=pool)
    if q:
        qs = qs.filter(Q(number__contains=q.strip()) | Q(members__name__startswith=q.strip())).distinct()
    return qs.annotate(member_count=Count("members")).order_by("number")


def _next_number(pool: AdminUnit) -> str:
    """户号: the community's code and a running number, unique across the city."""
    taken = Household.objects.filter(number__startswith=pool.code).count()
    n = taken + 1
    while Household.objects.filter(number=f"{pool.code}{n:05d}").exists():
        n += 1
    return f"{pool.code}{n:05d}"


@transaction.atomic
def create_household(user: User, pool: AdminUnit | int | None, head: Person | None = None, number: str = "",
                     reason: str = "") -> Household:
    """立户: a new household in a pool, optionally with its head (户主)."""
    services.require_write(user)
    target = services.resolve_pool(user, pool)
    # Serialise numbering inside one pool (two clerks creating households at once).
    AdminUnit.objects.select_for_update().filter(pk=target.pk).first()
    number = (number or "").strip() or _next_number(target)
    if len(number) > 30:
        raise DomainError("household_number_invalid", "户号不超过30个字符。")
    with services._acting(user, reason or "立户"):
        try:
            with transaction.atomic():
                hh = Household.objects.create(number=number, unit=target)
        except IntegrityError:
            raise DomainError("household_number_taken", "该户号已被使用。", status_code=409) from None
        if head is not None:
            join_household(user, hh, head, "02", reason or "立户")
    return hh


@transaction.atomic
def join_household(user: User, household: Household, person: Person, relation_to_head: str,
                   reason: str = "") -> Person:
    """Put a person in a household with their relation to its head (GB/T 4761)."""
    services.require_write(user)
    hh = Household.objects.select_for_update(of=("self",)).select_related("unit").get(pk=household.pk)
    person = services._lock(person)
    if hh.unit is None or person.pool_id != hh.unit_id:
        raise DomainError("household_other_pool", "只能把本人口池的人员加入本村（社区）的户。")
    attrs = services.clean_attributes({"relation_to_head": relation_to_head})
    if relation_to_head in ("01", "02") and hh.members.filter(relation_to_head__in=("01", "02")).exclude(pk=person.pk).exists():
        raise DomainError("household_has_head", "该户已有户主。")
    person.household = hh
    person.relation_to_head = attrs.get("relation_to_head", "")
    with services._acting(user, reason or "加入户"):
        person.save()
    return person


@transaction.atomic
def leave_household(user: User, person: Person, reason: str = "") -> Person:
    services.require_write(user)
    person = services._lock(person)
    person.household = None
    person.relation_to_head = ""
    with services._acting(user, reason or "移出户"):
        person.save()
    return person


@transaction.atomic
def move_household(user: User, household: Household, house: int, reason: str) -> Household:
    """整户迁居: the household's address becomes ``house`` and every member moves there with it, each
    move in their history. Members living elsewhere than the old address move too: a household
    lives at one address."""
    services.require_write(user)
    reason = services.require_reason(reason)
    hh = Household.objects.select_for_update(of=("self",)).select_related("unit").get(pk=household.pk)
    target = services._resolve_house(user, house)
    if hh.unit is None or not target.building.path.startswith(hh.unit.path):
        raise DomainError("house_outside_pool", "该房屋不在本户所属村（社区）范围内。")
    with services._acting(user, reason):
        hh.house = target
        hh.save()
        for member in hh.members.order_by("id"):
            relation = member.house_relation or HouseRelation.FAMILY
            services.place(user, member, target, relation, reason)
    return hh


def place_checked(user: User, person: Person, house: int, relation: str, reason: str, *,
                  with_household: bool = False) -> Person:
    """安置 from the screens: moving someone who already lives elsewhere needs a reason (their old
    address is left, and recorded in their history); ``with_household`` moves their whole 户."""
    if person.house_id and person.house_id != house:
        reason = services.require_reason(reason)
    if with_household and person.household_id:
        hh = Household.objects.visible_to(user).filter(pk=person.household_id).first()
        if hh is None:
            raise DomainError("household_not_found", "户不存在或不在您的管辖范围内。", status_code=404)
        with transaction.atomic():
            services.place(user, person, house, relation, reason)
            move_household(user, hh, house, reason)
        return Person.objects.get(pk=person.pk)
    return services.place(user, person, house, relation, reason)


def narrow_people(qs: QuerySet[Person], *, age_min: int | None = None, age_max: int | None = None,
                  hukou: str = "", placed: str = "") -> QuerySet[Person]:
    """The pool list's filters beyond search_people: age band (on today's date, Asia/Shanghai),
    户籍 (registered in the community they live in) or 居住 only, placed in a house or not."""
    today = timezone.localdate()
    if age_min is not None:
        qs = qs.filter(birth_date__lte=_years_before(today, age_min))
    if age_max is not None:
        # Younger than age_max + 1: born after that many years ago.
        qs = qs.filter(birth_date__gt=_years_before(today, age_max + 1))
    if hukou == "local":
        qs = qs.filter(hukou_code__startswith=F("pool__code"))
    elif hukou == "other":
        qs = qs.exclude(hukou_code__startswith=F("pool__code"))
    if placed == "yes":
        qs = qs.filter(house__isnull=False)
    elif placed == "no":
        qs = qs.filter(house__isnull=True)
    return qs


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)
