"""The election calendar: planned dates per stage and the statutory deadlines computed from the rule set.

``evaluate`` answers ``POST /api/elections/evaluate/calendar/`` (writing nothing) and is what creating an
election, changing its calendar and publishing its roll call: a calendar whose roll is published fewer
days before election day than the rule requires is refused, naming the rule and its citation.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from .codes import STAGE_ORDER, Stage
from .lawbook import Applied, counting_offset, need

#: Stages that take place on election day.
ON_THE_DAY = (Stage.POLLING, Stage.COUNTING)


@dataclass
class Step:
    stage: str
    planned: dt.date | None
    deadline: dt.date | None = None  # the latest lawful date, where the law sets one
    ok: bool = True
    detail: str = ""
    applied: list[Applied] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"stage": self.stage, "label": Stage(self.stage).label,
                "planned": self.planned.isoformat() if self.planned else None,
                "deadline": self.deadline.isoformat() if self.deadline else None, "ok": self.ok,
                "detail": self.detail, "rules": [a.as_dict() for a in self.applied]}


@dataclass
class Deadlines:
    roll_publish_by: dt.date  # the roll is published on or before this day
    objections_until: dt.date  # objections are received until this day (from the actual publication)
    decision_days: int  # an objection is decided within this many days of receipt
    objection_days: int
    rules: dict[str, Applied] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"roll_publish_by": self.roll_publish_by.isoformat(),
                "objections_until": self.objections_until.isoformat(),
                "objection_days": self.objection_days, "decision_days": self.decision_days}


@dataclass
class Verdict:
    ok: bool
    election_day: dt.date
    steps: list[Step]
    deadlines: Deadlines
    errors: list[str]

    def as_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "election_day": self.election_day.isoformat(), "errors": self.errors,
                "deadlines": self.deadlines.as_dict(), "steps": [s.as_dict() for s in self.steps],
                "rules": [a.as_dict() for s in self.steps for a in s.applied]}

    def first_error(self) -> tuple[str, str]:
        """(message, citation) of the first failed rule, for a refusal."""
        for s in self.steps:
            for a in s.applied:
                if not a.ok:
                    return a.detail, str(a.rule.citation)
        return (self.errors[0] if self.errors else "", "")


def deadlines(*, election_day: dt.date, body: str, province: str | None,
              published_on: dt.date | None = None) -> Deadlines:
    on = election_day
    off = counting_offset(province=province, on=on)
    roll = need("roll_publish_days_before", body=body, province=province, on=on)
    objection = need("objection_days", body=body, province=province, on=on)
    decision = need("objection_decision_days", body=body, province=province, on=on)
    publish_by = election_day - dt.timedelta(days=int(roll.value) - off)
    start = published_on or publish_by
    return Deadlines(roll_publish_by=publish_by,
                     objections_until=start + dt.timedelta(days=int(objection.value) - off),
                     objection_days=int(objection.value), decision_days=int(decision.value),
                     rules={"roll": Applied(roll, True, ""), "objection": Applied(objection, True, ""),
                            "decision": Applied(decision, True, "")})


def decide_by(received: dt.date, *, election_day: dt.date, body: str, province: str | None) -> tuple[dt.date, Applied]:
    off = counting_offset(province=province, on=election_day)
    decision = need("objection_decision_days", body=body, province=province, on=election_day)
    due = received + dt.timedelta(days=int(decision.value) - off)
    return due, Applied(decision, True, f"收到之日 {received.isoformat()} 起 {decision.value} 日内，即 {due.isoformat()} 前")


def default_plan(election_day: dt.date, *, body: str, province: str | None, today: dt.date) -> dict[str, dt.date]:
    """A lawful plan to start from: the roll on the last lawful day, the later steps spaced after it."""
    d = deadlines(election_day=election_day, body=body, province=province)
    roll = d.roll_publish_by
    nomination = d.objections_until + dt.timedelta(days=1)
    return {
        Stage.REGISTRATION: min(today, roll), Stage.ROLL_PUBLISHED: roll, Stage.NOMINATION: nomination,
        Stage.CANDIDATES: min(nomination + dt.timedelta(days=3), election_day - dt.timedelta(days=5)),
        Stage.JOINT_REVIEW: min(nomination + dt.timedelta(days=4), election_day - dt.timedelta(days=4)),
        Stage.POLLING: election_day, Stage.COUNTING: election_day, Stage.RESULTS: election_day,
        Stage.HANDOVER: election_day + dt.timedelta(days=10),
    }


def parse_plan(raw: dict[str, Any]) -> dict[str, dt.date]:
    out: dict[str, dt.date] = {}
    for stage, value in (raw or {}).items():
        if stage not in STAGE_ORDER or value in (None, ""):
            continue
        out[stage] = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
    return out


def evaluate(*, election_day: dt.date, body: str, province: str | None, plan: dict[str, dt.date]) -> Verdict:
    d = deadlines(election_day=election_day, body=body, province=province, published_on=plan.get(Stage.ROLL_PUBLISHED))
    steps: list[Step] = []
    errors: list[str] = []
    previous: tuple[str, dt.date] | None = None
    for stage in STAGE_ORDER:
        planned = plan.get(stage)
        if stage == Stage.POLLING and planned is None:
            planned = election_day
        step = Step(stage=stage, planned=planned)
        if stage == Stage.ROLL_PUBLISHED:
            step.deadline = d.roll_publish_by
            r = d.rules["roll"].rule
            if planned is None:
                step.ok = False
                step.detail = "未安排选民名单公布日期"
            else:
                days = (election_day - planned).days
                step.ok = planned <= d.roll_publish_by
                step.detail = (f"选民名单于选举日前 {days} 天公布（{planned.isoformat()}），"
                               f"{'符合' if step.ok else '不符合'}“{r.title}”，最迟 {d.roll_publish_by.isoformat()}")
            step.applied.append(Applied(r, step.ok, step.detail))
        elif stage == Stage.NOMINATION and plan.get(Stage.ROLL_PUBLISHED) is not None:
            step.deadline = None
            r = d.rules["objection"].rule
            step.applied.append(Applied(r, True, f"异议受理至 {d.objections_until.isoformat()}"))
        if planned is not None:
            if stage in ON_THE_DAY and planned != election_day:
                step.ok = False
                step.detail = f"{Stage(stage).label}应在选举日（{election_day.isoformat()}）进行"
            elif stage_before_day(stage) and planned > election_day:
                step.ok = False
                step.detail = f"{Stage(stage).label}应在选举日之前"
            elif previous is not None and planned < previous[1]:
                step.ok = False
                step.detail = f"{Stage(stage).label}（{planned.isoformat()}）早于{Stage(previous[0]).label}（{previous[1].isoformat()}）"
            if not step.ok and step.detail and not step.applied:
                errors.append(step.detail)
            previous = (stage, planned)
        if not step.ok and step.applied:
            errors.append(f"{step.detail}（{step.applied[0].rule.citation}）")
        steps.append(step)
    return Verdict(ok=not errors, election_day=election_day, steps=steps, deadlines=d, errors=errors)


def stage_before_day(stage: str) -> bool:
    return STAGE_ORDER.index(stage) < STAGE_ORDER.index(Stage.POLLING)
