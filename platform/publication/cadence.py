"""Cadence of 村(居)务公开: which villages are overdue, by the rule set in publication/rules/.

``rules()`` is the one place that loads the rule set; every caller (the list, the map layer, the
demo) goes through it. A village is overdue for a rule when its last published item of the rule's
categories is older than the rule's period (or it has none): "一般事项至少每季度公布一次" → no
村务公开 item in the last 3 months; "集体财务往来较多的，财务收支情况应当每月公布一次" → for villages
marked as having many transactions, no 财务 item in the last month.
"""
from __future__ import annotations

import datetime as dt
import functools
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.workflow.models import State
from django.db import models
from django.utils import timezone

from boundaries.levels import Level
from boundaries.models import AdminUnit

from .models import AffairsProfile, Channel, Post

RULES_FILE = Path(__file__).resolve().parent / "rules" / "cadence.toml"


@dataclass(frozen=True)
class Citation:
    instrument: str
    version: str
    article: str
    confirmed_for_2026: bool

    def __str__(self) -> str:
        return f"《{self.instrument}》（{self.version}）{self.article}"


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    text: str
    months: int
    categories: tuple[str, ...]
    only_many_transactions: bool = False


@dataclass(frozen=True)
class RuleSet:
    name: str
    effective: dt.date
    citation: Citation
    rules: tuple[Rule, ...] = field(default_factory=tuple)

    def tracked(self) -> tuple[Rule, ...]:
        """Rules with a period to check (major matters are 'at once', checked per item)."""
        return tuple(r for r in self.rules if r.months > 0)


@functools.cache
def _load(path: Path) -> RuleSet:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    head = data["ruleset"]
    return RuleSet(
        name=head["name"], effective=dt.date.fromisoformat(head["effective"]),
        citation=Citation(head["instrument"], head["version"], head["article"], bool(head.get("confirmed_for_2026"))),
        rules=tuple(Rule(r["id"], r["title"], r["text"], int(r["months"]), tuple(r.get("categories", ())),
                         bool(r.get("only_many_transactions", False))) for r in data["rule"]),
    )


def rules(province: str = "500000", on: dt.date | None = None) -> RuleSet:
    """The cadence rule set in force for a province on a date (one national rule set today)."""
    return _load(RULES_FILE)


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
    overdue: list[Rule]

    def as_dict(self) -> dict[str, Any]:
        return {
            "unit": {"id": self.unit.pk, "code": self.unit.code, "name": self.unit.name, "kind": self.unit.kind},
            "many_transactions": self.many_transactions,
            "last_published": {k: v.isoformat() if v else None for k, v in self.last.items()},
            "overdue": [r.id for r in self.overdue],
            "status": "overdue" if self.overdue else "ok",
        }


def village_status(villages: models.QuerySet[AdminUnit], today: dt.date | None = None) -> list[VillageStatus]:
    """Cadence status of each village/community in ``villages`` (two grouped queries in all)."""
    today = today or timezone.localdate()
    rs = rules(on=today)
    villages = villages.filter(level=Level.COMMUNITY).order_by("code")
    ids = list(villages.values_list("id", flat=True))
    many = set(AffairsProfile.objects.filter(unit_id__in=ids, many_transactions=True).values_list("unit_id", flat=True))
    published = Post.objects.filter(unit_id__in=ids, channel=Channel.AFFAIRS, state=State.PUBLISHED,
                                    published_at__lte=timezone.now())
    last: dict[str, dict[int, dt.datetime]] = {}
    for rule in rs.tracked():
        rows = published.filter(category__in=rule.categories).values("unit_id").annotate(last=models.Max("published_at"))
        last[rule.id] = {r["unit_id"]: r["last"] for r in rows}
    out = []
    for unit in villages:
        overdue = []
        for rule in rs.tracked():
            if rule.only_many_transactions and unit.pk not in many:
                continue
            seen = last[rule.id].get(unit.pk)
            if seen is None or timezone.localtime(seen).date() < months_before(today, rule.months):
                overdue.append(rule)
        out.append(VillageStatus(unit, unit.pk in many, {r.id: last[r.id].get(unit.pk) for r in rs.tracked()}, overdue))
    return out


def rules_payload(rs: RuleSet) -> dict[str, Any]:
    return {
        "name": rs.name, "effective": rs.effective.isoformat(), "citation": str(rs.citation),
        "citation_parts": {"instrument": rs.citation.instrument, "version": rs.citation.version,
                           "article": rs.citation.article, "confirmed_for_2026": rs.citation.confirmed_for_2026},
        "rules": [{"id": r.id, "title": r.title, "text": r.text, "months": r.months,
                   "only_many_transactions": r.only_many_transactions} for r in rs.rules],
    }
