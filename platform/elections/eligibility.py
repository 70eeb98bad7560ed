"""Who may vote (选民资格): one function decides a case and names the rules it applied.

``evaluate`` is what ``POST /api/elections/evaluate/eligibility/`` answers (writing nothing) and what the
roll import from the population pool calls for every person, so the clerk sees exactly the reasons the
inspectable endpoint gives.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from .codes import Category
from .lawbook import Applied, need, rule


def age_on(birth: dt.date, day: dt.date) -> int:
    """Full years of age on ``day`` (a birthday on 29 February counts on 1 March in other years)."""
    years = day.year - birth.year
    if (day.month, day.day) < (birth.month, birth.day):
        years -= 1
    return years


@dataclass
class Case:
    birth_date: dt.date
    category: str = Category.HUKOU_RESIDENT
    deprived_of_political_rights: bool = False
    residence_years: float | None = None  # non-户籍 residents: how long they have lived here
    applied_and_accepted: bool = False  # non-户籍 residents: applied and accepted by the assembly
    wishes_to_vote: bool = True  # 户籍 here, living elsewhere: said they will take part
    on_other_roll: bool = False  # already registered elsewhere in the round


@dataclass
class Verdict:
    eligible: bool
    age: int
    reasons: list[str] = field(default_factory=list)
    applied: list[Applied] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"eligible": self.eligible, "age": self.age, "reasons": self.reasons,
                "rules": [a.as_dict() for a in self.applied]}

    @property
    def reason_text(self) -> str:
        return "；".join(self.reasons)


def evaluate(case: Case, *, election_day: dt.date, body: str, province: str | None) -> Verdict:
    on = election_day
    applied: list[Applied] = []
    reasons: list[str] = []

    min_age = need("voter_min_age", body=body, province=province, on=on)
    age = age_on(case.birth_date, election_day)
    old_enough = age >= int(min_age.value)
    applied.append(Applied(min_age, old_enough, f"选举日 {election_day.isoformat()} 时 {age} 周岁"))
    if not old_enough:
        reasons.append(f"选举日未满{min_age.value}周岁（{age}周岁）")

    rights = Applied(min_age, not case.deprived_of_political_rights,
                     "依照法律被剥夺政治权利" if case.deprived_of_political_rights else "未被剥夺政治权利")
    applied.append(rights)
    if case.deprived_of_political_rights:
        reasons.append("依照法律被剥夺政治权利")

    if case.category not in Category.values:
        reasons.append("未知的登记类别")
    elif case.category == Category.HUKOU_AWAY:
        ok = case.wishes_to_vote
        applied.append(Applied(min_age, ok, "户籍在本地、不在本地居住：本人表示参加选举" if ok
                               else "户籍在本地、不在本地居住：本人未表示参加选举"))
        if not ok:
            reasons.append("户籍在本地但不在本地居住，本人未表示参加选举")
    elif case.category == Category.RESIDENT_ACCEPTED:
        years_rule = need("nonhukou_residence_years", body=body, province=province, on=on)
        lived = case.residence_years or 0
        ok = lived >= float(years_rule.value) and case.applied_and_accepted
        detail = f"居住 {lived:g} 年；{'已申请并经村(居)民会议或代表会议同意' if case.applied_and_accepted else '未经申请和同意'}"
        applied.append(Applied(years_rule, ok, detail))
        if lived < float(years_rule.value):
            reasons.append(f"户籍不在本地，居住未满{years_rule.value}年")
        if not case.applied_and_accepted:
            reasons.append("户籍不在本地，需本人申请并经村(居)民会议或村(居)民代表会议同意")

    one_roll = rule("one_roll_only", body=body, province=province, on=on)
    if one_roll is not None:
        applied.append(Applied(one_roll, not case.on_other_roll,
                               "已在其他村(社区)登记" if case.on_other_roll else "未在其他村(社区)登记"))
        if case.on_other_roll:
            reasons.append("已在其他村(社区)的选民名单上")
    return Verdict(eligible=not reasons, age=age, reasons=reasons, applied=applied)
