"""Population workflows: add, transfer in/out, accept/reject, place in a house, reveal.

Each function owns its transaction and locks the person row (select_for_update), so two clerks
cannot move one person into two pools. Every refusal is a DomainError with a stable code and a
Chinese message that never contains the ID number or phone. Jurisdiction: the caller passes only
objects it fetched through ``visible_to(user)``; the functions check the *targets* (pool, house).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from audit import context as audit_context
from audit import registry as audit
from audit.models import Action, AuditEvent
from core import roles, throttle
from core.errors import DomainError
from core.scoping import in_scope, scope_path
from django.contrib.postgres.search import TrigramSimilarity
from django.db import IntegrityError, connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from boundaries.levels import Level
from boundaries.models import AdminUnit, House

from . import crypto, ids
from .codes import (
    ETHNICITIES,
    POLITICAL_STATUS,
    RELATIONS_TO_HEAD,
    EventKind,
    HouseRelation,
    PersonStatus,
    Sex,
    Tag,
    TransferStatus,
)
from .models import Household, Person, PersonEvent, Transfer

if TYPE_CHECKING:
    from accounts.models import User

MIN_REASON = 2


# -- permissions -------------------------------------------------------------------------------
def require_write(user: User) -> None:
    if not roles.can_write(user):
        raise DomainError("forbidden", "当前角色无权修改人口信息。", status_code=403)


def require_reason(reason: str | None) -> str:
    reason = (reason or "").strip()
    if len(reason) < MIN_REASON:
        raise DomainError("reason_required", "请填写事由。")
    return reason[:500]


def resolve_pool(user: User, pool: AdminUnit | int | None) -> AdminUnit:
    """The community pool an operation targets: given, or the user's own community."""
    if pool is None:
        unit = getattr(user, "unit", None)
        if unit is None or unit.level != Level.COMMUNITY:
            raise DomainError("pool_required", "请选择村（社区）人口池。")
        return unit
    if not isinstance(pool, AdminUnit):
        pool = AdminUnit.objects.filter(pk=pool).first()
    if pool is None or pool.level != Level.COMMUNITY:
        raise DomainError("pool_invalid", "人口池必须是一个村（社区）。")
    if not in_scope(user, pool):
        raise DomainError("pool_outside_jurisdiction", "该村（社区）不在您的管辖范围内。", status_code=403)
    return pool


@contextmanager
def _acting(user: User, reason: str = "") -> Iterator[None]:
    ctx = audit_context.current()
    with audit_context.acting_as(user=user, ip=ctx.ip, reason=reason or ctx.reason):
        yield


def _event(person: Person, kind: str, user: User | None, reason: str = "", **kw: Any) -> PersonEvent:
    """A person's history entry; ``user`` is None for system work (the command-line import)."""
    return PersonEvent.objects.create(
        person=person, kind=kind, actor=user, actor_name=user.username if user is not None else "system",
        reason=reason, **kw,
    )


def _lock(person: Person) -> Person:
    """Lock the person's row, then read it afresh. Not one ``SELECT ... FOR UPDATE`` with the pool
    joined: when another transaction held the lock and changed the pool, PostgreSQL re-checks only
    the locked row and keeps the outer join's old (empty) pool columns — a person with a pool id
    and no pool, the 500 two simultaneous transfer-ins used to end in."""
    Person.objects.select_for_update().filter(pk=person.pk).values_list("pk", flat=True).get()
    return Person.objects.select_related("pool").get(pk=person.pk)


# -- field validation --------------------------------------------------------------------------
def clean_attributes(data: dict[str, Any]) -> dict[str, Any]:
    """Validate the editable, non-locked attributes (code tables, tags)."""
    out: dict[str, Any] = {}
    if "name" in data:
        name = (data["name"] or "").strip()
        if not name or len(name) > 50:
            raise DomainError("name_required", "请填写姓名（不超过50字）。")
        out["name"] = name
    for key, table, label in (
        ("ethnicity", ETHNICITIES, "民族"),
        ("political_status", POLITICAL_STATUS, "政治面貌"),
        ("relation_to_head", RELATIONS_TO_HEAD, "与户主关系"),
    ):
        if key in data and data[key] not in (None, ""):
            if data[key] not in table:
                raise DomainError(f"{key}_invalid", f"{label}代码无效。")
            out[key] = data[key]
    if "tags" in data:
        tags = list(dict.fromkeys(data["tags"] or []))
        bad = [t for t in tags if t not in Tag.values]
        if bad:
            raise DomainError("tag_invalid", f"未知标签：{'、'.join(bad)}。")
        out["tags"] = tags
    return out


# -- add, update ---------------------------------------------------------------------------------
@transaction.atomic
def add_person(user: User, data: dict[str, Any], pool: AdminUnit | int | None = None) -> Person:
    """新增居住人口: someone living here whom the city record lacks."""
    require_write(user)
    target = resolve_pool(user, pool)
    person = Person(pool=target, added_by_community=True)
    person.set_id_number(data.get("id_number", ""))
    if Person.objects.filter(id_hash=person.id_hash).exists():
        raise DomainError("duplicate_id", "该身份证号码已在人口库中，请通过“转入”办理。")
    person.set_phone(data.get("phone"))
    attrs = clean_attributes({"name": data.get("name", ""), **{k: v for k, v in data.items() if k != "name"}})
    for k, v in attrs.items():
        setattr(person, k, v)
    # A new person has no city-record registration yet: the clerk records the one they show.
    person.hukou_code = (data.get("hukou_code") or "")[:12]
    person.hukou_address = (data.get("hukou_address") or "")[:200]
    reason = (data.get("reason") or "新增居住人口").strip()
    with _acting(user, reason):
        try:
            with transaction.atomic():
                person.save()
        except IntegrityError:
            raise DomainError("duplicate_id", "该身份证号码已在人口库中，请通过“转入”办理。") from None
        _event(person, EventKind.ADDED, user, reason, to_pool=target)
        if data.get("house"):
            place(user, person, data["house"], data.get("house_relation") or HouseRelation.FAMILY, reason)
    return person


LOCKED_FIELDS = ("hukou_code", "hukou_address", "id_number", "pool", "house")


@transaction.atomic
def update_person(user: User, person: Person, data: dict[str, Any]) -> Person:
    require_write(user)
    locked = [f for f in LOCKED_FIELDS if f in data]
    if any(f.startswith("hukou") for f in locked):
        raise DomainError("hukou_locked", "户籍地信息已锁定，只能由市级人口库导入更新。")
    if locked:
        raise DomainError("field_locked", "身份证号码、人口池和居住房屋须通过专门的业务办理。")
    person = _lock(person)
    attrs = clean_attributes(data)
    if "household" in data:
        hh = data["household"]
        if hh is not None:
            hh = Household.objects.visible_to(user).filter(pk=hh).first()
            if hh is None:
                raise DomainError("household_not_found", "户不存在或不在您的管辖范围内。")
        attrs["household"] = hh
    for k, v in attrs.items():
        setattr(person, k, v)
    if "phone" in data:
        person.set_phone(data["phone"])
    with _acting(user, data.get("reason", "")):
        person.save()
    return person


# -- transfers -----------------------------------------------------------------------------------
def search_city_record(user: User, *, id_number: str = "", name: str = "", limit: int = 20) -> list[Person]:
    """转入查询: the city-wide record, by exact ID number (keyed hash) or by name (prefix + trigram)."""
    require_write(user)
    qs = Person.objects.select_related("pool")
    if id_number:
        digest = crypto.id_hash(ids.parse_id(id_number).number)
        confirm_pii_search(user, "id_number", digest)
        hits = list(qs.filter(id_hash=digest)[:1])
        _audit_pii_search(user, "id_number", digest, hits, "转入查询")
        return hits
    name = (name or "").strip()
    if not name:
        raise DomainError("query_required", "请输入身份证号码或姓名。")
    # Exact name first (the usual case: the clerk types the full name), then longer names with that
    # prefix (no ORDER BY, so the index scan stops after ``limit`` rows), and only when neither finds
    # anyone, the trigram fuzzy match (a few tens of ms at 2.2 M people; see docs/population.md).
    hits = list(qs.filter(name=name).order_by("id")[:limit])
    if len(hits) < limit:
        more = qs.filter(name__startswith=name).exclude(name=name)[: limit - len(hits)]
        hits += sorted(more, key=lambda p: (p.name, p.pk))
    if not hits and len(name) >= 2:
        hits = list(qs.filter(name__trigram_similar=name).annotate(sim=TrigramSimilarity("name", name))
                    .order_by("-sim", "id")[:limit])
    return hits


@transaction.atomic
def transfer_in(user: User, person: Person, reason: str, pool: AdminUnit | int | None = None,
                house: House | int | None = None, house_relation: str = "") -> Person:
    """居住人口转入: take a person from the city record into a community pool."""
    require_write(user)
    reason = require_reason(reason)
    target = resolve_pool(user, pool)
    person = _lock(person)
    if person.pool_id == target.pk:
        raise DomainError("already_in_pool", "此人已在本人口池中。", status_code=409)
    if (other := person.pool) is not None:
        # Which community holds the person is told only to those who may see that community.
        if in_scope(user, other):
            raise DomainError("in_other_pool", f"此人已在{other.name}的人口池中，须由对方办理转出后接收。",
                              status_code=409, extra={"pool": other.name})
        raise DomainError("in_other_pool", "此人已在其他村（社区）的人口池中，须由对方办理转出后接收。", status_code=409)
    if Transfer.objects.filter(person=person, status=TransferStatus.PENDING).exists():
        raise DomainError("transfer_pending", "此人有待接收的转移，请由接收方办理。", status_code=409)
    person.pool = target
    person.status = PersonStatus.ACTIVE
    with _acting(user, reason):
        person.save()
        _event(person, EventKind.TRANSFER_IN, user, reason, to_pool=target)
        if house:
            place(user, person, house, house_relation or HouseRelation.FAMILY, reason)
    return person


@transaction.atomic
def transfer_out(user: User, person: Person, reason: str, to_pool: AdminUnit | int | None = None,
                 out_of_city: bool = False) -> Transfer | None:
    """居住人口转出: to another community (their incoming list) or out of the city."""
    require_write(user)
    reason = require_reason(reason)
    person = _lock(person)
    source = person.pool
    if source is None or not in_scope(user, source):
        raise DomainError("not_in_pool", "此人不在您管辖的人口池中。", status_code=409)
    if bool(to_pool) == bool(out_of_city):
        raise DomainError("transfer_target", "请选择转往的村（社区），或选择“迁出本市”。")
    transfer = None
    with _acting(user, reason):
        _leave_house(user, person, reason)
        if out_of_city:
            person.pool = None
            person.status = PersonStatus.LEFT_CITY
            person.save()
            _event(person, EventKind.LEFT_CITY, user, reason, from_pool=source)
            return None
        target = to_pool if isinstance(to_pool, AdminUnit) else (
            AdminUnit.objects.filter(pk=to_pool).first() if to_pool is not None else None)
        if target is None or target.level != Level.COMMUNITY:
            raise DomainError("pool_invalid", "转往的单位必须是一个村（社区）。")
        if target.pk == source.pk:
            raise DomainError("already_in_pool", "不能转往本人口池。")
        person.pool = None
        person.save()
        transfer = Transfer.objects.create(person=person, from_pool=source, to_pool=target, reason=reason,
                                           created_by=user if user.pk else None)
        _event(person, EventKind.TRANSFER_OUT, user, reason, from_pool=source, to_pool=target)
    return transfer


@transaction.atomic
def accept_transfer(user: User, transfer: Transfer, house: House | int | None = None,
                    house_relation: str = "") -> Person:
    require_write(user)
    transfer = Transfer.objects.select_for_update(of=("self",)).select_related("to_pool").get(pk=transfer.pk)
    if transfer.status != TransferStatus.PENDING:
        raise DomainError("transfer_closed", "该转移已办理。", status_code=409)
    if not in_scope(user, transfer.to_pool):
        raise DomainError("pool_outside_jurisdiction", "该转移不是转入您管辖的村（社区）。", status_code=403)
    person = _lock(transfer.person)
    with _acting(user, transfer.reason):
        person.pool = transfer.to_pool
        person.save()
        transfer.status = TransferStatus.ACCEPTED
        transfer.decided_at = timezone.now()
        transfer.decided_by = user if user.pk else None
        transfer.save()
        _event(person, EventKind.TRANSFER_ACCEPTED, user, transfer.reason, from_pool=transfer.from_pool,
               to_pool=transfer.to_pool)
        if house:
            place(user, person, house, house_relation or HouseRelation.FAMILY, transfer.reason)
    return person


@transaction.atomic
def reject_transfer(user: User, transfer: Transfer, reason: str) -> Person:
    """Refuse an incoming transfer: the person goes back to the pool they came from."""
    require_write(user)
    reason = require_reason(reason)
    transfer = Transfer.objects.select_for_update(of=("self",)).select_related("to_pool", "from_pool").get(pk=transfer.pk)
    if transfer.status != TransferStatus.PENDING:
        raise DomainError("transfer_closed", "该转移已办理。", status_code=409)
    if not in_scope(user, transfer.to_pool):
        raise DomainError("pool_outside_jurisdiction", "该转移不是转入您管辖的村（社区）。", status_code=403)
    person = _lock(transfer.person)
    with _acting(user, reason):
        person.pool = transfer.from_pool
        person.save()
        transfer.status = TransferStatus.REJECTED
        transfer.decided_at = timezone.now()
        transfer.decided_by = user if user.pk else None
        transfer.save()
        _event(person, EventKind.TRANSFER_REJECTED, user, reason, from_pool=transfer.to_pool,
               to_pool=transfer.from_pool)
    return person


# -- people and houses ---------------------------------------------------------------------------
def _resolve_house(user: User, house_or_id: House | int) -> House:
    house = house_or_id if isinstance(house_or_id, House) else (
        House.objects.select_related("building").filter(pk=house_or_id).first())
    if house is None:
        raise DomainError("house_not_found", "房屋不存在。", status_code=404)
    if not in_scope(user, house.building):
        raise DomainError("house_outside_jurisdiction", "该房屋不在您的管辖范围内。", status_code=403)
    return house


def _leave_house(user: User, person: Person, reason: str) -> None:
    if person.house_id:
        _event(person, EventKind.UNPLACED, user, reason, from_house_id=person.house_id,
               house_relation=person.house_relation)
        person.house = None
        person.house_relation = ""


@transaction.atomic
def place(user: User, person: Person, house: House | int, relation: str, reason: str = "") -> Person:
    """人房关联: the person lives in this house (one house at a time; history in PersonEvent)."""
    require_write(user)
    if relation not in HouseRelation.values:
        raise DomainError("relation_invalid", "与房屋关系无效（产权人、家庭成员、租户等）。")
    house = _resolve_house(user, house)
    person = _lock(person)
    if person.pool is None:
        raise DomainError("not_in_pool", "此人不在人口池中，请先办理转入。", status_code=409)
    if not house.building.path.startswith(person.pool.path):
        raise DomainError("house_outside_pool", f"该房屋不在{person.pool.name}范围内。")
    if person.house_id == house.pk and person.house_relation == relation:
        return person
    with _acting(user, reason):
        from_house = person.house_id
        person.house = house
        person.house_relation = relation
        person.save()
        _event(person, EventKind.PLACED, user, reason, from_house_id=from_house, to_house=house,
               house_relation=relation)
    return person


@transaction.atomic
def unplace(user: User, person: Person, reason: str) -> Person:
    require_write(user)
    reason = require_reason(reason)
    person = _lock(person)
    with _acting(user, reason):
        _leave_house(user, person, reason)
        person.save()
    return person


RESIDENT_FIELDS = ("id", "name", "id_masked", "phone_masked", "sex", "birth_date", "house_id", "house_relation",
                   "household_id", "household__number", "relation_to_head", "tags")


def building_residents(building: AdminUnit, user: User) -> tuple[list[dict[str, Any]], dict[int, list[dict[str, Any]]]]:
    """以房找人: a building's houses and who lives in each, masked.

    Two indexed queries returning plain tuples (no model instances, no serializer): a high-rise
    holds 500+ residents and this view is opened from the map on every click. The stored masked
    forms are read as they are: nothing is decrypted here.
    """
    houses = [dict(h) for h in House.objects.filter(building=building).order_by("entrance", "floor", "room")
              .values("id", "entrance", "floor", "room", "area_m2")]
    # house_id = ANY(the ids just read), not a join on house__building: the planner misestimated the
    # join (40 rows for 866) and scanned the whole pool (22,000 people) — 18 ms instead of 5 ms.
    qs = (Person.objects.visible_to(user, within=building).filter(house_id__in=[h["id"] for h in houses])
          .order_by("house_id", "relation_to_head", "id").values_list(*RESIDENT_FIELDS))
    with transaction.atomic(), connection.cursor() as cur:
        # Index-only scan of person_house_residents: the planner prices a tower's ~300 house probes
        # as random disk reads (random_page_cost 4) and scans the community's whole pool instead
        # (20,000 rows, 1,000 pages, 10 ms for 840 residents); on SSD storage they cost ~1.1.
        cur.execute("SET LOCAL random_page_cost = 1.1")
        rows = list(qs)
    today = dt.date.today()
    exact_age = roles.can_reveal(user)  # others see an age band only (docs/privacy.md)
    people: dict[int, list[dict[str, Any]]] = {}
    for pid, name, id_masked, phone_masked, sex, birth, house_id, rel, hh_id, hh_no, head_rel, tags in rows:
        people.setdefault(house_id, []).append({
            "id": pid, "name": name, "id_number": id_masked, "phone": phone_masked, "sex": sex, "sex_label": SEX_LABELS.get(sex, ""),
            "age": ids.age_on(birth, today) if exact_age else None, "age_band": ids.age_band(birth, today),
            "house_relation": rel, "house_relation_label": HOUSE_REL_LABELS.get(rel, ""),
            "household": hh_id, "household_number": hh_no, "relation_to_head": head_rel,
            "relation_to_head_label": RELATIONS_TO_HEAD.get(head_rel, ""), "tags": tags,
            "tag_labels": [TAG_LABELS[t] for t in tags if t in TAG_LABELS],
        })
    return houses, people


SEX_LABELS = {s.value: s.label for s in Sex}
HOUSE_REL_LABELS = {r.value: r.label for r in HouseRelation}
TAG_LABELS = {t.value: t.label for t in Tag}


# -- personal data ----------------------------------------------------------------------------
PII_SEARCH_WINDOW = 3600


def confirm_pii_search(user: User, field: str, digest: bytes) -> None:
    """A search by a full ID number or phone confirms a guess: only roles that may reveal may run
    it, at most ``PII_SEARCH_RATE_LIMIT`` an hour (counted in the shared cache)."""
    from django.conf import settings

    if not roles.can_reveal(user):
        raise DomainError("pii_search_forbidden", "当前角色无权按身份证号或电话查询。", status_code=403)
    if throttle.hit("pii-search", str(user.pk), PII_SEARCH_WINDOW) > settings.PII_SEARCH_RATE_LIMIT:
        raise DomainError("pii_search_rate_limited", "按身份证号或电话查询过于频繁，请一小时后再试。", status_code=429)


def _audit_pii_search(user: User, field: str, digest: bytes, hits: list[Person] | None, reason: str) -> None:
    """The search's record: who searched which (keyed hash, never the number) and whom it found,
    readable by the administrators of the searcher's unit and of the people found."""
    unit = getattr(user, "unit", None)
    found = hits or []
    paths = [p.unit_path for p in found if p.unit_path] or [unit.path if unit is not None else ""]
    for path in dict.fromkeys(paths):
        AuditEvent.objects.create(
            actor=user if user.pk else None, actor_name=user.username, ip=audit_context.current().ip,
            action=Action.PII_SEARCH, model=Person._meta.label,
            object_id=",".join(str(p.pk) for p in found)[:64], object_repr=f"按{FIELD_LABELS[field]}查询",
            unit_path=path, after={"field": field, "hash": digest.hex(), "found": [p.pk for p in found]},
            reason=reason,
        )


FIELD_LABELS = {"id_number": "身份证号", "phone": "电话"}

def reveal(user: User, person: Person, reason: str) -> dict[str, str]:
    """Show one record in full; the audit log records who, whose, when and why."""
    if not roles.can_reveal(user):
        raise DomainError("reveal_forbidden", "当前角色无权查看完整个人信息。", status_code=403)
    reason = require_reason(reason)
    with _acting(user, reason):
        audit.record(Action.REVEAL, person, person.unit_path, after={"fields": ["id_number", "phone", "hukou_address"]},
                     reason=reason, actor=user)
    return {"id_number": person.id_number, "phone": person.phone, "hukou_address": person.hukou_address}


# -- search within jurisdiction --------------------------------------------------------------
def search_people(user: User, *, q: str = "", id_number: str = "", phone: str = "", tag: str = "",
                  address: str = "", unit: AdminUnit | None = None, building: int | None = None,
                  house: int | None = None, fuzzy: bool = False) -> QuerySet[Person]:
    qs = Person.objects.visible_to(user).select_related("pool", "house__building", "household")
    if unit is not None:
        if not in_scope(user, unit):
            raise DomainError("unit_outside_jurisdiction", "该单位不在您的管辖范围内。", status_code=403)
        if unit.level <= Level.COMMUNITY:
            qs = qs.filter(pool__path__startswith=unit.path)
        else:
            qs = qs.filter(house__building__path__startswith=unit.path)
    if building:
        qs = qs.filter(house__building_id=building)
    if house:
        qs = qs.filter(house_id=house)
    for field, value in (("id_number", id_number), ("phone", phone)):
        if not value:
            continue
        digest = crypto.id_hash(ids.parse_id(value).number) if field == "id_number" else \
            crypto.phone_hash(ids.normalise_phone(value))
        confirm_pii_search(user, field, digest)
        qs = qs.filter(**{"id_hash" if field == "id_number" else "phone_hash": digest})
        _audit_pii_search(user, field, digest, list(qs[:5]), "按个人信息查询")
    if tag:
        if tag not in Tag.values:
            raise DomainError("tag_invalid", "未知标签。")
        qs = qs.filter(tags__contains=[tag])
    if q:
        q = q.strip()
        # Prefix match by default (btree); the trigram fuzzy match on request (GIN, slower on common names).
        qs = qs.filter(Q(name__startswith=q) | Q(name__trigram_similar=q)) if fuzzy and len(q) >= 2 \
            else qs.filter(name__startswith=q)
    if address:
        # Scope inside the id query too, so the cap counts only people the user may see.
        prefix = scope_path(user) or ""
        pools = None if prefix == "" and getattr(user, "is_superuser", False) else list(
            AdminUnit.objects.filter(level=Level.COMMUNITY, path__startswith=prefix).values_list("id", flat=True))
        qs = qs.filter(pk__in=address_matches(address.strip(), pools))
    return qs.order_by("id")


ADDRESS_MATCH_CAP = 10_001


def address_matches(address: str, pools: list[int] | None, cap: int = ADDRESS_MATCH_CAP) -> list[int]:
    """Ids of people whose household address, building or neighbourhood name contains ``address``.

    One UNION query (trigram GIN on the address; building names through the house) resolved to at
    most ``cap`` ids first: as a plain OR inside the paginated query the planner walked the primary
    key for seconds.
    """
    pattern = "%" + address.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    with connection.cursor() as cur:
        cur.execute(
            """
            SELECT id FROM population_person WHERE hukou_address ILIKE %(p)s AND (%(all)s OR pool_id = ANY(%(pools)s))
            UNION
            SELECT p.id FROM population_person p JOIN adminunits_house h ON h.id = p.house_id
            JOIN adminunits_adminunit b ON b.id = h.building_id JOIN adminunits_adminunit n ON n.id = b.parent_id
            WHERE (b.name ILIKE %(p)s OR n.name ILIKE %(p)s) AND (%(all)s OR p.pool_id = ANY(%(pools)s))
            LIMIT %(cap)s
            """,
            {"p": pattern, "cap": cap, "all": pools is None, "pools": pools or []},
        )
        return [r[0] for r in cur.fetchall()]


# The name the tiles use: residents per building, aggregates only.
from .stats import resident_counts_by_building  # noqa: E402, F401
