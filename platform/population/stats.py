"""Statistics per unit for dashboards, in SQL (one round trip per figure group).

People are attached to units two ways: communities and above through the pool (pool → path
prefix), neighbourhoods and buildings through the house they live in (house → building → path).
Aggregates only, never a person.
"""
from __future__ import annotations

from typing import Any

from django.db import connection

from boundaries.levels import Level
from boundaries.models import AdminUnit

from .codes import Sex, Tag

AGE_BANDS: list[tuple[int, int | None, str]] = [
    (0, 14, "0-14"), (15, 34, "15-34"), (35, 59, "35-59"), (60, 79, "60-79"), (80, None, "80+"),
]


def _scope(unit: AdminUnit) -> tuple[str, str]:
    """FROM/WHERE fragment selecting the people of a unit."""
    if unit.level <= Level.COMMUNITY:
        return (
            "population_person p JOIN adminunits_adminunit u ON u.id = p.pool_id",
            "u.path LIKE %(prefix)s",
        )
    return (
        "population_person p JOIN adminunits_house h ON h.id = p.house_id "
        "JOIN adminunits_adminunit u ON u.id = h.building_id",
        "u.path LIKE %(prefix)s",
    )


def _band_case() -> str:
    parts = []
    for low, high, label in AGE_BANDS:
        cond = f"age >= {low}" + (f" AND age <= {high}" if high is not None else "")
        parts.append(f"WHEN {cond} THEN '{label}'")
    return "CASE " + " ".join(parts) + " END"


def unit_stats(unit: AdminUnit) -> dict[str, Any]:
    frm, where = _scope(unit)
    params = {"prefix": unit.path + "%", "code": unit.code + "%"}
    with connection.cursor() as cur:
        cur.execute(
            f"""
            WITH people AS (
              SELECT p.sex, p.tags, p.household_id, p.house_id, p.hukou_code,
                     date_part('year', age(current_date, p.birth_date))::int AS age
              FROM {frm} WHERE {where} AND p.status = 'active'
            )
            SELECT {_band_case()} AS band, sex, count(*),
                   count(*) FILTER (WHERE hukou_code LIKE %(code)s) AS registered_here
            FROM people GROUP BY 1, 2
            """,
            params,
        )
        pyramid_rows = cur.fetchall()
        cur.execute(
            f"""
            SELECT count(DISTINCT p.household_id), count(DISTINCT p.house_id),
                   count(*) FILTER (WHERE p.house_id IS NULL)
            FROM {frm} WHERE {where} AND p.status = 'active'
            """,
            params,
        )
        households, houses_occupied, unplaced = cur.fetchone()
        cur.execute(
            f"""
            SELECT t, count(*) FROM {frm} CROSS JOIN LATERAL unnest(p.tags) AS t
            WHERE {where} AND p.status = 'active' AND p.tags <> '{{}}' GROUP BY t
            """,
            params,
        )
        tags = dict(cur.fetchall())
        cur.execute(
            """
            SELECT count(*), coalesce(sum(r.residents), 0), coalesce(max(r.residents), 0)
            FROM adminunits_adminunit b LEFT JOIN population_buildingresidents r ON r.building_id = b.id
            WHERE b.level = %(level)s AND b.path LIKE %(prefix)s
            """,
            {**params, "level": Level.BUILDING},
        )
        buildings, building_residents, max_building = cur.fetchone()
    pyramid = {label: {"male": 0, "female": 0} for _, _, label in AGE_BANDS}
    total = registered_here = 0
    for band, sex, n, local in pyramid_rows:
        pyramid[band]["male" if sex == Sex.MALE else "female"] += n
        total += n
        registered_here += local
    return {
        "unit": {"id": unit.pk, "code": unit.code, "name": unit.name, "level": unit.level},
        "population": total,
        "male": sum(v["male"] for v in pyramid.values()),
        "female": sum(v["female"] for v in pyramid.values()),
        "registered_here": registered_here,
        "age_sex": [{"band": k, **v} for k, v in pyramid.items()],
        "households": households,
        "houses_occupied": houses_occupied,
        "not_placed_in_house": unplaced,
        "tags": [{"tag": t.value, "label": t.label, "count": tags.get(t.value, 0)} for t in Tag],
        "buildings": buildings,
        "residents_in_buildings": building_residents,
        "residents_per_building": round(building_residents / buildings, 2) if buildings else 0,
        "max_residents_in_a_building": max_building,
    }


def resident_counts_by_building(parent: AdminUnit | None = None) -> dict[int, int]:
    """Residents per building id (the table the tiles join: population_buildingresidents)."""
    sql = "SELECT r.building_id, r.residents FROM population_buildingresidents r"
    params: list[Any] = []
    if parent is not None:
        sql += " JOIN adminunits_adminunit b ON b.id = r.building_id WHERE b.path LIKE %s"
        params.append(parent.path + "%")
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return dict(cur.fetchall())
