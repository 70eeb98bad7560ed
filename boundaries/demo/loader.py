"""Write a planned demo into the database: one transaction, bulk inserts, progress for big scales.

Rows go in with ``bulk_create`` (houses with PostgreSQL COPY: a full demo holds ~200,000), so no
model signals fire and the demo load leaves no audit events; the geometry trigger still fills
``geom_3857`` and ``area_m2`` for every unit.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from django.contrib.gis.geos import GEOSGeometry
from django.db import connection, transaction
from shapely.geometry import MultiPolygon, Polygon

from boundaries.crs import STORAGE_SRID
from boundaries.levels import Level
from boundaries.models import AdminUnit, CommitteeRecord

from . import accounts, names
from .plan import CITY_CODE, DEMO_TOWN_CODE, DISTRICT_CODE, DemoPlan, build_plan, rng_for

Progress = Callable[[str], None]
BATCH = 2000


@dataclass(frozen=True)
class DemoInfo:
    """Codes and usernames of the demo's chosen units and accounts (stable for a seed)."""

    city: str = CITY_CODE
    district: str = DISTRICT_CODE
    town: str = DEMO_TOWN_CODE
    other_town: str = accounts.OTHER_TOWN_CODE
    community: str = ""
    neighbour_community: str = ""
    detail_communities: tuple[str, ...] = ()
    counts: tuple[int, ...] = ()
    houses: int = 0

    @property
    def usernames(self) -> dict[str, str]:
        return {
            "district_admin": "yubei_admin",
            "district_staff": "yubei_staff",
            "town_admin": "shuanglonghu_admin",
            "town_staff": "shuanglonghu_staff",
            "town_supervisor": "shuanglonghu_supervisor",
            "town_reviewer": "shuanglonghu_reviewer",
            "district_reviewer": "yubei_reviewer",
            "other_town_admin": "huixing_admin",
            "village_admin": f"{self.community}_admin",
            "village_staff": f"{self.community}_staff",
            "village_reviewer": f"{self.community}_reviewer",
            "neighbour_admin": f"{self.neighbour_community}_admin",
            "neighbour_staff": f"{self.neighbour_community}_staff",
            "resident": f"{self.community}_resident",
            "neighbour_resident": f"{self.neighbour_community}_resident",
            "superuser": "superadmin",
        }


def _to_geos(geoms: list[Any], plan: DemoPlan) -> list[Any]:
    arr = np.array([g if g is not None else shapely.Polygon() for g in geoms], dtype=object)
    lonlat = plan.frame.many_to_lonlat(arr)
    out: list[GEOSGeometry | None] = []  # MultiPolygons
    for g in lonlat:
        if g is None or g.is_empty:
            out.append(None)
            continue
        multi = MultiPolygon([g]) if isinstance(g, Polygon) else g
        out.append(GEOSGeometry(memoryview(shapely.to_wkb(multi)), srid=STORAGE_SRID))
    return out


def _insert_level(plan: DemoPlan, level: int, by_code: dict[str, AdminUnit], progress: Progress) -> None:
    specs = plan.units[level]
    total = len(specs)
    for start in range(0, total, BATCH):
        chunk = specs[start:start + BATCH]
        geoms = _to_geos([s.geom for s in chunk], plan)
        rows = []
        for spec, geom in zip(chunk, geoms, strict=True):
            parent = by_code.get(spec.parent_code) if spec.parent_code else None
            rows.append(AdminUnit(
                level=spec.level, kind=spec.kind, code=spec.code, name=spec.name, parent=parent,
                path=f"{parent.path if parent else ''}{spec.code}/", geom=geom, floors=spec.floors,
                height_m=spec.height_m, building_use=spec.building_use,
            ))
        for unit in AdminUnit.objects.bulk_create(rows):
            by_code[unit.code] = unit
        if total > BATCH:
            progress(f"  {Level(level).label}: {min(start + BATCH, total)}/{total}")


def _insert_committees(plan: DemoPlan, by_code: dict[str, AdminUnit]) -> None:
    records = []
    for spec in plan.units[Level.COMMUNITY]:
        rng = rng_for(plan.seed + 1, spec.code)
        town = by_code[spec.parent_code or ""]
        records.append(CommitteeRecord(
            unit=by_code[spec.code], name=spec.official_name, address=names.office_address(town.name, spec.name, rng),
            phone=names.office_phone(rng), members=names.committee_members(rng),
        ))
    CommitteeRecord.objects.bulk_create(records, batch_size=BATCH)


def _copy_houses(plan: DemoPlan, by_code: dict[str, AdminUnit], progress: Progress) -> None:
    total = len(plan.houses)
    step = 50_000
    with connection.cursor() as cur:
        with cur.copy("COPY adminunits_house (building_id, entrance, floor, room, area_m2) FROM STDIN") as copy:
            for i, h in enumerate(plan.houses, start=1):
                copy.write_row((by_code[h.building_code].pk, h.entrance, h.floor, h.room, h.area_m2))
                if total > step and i % step == 0:
                    progress(f"  房屋: {i}/{total}")


def units_exist() -> bool:
    return AdminUnit.objects.exists()


def wipe() -> None:
    """Remove the administrative tree and everything that hangs off it (users included)."""
    tables = ["adminunits_house", "adminunits_committeerecord", "accounts_department", "accounts_organisation",
              "accounts_user", "adminunits_adminunit"]
    with connection.cursor() as cur:
        cur.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")


def load_demo(scale: str = "default", seed: int | None = None, progress: Progress | None = None) -> DemoInfo:
    say: Progress = progress or (lambda _msg: None)
    say(f"planning the demo (scale {scale})")
    plan = build_plan(scale, seed) if seed is not None else build_plan(scale)
    counts = tuple(plan.count(level) for level in range(6))
    say(f"writing {sum(counts)} units and {len(plan.houses)} houses")
    by_code: dict[str, AdminUnit] = {}
    with transaction.atomic():
        for level in range(6):
            _insert_level(plan, level, by_code, say)
        _insert_committees(plan, by_code)
        _copy_houses(plan, by_code, say)
        accounts.create_organisations([u for u in by_code.values() if u.level <= Level.COMMUNITY])
        accounts.create_accounts(accounts.account_specs(
            by_code[plan.demo_community], by_code[plan.neighbour_community], by_code[DEMO_TOWN_CODE],
            by_code[accounts.OTHER_TOWN_CODE],
        ))
    with connection.cursor() as cur:
        cur.execute("ANALYZE adminunits_adminunit")
        cur.execute("ANALYZE adminunits_house")
    return DemoInfo(
        community=plan.demo_community, neighbour_community=plan.neighbour_community,
        detail_communities=tuple(plan.detail_communities), counts=counts, houses=len(plan.houses),
    )
