"""The Yubei demo: real codes and names, exact tiling of every parent, sane buildings, determinism."""
from __future__ import annotations

import csv
from typing import Any

import pytest
import shapely
from django.db import connection

from boundaries.codes import kind_from_statistical_code, validate_code
from boundaries.demo.names import short_unit_name
from boundaries.demo.plan import DATA_DIR, _plan_neighbourhoods, build_plan
from boundaries.levels import BuildingUse, Kind, Level
from boundaries.models import AdminUnit, CommitteeRecord, House

pytestmark = pytest.mark.django_db


def _real_rows() -> dict[str, dict[str, str]]:
    with open(DATA_DIR / "chongqing-divisions-2023.csv", encoding="utf-8") as fh:
        return {r["code"]: r for r in csv.DictReader(fh) if r["code"].startswith("500112")}


def test_real_codes_names_and_kinds(demo: Any) -> None:
    real = _real_rows()
    assert AdminUnit.objects.filter(level=Level.DISTRICT).count() == 1
    towns = {u.code: u for u in AdminUnit.objects.filter(level=Level.TOWN)}
    communities = {u.code: u for u in AdminUnit.objects.filter(level=Level.COMMUNITY)}
    assert len(towns) == 30 and len(communities) == 412
    assert set(towns) == {c for c, r in real.items() if r["level"] == "town"}
    assert set(communities) == {c for c, r in real.items() if r["level"] == "village"}
    for code, unit in {**towns, **communities}.items():
        assert unit.kind == kind_from_statistical_code(code, real[code]["name"])
        assert unit.name == short_unit_name(real[code]["name"])
        assert unit.parent.code == real[code]["parent_code"]
    assert sum(u.kind == Kind.VILLAGE for u in communities.values()) == 173
    assert CommitteeRecord.objects.count() == 412
    assert CommitteeRecord.objects.get(unit=demo.community).name == "五星路社区居民委员会"


def test_every_code_fits_the_scheme(demo: Any) -> None:
    for unit in AdminUnit.objects.exclude(level=Level.CITY).select_related("parent"):
        validate_code(unit.code, unit.level, unit.kind, unit.parent.code)
        assert unit.path == f"{unit.parent.path}{unit.code}/"


TILING_SQL = """
SELECT p.code,
       ST_Area(ST_Transform(p.geom, 4545)) AS parent_area,
       ST_Area(ST_Transform(ST_Union(c.geom), 4545)) AS union_area,
       SUM(ST_Area(ST_Transform(c.geom, 4545))) AS sum_area,
       bool_and(ST_NumGeometries(c.geom) = 1) AS single_parts
FROM adminunits_adminunit p JOIN adminunits_adminunit c ON c.parent_id = p.id
WHERE p.level BETWEEN 1 AND 3 AND c.level <= 4
GROUP BY p.id
"""


def test_children_tile_their_parent(demo: Any) -> None:
    with connection.cursor() as cur:
        cur.execute(TILING_SQL)
        rows = cur.fetchall()
    # The district, its 30 towns and the detailed communities all have children.
    assert len(rows) >= 1 + 30 + 3
    for code, parent_area, union_area, sum_area, single in rows:
        assert union_area == pytest.approx(parent_area, rel=1e-3), code  # no gaps
        assert sum_area == pytest.approx(union_area, rel=1e-6), code  # no overlaps
        assert single, code


def test_demo_area_is_yubei_sized(demo: Any) -> None:
    # Yubei district covers about 1,452 km² (the outline is approximate).
    assert demo.district.area_m2 / 1e6 == pytest.approx(1452, rel=0.02)


def test_buildings_are_plausible(demo: Any) -> None:
    buildings = AdminUnit.objects.filter(level=Level.BUILDING, path__startswith=demo.community.path)
    assert buildings.count() > 20
    for b in buildings.select_related("parent"):
        assert b.parent.level == Level.NEIGHBOURHOOD and b.parent.geom.covers(b.geom)
        assert b.floors and b.height_m and b.height_m >= b.floors * 2.5
        if b.building_use == BuildingUse.RESIDENTIAL:
            assert 6 <= b.floors <= 33
        assert 100 < b.area_m2 < 2000  # footprints of tens of metres
    houses = House.objects.filter(building__path__startswith=demo.community.path)
    residential = buildings.filter(building_use=BuildingUse.RESIDENTIAL).first()
    assert houses.filter(building=residential).count() >= residential.floors * 2
    assert houses.filter(building=residential).values("floor").distinct().count() == residential.floors


def test_same_seed_same_data_other_seed_other_data() -> None:
    a, b, c = build_plan("tiny", 7), build_plan("tiny", 7), build_plan("tiny", 8)
    wkb = lambda p: [shapely.to_wkb(u.geom) for u in p.units[Level.COMMUNITY]]  # noqa: E731
    assert wkb(a) == wkb(b)
    assert [u.code for u in a.units[Level.BUILDING]] == [u.code for u in b.units[Level.BUILDING]]
    assert wkb(a) != wkb(c)


def test_rural_villages_get_villager_groups_and_low_houses() -> None:
    plan = build_plan("tiny")
    village = next(u for u in plan.units[Level.COMMUNITY] if u.kind == Kind.VILLAGE)
    _plan_neighbourhoods(plan, village, density=1.0, with_houses=True)
    groups = [u for u in plan.units[Level.NEIGHBOURHOOD] if u.kind == Kind.VILLAGER_GROUP]
    assert groups and all(500 < int(u.code[-3:]) < 1000 for u in groups)
    rural = [u for u in plan.units[Level.BUILDING] if u.building_use == BuildingUse.RURAL_HOUSE]
    assert rural and all(1 <= u.floors <= 3 for u in rural)
    assert all(h.floor == 1 for h in plan.houses if h.building_code.startswith(village.code))


def test_boundary_consistency_report_is_clean(demo: Any) -> None:
    """The boundaries app's own coverage check (gaps, overlaps, unmatched shared edges) finds nothing:
    shared edges are vertex-for-vertex identical across every level."""
    from boundaries.consistency import subtree_report

    report = subtree_report(demo.district, include_geometry=False)
    assert report["parents_checked"] >= 1 + 30 + 3
    assert report["summary"] == {}, report["summary"]
