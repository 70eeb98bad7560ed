"""Statistics per unit for dashboards, in SQL (one round trip per figure group).

People are attached to units two ways: communities and above through the pool (pool → path
prefix), neighbourhoods and buildings through the house they live in (house → building → path).
Aggregates only, never a person.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connection, transaction

from boundaries.levels import Level
from boundaries.models import AdminUnit

from .codes import Sex, Tag

AGE_BANDS: list[tuple[int, int | None, str]] = [
    (0, 14, "0-14"), (15, 34, "15-34"), (35, 59, "35-59"), (60, 79, "60-79"), (80, None, "80+"),
]


def _scope(unit: AdminUnit) -> tuple[str, str, dict[str, Any]]:
    """FROM/WHERE fragment selecting the people of a unit.

    The ids of the pools (or buildings) are resolved first, so the planner sees ``pool_id = ANY``
    with real statistics instead of a path LIKE it underestimates (which made it sort on disk).
    """
    if unit.level <= Level.COMMUNITY:
        pools = list(AdminUnit.objects.filter(level=Level.COMMUNITY, path__startswith=unit.path)
                     .values_list("id", flat=True))
        return "population_person p", "p.pool_id = ANY(%(ids)s)", {"ids": pools}
    buildings = list(AdminUnit.objects.filter(level=Level.BUILDING, path__startswith=unit.path)
                     .values_list("id", flat=True))
    return (
        "population_person p JOIN adminunits_house h ON h.id = p.house_id",
        "h.building_id = ANY(%(ids)s)",
        {"ids": buildings},
    )


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _band_case(today: dt.date) -> str:
    """Age band from birth date by comparing with cut-off dates (no per-row age() call)."""
    parts = []
    for i, (_low, high, _label) in enumerate(AGE_BANDS):
        if high is None:
            parts.append(f"ELSE {i}")
        else:
            parts.append(f"WHEN p.birth_date > '{_years_before(today, high + 1).isoformat()}'::date THEN {i}")
    return "CASE " + " ".join(parts) + " END"


def unit_stats(unit: AdminUnit, today: dt.date | None = None) -> dict[str, Any]:
    """One pass over the unit's people for the pyramid, tags and placement; one for distinct counts."""
    today = today or dt.date.today()
    frm, where, extra = _scope(unit)
    params = {"prefix": unit.path + "%", "code": unit.code + "%", **extra}
    with transaction.atomic(), connection.cursor() as cur:
        # Hash aggregates over a few hundred thousand rows: give them memory instead of disk batches.
        cur.execute("SET LOCAL work_mem = '64MB'")
        # Group by the raw tag array and flags (a few hundred groups) and add up in Python: cheaper
        # than one FILTER (WHERE tags @> ...) per tag per row.
        cur.execute(
            f"""
            SELECT {_band_case(today)} AS band, p.sex, p.tags, p.hukou_code LIKE %(code)s, p.house_id IS NULL, count(*)
            FROM {frm} WHERE {where} AND p.status = 'active'
            GROUP BY 1, 2, 3, 4, 5
            """,
            params,
        )
        rows = cur.fetchall()
        if unit.level <= Level.COMMUNITY:
            cur.execute("SELECT count(*) FROM population_household WHERE unit_id = ANY(%(ids)s)", params)
            households = cur.fetchone()[0]
            houses_occupied = None
            if unit.level == Level.COMMUNITY:
                # Per house only for a community: for towns and the district it costs more than the
                # rest together; they read buildings_with_residents instead.
                cur.execute(
                    """
                    SELECT count(*) FROM adminunits_house h JOIN adminunits_adminunit b ON b.id = h.building_id
                    WHERE b.path LIKE %(prefix)s AND EXISTS (SELECT 1 FROM population_person p WHERE p.house_id = h.id)
                    """,
                    params,
                )
                houses_occupied = cur.fetchone()[0]
        else:
            cur.execute(
                f"""
                SELECT count(DISTINCT p.household_id), count(DISTINCT p.house_id)
                FROM {frm} WHERE {where} AND p.status = 'active'
                """,
                params,
            )
            households, houses_occupied = cur.fetchone()
        cur.execute(
            """
            SELECT count(*), coalesce(sum(r.residents), 0), coalesce(max(r.residents), 0),
                   count(*) FILTER (WHERE r.residents > 0)
            FROM adminunits_adminunit b LEFT JOIN population_buildingresidents r ON r.building_id = b.id
            WHERE b.level = %(level)s AND b.path LIKE %(prefix)s
            """,
            {**params, "level": Level.BUILDING},
        )
        buildings, building_residents, max_building, buildings_with_residents = cur.fetchone()
    pyramid = {label: {"male": 0, "female": 0} for _, _, label in AGE_BANDS}
    tags = dict.fromkeys(Tag.values, 0)
    total = registered_here = unplaced = 0
    for band, sex, tag_list, local, no_house, n in rows:
        pyramid[AGE_BANDS[band][2]]["male" if sex == Sex.MALE else "female"] += n
        total += n
        registered_here += n if local else 0
        unplaced += n if no_house else 0
        for t in tag_list or ():
            if t in tags:
                tags[t] += n
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
        "tags": [{"tag": t.value, "label": t.label, "count": tags[t.value]} for t in Tag],
        "buildings": buildings,
        "buildings_with_residents": buildings_with_residents,
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
