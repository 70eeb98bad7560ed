"""The rule set and the calendar: a roll published 19 days before election day is refused with the rule
cited, 20 days is accepted, through the evaluation endpoint and through creating an election (the same
function); eligibility on election day; the guard."""
from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from core import rules
from core.errors import DomainError

from elections import calendar, eligibility, services
from elections.codes import Body, Stage
from elections.models import Election, Event

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 12, 20)


def test_rules_have_citations_and_unconfirmed_chongqing_parameters() -> None:
    r = rules.get("elections.village_roll_publish_days_before", province="500000", on=DAY)
    assert r.value == 20
    assert "村民委员会组织法" in str(r.citation)
    cq = rules.get("elections.day_counting", province="500000", on=DAY)
    assert cq.confirmed is False and cq.province == "500000"
    old = rules.get("elections.village_roll_publish_days_before", on=dt.date(2024, 5, 1))
    assert old.confirmed is True and old.citation.article == "第十四条" and old.ruleset_version == "2018"


@pytest.mark.parametrize(("days", "ok"), [(19, False), (20, True), (25, True)])
def test_calendar_roll_days_before(days: int, ok: bool) -> None:
    plan = {Stage.REGISTRATION: DAY - dt.timedelta(days=30), Stage.ROLL_PUBLISHED: DAY - dt.timedelta(days=days)}
    v = calendar.evaluate(election_day=DAY, body=Body.VILLAGE, province="500000", plan=plan)
    assert v.ok is ok
    roll = next(s for s in v.steps if s.stage == Stage.ROLL_PUBLISHED)
    assert roll.deadline == DAY - dt.timedelta(days=20)
    assert roll.applied[0].rule.key == "elections.village_roll_publish_days_before"
    if not ok:
        assert "第十四条" in v.errors[0]


def test_objection_deadlines_from_publication() -> None:
    d = calendar.deadlines(election_day=DAY, body=Body.RESIDENTS, province="500000", published_on=dt.date(2026, 11, 20))
    assert d.objections_until == dt.date(2026, 11, 25)
    due, applied = calendar.decide_by(dt.date(2026, 11, 24), election_day=DAY, body=Body.RESIDENTS, province="500000")
    assert due == dt.date(2026, 11, 27)
    assert applied.rule.confirmed is False  # the Chongqing residents' rule: unconfirmed


def test_eligibility_age_on_election_day() -> None:
    e = eligibility.evaluate(eligibility.Case(birth_date=dt.date(2008, 12, 20)), election_day=DAY,
                             body=Body.VILLAGE, province="500000")
    assert e.eligible and e.age == 18
    e = eligibility.evaluate(eligibility.Case(birth_date=dt.date(2008, 12, 21)), election_day=DAY,
                             body=Body.VILLAGE, province="500000")
    assert not e.eligible and "未满18周岁" in e.reason_text
    e = eligibility.evaluate(eligibility.Case(birth_date=dt.date(1970, 1, 1), deprived_of_political_rights=True),
                             election_day=DAY, body=Body.VILLAGE, province="500000")
    assert not e.eligible and "剥夺政治权利" in e.reason_text


def test_evaluate_endpoints_write_nothing(actors: Any) -> None:
    client = actors.client("village_staff")
    before = (Election.objects.count(), Event.objects.count())
    r = client.post("/api/elections/evaluate/calendar/", {
        "election_day": "2026-12-20", "body": "village", "province": "500000",
        "plan": {"roll_published": "2026-12-01"}}, format="json")
    assert r.status_code == 200, r.content
    assert r.json()["ok"] is False
    assert any("第十四条" in e for e in r.json()["errors"])
    r = client.post("/api/elections/evaluate/calendar/", {
        "election_day": "2026-12-20", "body": "village", "province": "500000",
        "plan": {"roll_published": "2026-11-30"}}, format="json")
    assert r.json()["ok"] is True
    r = client.post("/api/elections/evaluate/eligibility/", {
        "birth_date": "2008-12-21", "election_day": "2026-12-20", "province": "500000"}, format="json")
    assert r.status_code == 200 and r.json()["eligible"] is False
    assert r.json()["rules"][0]["citation"].startswith("《中华人民共和国村民委员会组织法》")
    for bad in ({"birth_date": "x", "election_day": "2026-12-20"}, [], {"election_day": None},
                {"birth_date": "2000-01-01", "election_day": "2026-12-20", "body": "zzz"},
                {"birth_date": "2000-01-01", "election_day": "2026-12-20", "residence_years": "a"}):
        r = client.post("/api/elections/evaluate/eligibility/", bad, format="json")
        assert r.status_code == 400 and "code" in r.json()
    assert actors.client("anonymous").post("/api/elections/evaluate/calendar/", {}, format="json").status_code in (401, 403)
    assert (Election.objects.count(), Event.objects.count()) == before


def _create(actors: Any, demo: Any, days_before: int) -> Election:
    day = dt.date.today() + dt.timedelta(days=40)
    return services.create_election(actors.village_staff, demo.community, round="2026", election_day=day,
                                    plan={Stage.REGISTRATION: dt.date.today(),
                                          Stage.ROLL_PUBLISHED: day - dt.timedelta(days=days_before)})


def test_creating_an_election_uses_the_same_calendar_check(actors: Any, demo: Any) -> None:
    with pytest.raises(DomainError) as err:
        _create(actors, demo, 19)
    assert err.value.code == "calendar_unlawful" and "二十日前" in str(err.value.message)
    assert "《重庆市居民委员会选举办法》" in str(err.value.message)  # the demo community: a residents' committee
    e = _create(actors, demo, 20)
    assert e.stage == Stage.REGISTRATION and e.rule_version == "2026"
    assert e.events.filter(kind="created").exists()


def test_guard_refuses_out_of_stage_stopped_and_archived(actors: Any, demo: Any) -> None:
    e = _create(actors, demo, 20)
    services.ensure_writable(e, "roll")
    with pytest.raises(DomainError) as err:
        services.ensure_writable(e, "polling")
    assert err.value.code == "stage_order"
    services.report_stop(actors.village_staff, e, kind="meeting_invalid", reason="村民代表会议到会人数不足")
    e.refresh_from_db()
    with pytest.raises(DomainError) as err:
        services.ensure_writable(e, "roll")
    assert err.value.code == "election_stopped"
    stop = e.stops.get()
    with pytest.raises(DomainError) as err:
        services.authorise(actors.village_admin, stop, reason="我们自己批准")
    assert err.value.code == "not_guidance_body"
    services.authorise(actors.town_staff, stop, reason="已重新召开会议，到会人数符合要求")
    e.refresh_from_db()
    assert not e.stopped
    services.ensure_writable(e, "roll")
    Election.objects.filter(pk=e.pk).update(stage=Stage.ARCHIVED)
    e.refresh_from_db()
    with pytest.raises(DomainError) as err:
        services.ensure_writable(e, "advance")
    assert err.value.code == "election_archived"
