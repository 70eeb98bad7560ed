"""Reading the election rule set: one function picks the rule for a body, a province and a day.

Rules that differ between villages and residents' committees have a body-specific key
(``elections.village_roll_publish_days_before``, ``elections.residents_seats``); rules common to both
have a plain key (``elections.term_years``). ``rule(name, body=..., province=..., on=...)`` looks for
the body's key first, then the plain one, and answers None when neither law says anything (a rule
that does not apply is not checked).
"""
from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from typing import Any

from core import rules
from core.rules import Rule, RuleNotFound


def rule(name: str, *, body: str, province: str | None, on: dt.date) -> Rule | None:
    # Memoised per rule book: the pool import asks the same few questions for every person of a
    # community (20,000 times); tests that swap the book (rules.use) get a fresh cache key.
    return _rule(id(rules.book()), name, body, province, on)


@functools.lru_cache(maxsize=4096)
def _rule(_book: int, name: str, body: str, province: str | None, on: dt.date) -> Rule | None:
    for key in (f"elections.{body}_{name}", f"elections.{name}"):
        try:
            return rules.get(key, province=province, on=on)
        except RuleNotFound:
            continue
    return None


def need(name: str, *, body: str, province: str | None, on: dt.date) -> Rule:
    found = rule(name, body=body, province=province, on=on)
    if found is None:
        raise RuleNotFound(f"no election rule {name!r} for {body} in {province} on {on}")
    return found


@dataclass(frozen=True)
class Applied:
    """A rule applied to a case: what it says, whether the case satisfies it, and why."""

    rule: Rule
    ok: bool
    detail: str

    def as_dict(self) -> dict[str, Any]:
        return {"key": self.rule.key, "title": self.rule.title, "value": self.rule.value, "ok": self.ok,
                "detail": self.detail, "confirmed": self.rule.confirmed, "citation": str(self.rule.citation),
                "ruleset": self.rule.ruleset, "ruleset_version": self.rule.ruleset_version}


def counting_offset(*, province: str | None, on: dt.date) -> int:
    """Days to subtract from a period when the province counts the first day in (``inclusive``)."""
    try:
        r = rules.get("elections.day_counting", province=province, on=on)
    except RuleNotFound:
        return 0
    return 1 if r.value == "inclusive" else 0


def ruleset_of(*, body: str, province: str | None, on: dt.date) -> tuple[str, str]:
    """The name and version of the rule set an election on ``on`` runs under (shown on the election)."""
    r = need("roll_publish_days_before", body=body, province=province, on=on)
    return r.ruleset, r.ruleset_version
