"""The demo round: every community but the demo one has a 2026 election, at different stages, some
stopped; rolls follow the eligibility rules; loading twice gives the same data."""
from __future__ import annotations

from typing import Any

import pytest
from population import demo as population_demo

from elections import demo
from elections.codes import Stage
from elections.models import Candidate, Election, Stop, Vetting, Voter

pytestmark = pytest.mark.django_db


def test_the_demo_round(demo: Any) -> None:  # noqa: F811 (the tiny demo's fixture)
    population_demo.generate("tiny")
    counts = demo_generate()
    assert counts["elections"] > 5
    stages = set(Election.objects.values_list("stage", flat=True))
    assert len(stages) >= 4 and Stage.ARCHIVED in stages
    assert not Election.objects.filter(unit=demo.community).exists()
    assert Election.objects.get(unit=demo.neighbour_community).stage == Stage.ROLL_PUBLISHED
    assert Voter.objects.count() == counts["voters"] > 0
    young = Voter.objects.filter(birth_date__gt=_minus_18(Election.objects.first().election_day))
    assert not young.filter(election=Election.objects.first()).exists()
    assert all(e.voters_count == e.voters.count() for e in Election.objects.all())
    assert Candidate.objects.exists() and Vetting.objects.exists()
    assert Stop.objects.count() == counts["stops"]
    first = sorted(Election.objects.values_list("unit__code", "stage", "election_day", "voters_count"))
    demo_generate()
    assert sorted(Election.objects.values_list("unit__code", "stage", "election_day", "voters_count")) == first


def demo_generate() -> dict[str, int]:
    return demo.generate(seed=2026)


def _minus_18(day: Any) -> Any:
    return day.replace(year=day.year - 18)
