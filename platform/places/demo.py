"""Deterministic demo points: facilities, social organisations, resident units and events per community.

Same seed and same communities -> the same points (each community draws from its own generator
seeded by (seed, code)), so tests and screenshots stay stable when other communities change.
"""
from __future__ import annotations

import datetime as dt
import zlib
from collections.abc import Iterable

import numpy as np
import shapely
from django.contrib.gis.geos import Point
from django.db import transaction
from django.utils import timezone

from boundaries.levels import Level
from boundaries.models import AdminUnit

from .models import CommunityEvent, Facility, ResidentUnit, SocialOrganisation

FACILITIES = [
    ("elderly", "养老服务站", "08:30-17:30"), ("health", "社区卫生服务站", "08:00-20:00"),
    ("childcare", "儿童之家", "09:00-17:00"), ("culture", "文化活动室", "09:00-21:00"),
    ("sports", "全民健身广场", "全天"), ("police", "警务室", "24小时"),
]
ORGANISATIONS = [
    ("community_group", "志愿服务队"), ("community_group", "老年协会"), ("social_group", "书画协会"),
    ("non_profit", "社会工作服务站"), ("community_group", "邻里互助会"),
]
RESIDENT_UNITS = [
    ("school", "小学"), ("hospital", "医院"), ("government", "派出所"), ("enterprise", "物业服务有限公司"),
    ("enterprise", "商贸有限公司"), ("other", "邮政支局"),
]
EVENTS = [
    ("volunteer", "志愿服务日"), ("culture", "邻里文化节"), ("meeting", "院坝协商会"), ("publicity", "反诈宣传进社区"),
]


def _points(rng: np.random.Generator, polygon: shapely.Geometry, n: int) -> list[tuple[float, float]]:
    minx, miny, maxx, maxy = polygon.bounds
    shapely.prepare(polygon)
    out: list[tuple[float, float]] = []
    for _ in range(200):
        xs = rng.uniform(minx, maxx, 32)
        ys = rng.uniform(miny, maxy, 32)
        inside = shapely.contains_xy(polygon, xs, ys)
        out.extend(zip(xs[inside].tolist(), ys[inside].tolist(), strict=True))
        if len(out) >= n:
            break
    return out[:n]


def _ewkt(x: float, y: float) -> Point:
    return Point(round(x, 7), round(y, 7), srid=4490)


@transaction.atomic
def generate(communities: Iterable[AdminUnit], seed: int = 2026, replace: bool = True) -> dict[str, int]:
    with_geom = [c for c in communities if c.level == Level.COMMUNITY and c.geom is not None]
    ids = [c.id for c in with_geom]
    if replace:
        for model in (Facility, SocialOrganisation, ResidentUnit, CommunityEvent):
            model.objects.filter(unit_id__in=ids).delete()
    facilities: list[Facility] = []
    orgs: list[SocialOrganisation] = []
    runits: list[ResidentUnit] = []
    events: list[CommunityEvent] = []
    base_day = timezone.make_aware(dt.datetime(2026, 3, 1, 9, 0))
    for unit in with_geom:
        assert unit.geom is not None
        rng = np.random.default_rng([seed, zlib.crc32(unit.code.encode())])
        polygon = shapely.from_wkb(bytes(unit.geom.wkb))
        short = unit.name.removesuffix("社区").removesuffix("村委会").removesuffix("村")
        centre = polygon.point_on_surface()
        facilities.append(Facility(unit=unit, name=f"{unit.name}党群服务中心", category="service_centre",
                                   opening_hours="08:30-17:30", geom=_ewkt(centre.x, centre.y)))
        n_fac, n_org, n_ru, n_ev = (int(rng.integers(2, 5)), int(rng.integers(1, 3)), int(rng.integers(1, 4)),
                                    int(rng.integers(1, 3)))
        pts = iter(_points(rng, polygon, n_fac + n_org + n_ru + n_ev))
        for i in rng.choice(len(FACILITIES), n_fac, replace=False):
            cat, label, hours = FACILITIES[i]
            if (p := next(pts, None)) is not None:
                facilities.append(Facility(unit=unit, name=f"{short}{label}", category=cat, opening_hours=hours,
                                           geom=_ewkt(*p)))
        for i in rng.choice(len(ORGANISATIONS), n_org, replace=False):
            cat, label = ORGANISATIONS[i]
            if (p := next(pts, None)) is not None:
                orgs.append(SocialOrganisation(unit=unit, name=f"{short}{label}", category=cat, geom=_ewkt(*p)))
        for i in rng.choice(len(RESIDENT_UNITS), n_ru, replace=False):
            cat, label = RESIDENT_UNITS[i]
            if (p := next(pts, None)) is not None:
                runits.append(ResidentUnit(unit=unit, name=f"渝北区{short}{label}", category=cat, geom=_ewkt(*p)))
        for i in rng.choice(len(EVENTS), n_ev, replace=False):
            cat, label = EVENTS[i]
            if (p := next(pts, None)) is not None:
                start = base_day + dt.timedelta(days=int(rng.integers(0, 120)), hours=int(rng.integers(0, 8)))
                events.append(CommunityEvent(unit=unit, name=f"{short}{label}", category=cat, starts_at=start,
                                             ends_at=start + dt.timedelta(hours=2), geom=_ewkt(*p)))
    Facility.objects.bulk_create(facilities, batch_size=2000)
    SocialOrganisation.objects.bulk_create(orgs, batch_size=2000)
    ResidentUnit.objects.bulk_create(runits, batch_size=2000)
    CommunityEvent.objects.bulk_create(events, batch_size=2000)
    return {"facility": len(facilities), "organisation": len(orgs), "resident_unit": len(runits),
            "event": len(events)}
