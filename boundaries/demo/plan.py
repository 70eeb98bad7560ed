"""Plan the demo tree in memory (no database): real Yubei levels 1-3, invented levels 4-5.

The district (渝北区, 500112), its 30 towns/subdistricts and 412 villages/communities carry their
real statistical codes and names (data/chongqing-divisions-2023.csv) and the district its real
outline (data/chongqing-districts.geojson). The outline is subdivided deterministically:
subdistricts (街道) cluster around the urban core in the south-west, towns (镇) spread over the
rest; inside a town, communities (社区) cluster around the town seat and villages (村) spread.
Each unit draws from its own random stream ``default_rng([seed, code])``, so a unit's children do
not change when another part of the tree is generated or left out.
"""
from __future__ import annotations

import csv
import json
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from boundaries.codes import kind_from_statistical_code
from boundaries.levels import BuildingUse, Kind, Level

from . import names
from .geometry import MetricFrame, grid_footprints, node_shared_vertices, sample_points, voronoi_tiles

DATA_DIR = Path(__file__).resolve().parents[2] / "data"
CITY_CODE, CITY_NAME = "500000", "重庆市"
DISTRICT_CODE = "500112"
DEMO_TOWN_CODE = "500112002"  # 双龙湖街道
# Urban core of Yubei (around 新牌坊/龙溪, south-west of the district), longitude/latitude.
URBAN_CORE_LONLAT = (106.545, 29.66)
DEFAULT_SEED = 2026


@dataclass(frozen=True)
class Scale:
    name: str
    all_details: bool  # neighbourhoods and buildings in every community (else the demo few)
    density_elsewhere: float  # building density outside the demo town (the demo town is always 1.0)
    houses_everywhere: bool = False


SCALES: dict[str, Scale] = {
    "tiny": Scale("tiny", all_details=False, density_elsewhere=0.0),
    "default": Scale("default", all_details=True, density_elsewhere=0.15),
    "full": Scale("full", all_details=True, density_elsewhere=1.0),
}


@dataclass
class UnitSpec:
    code: str
    name: str
    level: int
    kind: str
    parent_code: str | None
    geom: BaseGeometry | None = None  # metric frame
    floors: int | None = None
    height_m: float | None = None
    building_use: str = ""
    official_name: str = ""  # level 3: the committee's full name


@dataclass
class HouseSpec:
    building_code: str
    entrance: str
    floor: int
    room: str
    area_m2: float


@dataclass
class DemoPlan:
    seed: int
    scale: Scale
    frame: MetricFrame
    units: dict[int, list[UnitSpec]] = field(default_factory=lambda: {lvl: [] for lvl in range(6)})
    houses: list[HouseSpec] = field(default_factory=list)
    demo_community: str = ""
    neighbour_community: str = ""
    detail_communities: list[str] = field(default_factory=list)

    def count(self, level: int) -> int:
        return len(self.units[level])


def rng_for(seed: int, code: str) -> np.random.Generator:
    return np.random.default_rng([seed, int(code)])


def read_divisions(district_code: str = DISTRICT_CODE) -> list[dict[str, str]]:
    with open(DATA_DIR / "chongqing-divisions-2023.csv", encoding="utf-8", newline="") as fh:
        return [r for r in csv.DictReader(fh) if r["code"].startswith(district_code)]


def read_outline(district_code: str = DISTRICT_CODE) -> BaseGeometry:
    with open(DATA_DIR / "chongqing-districts.geojson", encoding="utf-8") as fh:
        for feature in json.load(fh)["features"]:
            if feature["properties"]["code"] == district_code:
                return shapely.make_valid(shape(feature["geometry"]))
    raise LookupError(f"district {district_code} not in the outlines file")


def _split(
    parent: BaseGeometry,
    urban: list[str],
    rural: list[str],
    rng: np.random.Generator,
    seat: tuple[float, float],
) -> dict[str, BaseGeometry]:
    """Cells for ``urban`` codes clustered at ``seat`` and ``rural`` codes spread over the rest."""
    size = math.sqrt(parent.area)
    sigma = size * (0.25 if not rural else 0.10)
    seeds_u = sample_points(parent, len(urban), rng, centre=seat, sigma=sigma) if urban else np.empty((0, 2))
    if len(seeds_u):
        # Lowest code nearest the seat: 双龙湖 (002) is the most central subdistrict.
        seeds_u = seeds_u[np.argsort(np.hypot(seeds_u[:, 0] - seat[0], seeds_u[:, 1] - seat[1]))]
    keep_out = (seat, size * (0.22 if urban else 0.0))
    seeds_r = sample_points(parent, len(rural), rng, min_distance_from=keep_out) if rural else np.empty((0, 2))
    cells = voronoi_tiles(parent, np.concatenate([seeds_u, seeds_r]))
    return dict(zip(urban + rural, cells, strict=True))


def _seat(geom: BaseGeometry) -> tuple[float, float]:
    c = geom.centroid if geom.contains(geom.centroid) else geom.point_on_surface()
    return (c.x, c.y)


def build_plan(scale: str = "default", seed: int = DEFAULT_SEED) -> DemoPlan:
    rows = read_divisions()
    outline = read_outline()
    c = outline.centroid
    frame = MetricFrame(round(c.x, 3), round(c.y, 3))
    plan = DemoPlan(seed=seed, scale=SCALES[scale], frame=frame)
    district_row = next(r for r in rows if r["code"] == DISTRICT_CODE)
    towns = sorted((r for r in rows if r["level"] == "town"), key=lambda r: r["code"])
    villages = sorted((r for r in rows if r["level"] == "village"), key=lambda r: r["code"])

    plan.units[Level.CITY].append(UnitSpec(CITY_CODE, CITY_NAME, Level.CITY, Kind.CITY, None))
    district_geom = frame.to_metric(outline)
    plan.units[Level.DISTRICT].append(UnitSpec(
        DISTRICT_CODE, district_row["name"], Level.DISTRICT,
        kind_from_statistical_code(DISTRICT_CODE, district_row["name"]), CITY_CODE, district_geom,
    ))

    core = frame.to_metric(shapely.Point(URBAN_CORE_LONLAT))
    core_xy = (core.x, core.y) if district_geom.contains(core) else _seat(district_geom)
    kinds = {r["code"]: kind_from_statistical_code(r["code"], r["name"]) for r in towns}
    town_cells = _split(
        district_geom,
        [r["code"] for r in towns if kinds[r["code"]] == Kind.SUBDISTRICT],
        [r["code"] for r in towns if kinds[r["code"]] != Kind.SUBDISTRICT],
        rng_for(seed, DISTRICT_CODE),
        core_xy,
    )
    for r in towns:
        plan.units[Level.TOWN].append(UnitSpec(r["code"], r["name"], Level.TOWN, kinds[r["code"]], DISTRICT_CODE,
                                               town_cells[r["code"]]))

    community_geoms: dict[str, BaseGeometry] = {}
    for town in plan.units[Level.TOWN]:
        members = [r for r in villages if r["parent_code"] == town.code]
        vkinds = {r["code"]: kind_from_statistical_code(r["code"], r["name"]) for r in members}
        cells = _split(
            town.geom,
            [r["code"] for r in members if vkinds[r["code"]] == Kind.COMMUNITY],
            [r["code"] for r in members if vkinds[r["code"]] == Kind.VILLAGE],
            rng_for(seed, town.code),
            _seat(town.geom),
        )
        for r in members:
            community_geoms[r["code"]] = cells[r["code"]]
            plan.units[Level.COMMUNITY].append(UnitSpec(
                r["code"], names.short_unit_name(r["name"]), Level.COMMUNITY, vkinds[r["code"]], town.code,
                cells[r["code"]], official_name=r["name"],
            ))

    _choose_demo_communities(plan, community_geoms)
    for community in plan.units[Level.COMMUNITY]:
        in_demo_town = community.parent_code == DEMO_TOWN_CODE
        if not (plan.scale.all_details or community.code in plan.detail_communities):
            continue
        density = 1.0 if in_demo_town else plan.scale.density_elsewhere
        houses = plan.scale.houses_everywhere or (
            in_demo_town and (plan.scale.all_details or community.code in plan.detail_communities)
        )
        _plan_neighbourhoods(plan, community, density, houses)
    # Shared edges vertex-for-vertex identical across levels 1-4 (no slivers, no unmatched edges).
    tiled = [u for level in range(Level.DISTRICT, Level.BUILDING) for u in plan.units[level]]
    for unit, geom in zip(tiled, node_shared_vertices([u.geom for u in tiled]), strict=True):
        unit.geom = geom
    return plan


def _choose_demo_communities(plan: DemoPlan, geoms: dict[str, BaseGeometry]) -> None:
    """The demo community is the demo town's first; its neighbour the lowest-coded one touching it."""
    town_codes = sorted(code for code in geoms if code.startswith(DEMO_TOWN_CODE))
    first = town_codes[0]
    touching = [code for code in town_codes[1:] if shapely.intersection(geoms[first], geoms[code]).length > 1.0]
    neighbour = touching[0] if touching else town_codes[1]
    third = next(code for code in (touching[1:] + town_codes[1:]) if code != neighbour)
    plan.demo_community, plan.neighbour_community = first, neighbour
    plan.detail_communities = [first, neighbour, third]


# Building types: (use, probability) and floors, by setting.
_URBAN_USES = ((BuildingUse.RESIDENTIAL, 0.78), (BuildingUse.MIXED, 0.08), (BuildingUse.COMMERCIAL, 0.08),
               (BuildingUse.PUBLIC, 0.06))
_RURAL_USES = ((BuildingUse.RURAL_HOUSE, 0.9), (BuildingUse.INDUSTRIAL, 0.07), (BuildingUse.PUBLIC, 0.03))
_HIGH_RISE_FLOORS = np.array([6, 7, 9, 11, 18, 24, 26, 28, 30, 32, 33])
_HIGH_RISE_P = np.array([0.10, 0.08, 0.06, 0.10, 0.12, 0.10, 0.10, 0.10, 0.10, 0.07, 0.07])


def _pick(rng: np.random.Generator, table: tuple[tuple[str, float], ...]) -> str:
    uses, p = zip(*table, strict=True)
    return str(uses[int(rng.choice(len(uses), p=np.array(p) / sum(p)))])


def _floors_height(rng: np.random.Generator, use: str) -> tuple[int, float]:
    if use == BuildingUse.RESIDENTIAL:
        floors = int(rng.choice(_HIGH_RISE_FLOORS, p=_HIGH_RISE_P))
        return floors, round(floors * 3.0 + 1.5, 1)
    if use == BuildingUse.MIXED:
        floors = int(rng.integers(12, 34))
        return floors, round(floors * 3.1 + 3.0, 1)
    if use == BuildingUse.COMMERCIAL:
        floors = int(rng.integers(3, 9))
        return floors, round(floors * 4.5, 1)
    if use == BuildingUse.PUBLIC:
        floors = int(rng.integers(2, 6))
        return floors, round(floors * 4.0, 1)
    if use == BuildingUse.INDUSTRIAL:
        floors = int(rng.integers(1, 3))
        return floors, round(6.0 + floors * 2.0, 1)
    floors = int(rng.choice([1, 2, 3], p=[0.25, 0.45, 0.30]))  # rural self-built house
    return floors, round(floors * 3.2 + 0.8, 1)


def _plan_neighbourhoods(plan: DemoPlan, community: UnitSpec, density: float, with_houses: bool) -> None:
    rng = rng_for(plan.seed, community.code)
    urban = community.kind == Kind.COMMUNITY
    n = int(rng.integers(5, 13))
    if urban:
        kind, codes, labels = Kind.COMPOUND, [f"{i:03d}" for i in range(1, n + 1)], names.compound_names(n, rng)
    else:
        kind = Kind.VILLAGER_GROUP
        codes = [f"{500 + i:03d}" for i in range(1, n + 1)]
        labels = [f"{community.name}{names.cn_number(i)}组" for i in range(1, n + 1)]
    seeds = sample_points(community.geom, n, rng)
    cells = voronoi_tiles(community.geom, seeds)
    for part, label, cell in zip(codes, labels, cells, strict=True):
        nb = UnitSpec(community.code + part, label, Level.NEIGHBOURHOOD, kind, community.code, cell)
        plan.units[Level.NEIGHBOURHOOD].append(nb)
        _plan_buildings(plan, nb, urban, density, with_houses)


def _plan_buildings(plan: DemoPlan, nb: UnitSpec, urban: bool, density: float, with_houses: bool) -> None:
    rng = rng_for(plan.seed, nb.code)
    wanted = int(rng.integers(10, 36)) if urban else int(rng.integers(50, 110))
    wanted = int(round(wanted * density))
    if urban:
        prints = grid_footprints(nb.geom, wanted, rng, width=(22, 40), depth=(14, 22), spacing=62)
    else:
        prints = grid_footprints(nb.geom, wanted, rng, width=(9, 16), depth=(8, 12), spacing=34)
    for i, fp in enumerate(prints, start=1):
        use = _pick(rng, _URBAN_USES if urban else _RURAL_USES)
        floors, height = _floors_height(rng, use)
        b = UnitSpec(
            f"{nb.code}{i:04d}", f"{i}栋" if urban else f"{i}号", Level.BUILDING, Kind.BUILDING, nb.code,
            fp.polygon, floors=floors, height_m=height, building_use=use,
        )
        plan.units[Level.BUILDING].append(b)
        if with_houses:
            plan.houses.extend(_houses(b, fp.width, fp.depth))


def _houses(b: UnitSpec, width: float, depth: float) -> Iterator[HouseSpec]:
    if b.building_use == BuildingUse.RURAL_HOUSE:
        yield HouseSpec(b.code, "1", 1, "1", round(width * depth * (b.floors or 1) * 0.85, 1))
        return
    if b.building_use not in (BuildingUse.RESIDENTIAL, BuildingUse.MIXED):
        return
    floors = b.floors or 1
    entrances = max(1, min(3, round(width / 14)))
    per_floor = 2 if floors <= 7 else 3 if floors < 18 else 4
    size = round(width * depth / (entrances * per_floor) * 0.82, 1)
    first = 3 if b.building_use == BuildingUse.MIXED else 1  # shops on the lower floors
    for e in range(1, entrances + 1):
        for f in range(first, floors + 1):
            for k in range(1, per_floor + 1):
                yield HouseSpec(b.code, str(e), f, f"{f}{k:02d}", size)
