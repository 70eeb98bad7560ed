from __future__ import annotations

import pytest

from population import demo, ids
from population.models import BuildingResidents, Person

pytestmark = pytest.mark.django_db


def test_tiny_demo_population_is_valid_and_deterministic(world) -> None:
    out = demo.generate("tiny", seed=7)
    assert Person.objects.count() == out["people"] > 3000
    assert Person.objects.filter(pool__isnull=True).count() == out["city_only"] > 0
    placed = Person.objects.filter(house__isnull=False)
    assert placed.count() == out["placed"] > 0
    # Every placed person lives in a house of their own pool's community.
    assert not placed.exclude(house__building__path__startswith=models_pool_path()).exists()
    assert sum(BuildingResidents.objects.values_list("residents", flat=True)) == out["placed"]
    sample = list(Person.objects.order_by("id")[:300])
    for p in sample:
        rid = ids.parse_id(p.id_number)  # real check digit, real birth date
        assert rid.birth_date == p.birth_date and rid.sex == p.sex and rid.region_code == p.region_code
        # The demo's COPY writes the stored masked forms too.
        assert p.id_masked == ids.mask_id(rid.number) and p.phone_masked == ids.mask_phone(p.phone)
    assert sum(p.region_code.startswith("50") for p in sample) > 200  # mostly Chongqing region codes
    assert any(not p.hukou_code.startswith(p.pool.code) for p in sample if p.pool_id)  # registered elsewhere
    old = Person.objects.filter(birth_date__year__lte=1965).count() / out["people"]
    assert 0.12 < old < 0.35  # 60+ is about 22 % in the 2020 census
    first = [(p.name, p.birth_date, p.sex) for p in sample[:50]]
    demo.wipe()
    demo.generate("tiny", seed=7)
    again = [(p.name, p.birth_date, p.sex) for p in Person.objects.order_by("id")[:50]]
    assert first == again


def models_pool_path():
    from django.db.models import F

    return F("pool__path")
