"""Cadence of 村(居)务公开: which villages are overdue, by the rule set in publication/rules/.

``rule(key)`` is the one place that reads the rule set; every caller (the list, the map layer, the
demo) goes through it. A village is overdue for a rule when its last published item of the rule's
categories is older than the rule's period (or it has none): "一般事项至少每季度公布一次" → no
村务公开 item in the last 3 months; "集体财务往来较多的，财务收支情况应当每月公布一次" → for villages
marked as having many transactions, no 财务 item in the last month.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from core import rules
from core.rules import Rule
from core.workflow.models import State
from django.db import models
from django.utils import timezone

from boundaries.levels import Level
from boundaries.models import AdminUnit

from .models import AffairsProfile, Category, Channel, Post


def rule(key: str, province: str | None = "500000", on: dt.date | None = None) -> Rule:
    """The one place this module reads a rule: the version in force for the province on the date
    (core.rules; the file is publication/rules/affairs_cadence.toml)."""
    return rules.get(key, province=province, on=on)


@dataclass(frozen=True)
class Check:
    """A periodic check: a village is overdue when nothing of ``categories`` was published within
    the rule's number of months (``only_many_transactions``: villages marked as such only)."""

    id: str
    rule_key: str
    categories: tuple[str, ...]
    only_many_transactions: bool = False


CHECKS = (
    Check("general", "publication.general_interval_months", tuple(Category.values)),
    Check("finance_monthly", "publication.finance_interval_months", (Category.FINANCE,), only_many_transactions=True),
)
MAJOR_RULE = "publication.major_interval_days"


def months_before(day: dt.date, months: int) -> dt.date:
    y, m = divmod(day.year * 12 + day.month - 1 - months, 12)
    m += 1
    last = (dt.date(y + (m == 12), m % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(y, m, min(day.day, last))


@dataclass
class VillageStatus:
    unit: AdminUnit
    many_transactions: bool
    last: dict[str, dt.datetime | None]
    overdue: list[str]

    def as_dict(self) -> dict[str, Any]:
        return {
            "unit": {"id": self.unit.pk, "code": self.unit.code, "name": self.unit.name, "kind": self.unit.kind},
            "many_transactions": self.many_transactions,
            "last_published": {k: v.isoformat() if v else None for k, v in self.last.items()},
            "overdue": list(self.overdue),
            "status": "overdue" if self.overdue else "ok",
        }


def village_status(villages: models.QuerySet[AdminUnit], today: dt.date | None = None) -> list[VillageStatus]:
    """Cadence status of each village/community in ``villages`` (one grouped query per check)."""
    today = today or timezone.localdate()
    villages = villages.filter(level=Level.COMMUNITY).order_by("code")
    ids = list(villages.values_list("id", flat=True))
    many = set(AffairsProfile.objects.filter(unit_id__in=ids, many_transactions=True).values_list("unit_id", flat=True))
    published = Post.objects.filter(unit_id__in=ids, channel=Channel.AFFAIRS, state=State.PUBLISHED,
                                    published_at__lte=timezone.now())
    last: dict[str, dict[int, dt.datetime]] = {}
    months: dict[str, int] = {}
    for check in CHECKS:
        rows = published.filter(category__in=check.categories).values("unit_id").annotate(last=models.Max("published_at"))
        last[check.id] = {r["unit_id"]: r["last"] for r in rows}
        months[check.id] = int(rule(check.rule_key, on=today).value)
    out = []
    for unit in villages:
        overdue = []
        for check in CHECKS:
            if check.only_many_transactions and unit.pk not in many:
                continue
            seen = last[check.id].get(unit.pk)
            if seen is None or timezone.localtime(seen).date() < months_before(today, months[check.id]):
                overdue.append(check.id)
        out.append(VillageStatus(unit, unit.pk in many, {c.id: last[c.id].get(unit.pk) for c in CHECKS}, overdue))
    return out


def refresh(villages: models.QuerySet[AdminUnit], today: dt.date | None = None) -> int:
    """Store the current status of these villages (CadenceStatus); only changed rows are written, so
    the map layer's tiles go stale only where something changed."""
    from .models import CadenceStatus

    today = today or timezone.localdate()
    titles = {c.id: rule(c.rule_key, on=today).title for c in CHECKS}
    statuses = village_status(villages, today)
    current = {s.unit_id: s for s in CadenceStatus.objects.filter(unit_id__in=[v.unit.pk for v in statuses])}
    changed = []
    for v in statuses:
        row = CadenceStatus(unit_id=v.unit.pk, overdue=bool(v.overdue), rules="、".join(titles[r] for r in v.overdue),
                            last_published=v.last.get("general"), computed_on=today)
        old = current.get(v.unit.pk)
        if old is None or (old.overdue, old.rules, old.last_published) != (row.overdue, row.rules, row.last_published):
            changed.append(row)
    CadenceStatus.objects.bulk_create(changed, update_conflicts=True, unique_fields=["unit"],
                                      update_fields=["overdue", "rules", "last_published", "computed_on"])
    return len(changed)


def rules_payload(on: dt.date | None = None) -> dict[str, Any]:
    """The rules behind the list, with their citations, for the UI and the map layer."""
    entries = [(c.id, rule(c.rule_key, on=on)) for c in CHECKS] + [("major", rule(MAJOR_RULE, on=on))]
    first = entries[0][1]
    return {
        "citation": str(first.citation),
        "confirmed": all(r.confirmed for _, r in entries),
        "rules": [{"id": cid, "key": r.key, "title": r.title, "value": r.value, "unit": r.unit,
                   "citation": str(r.citation), "confirmed": r.confirmed, "note": r.note} for cid, r in entries],
    }
