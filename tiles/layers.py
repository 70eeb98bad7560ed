"""Tile layers as small declarations: one entry = one layer.

A later module adds a layer by appending one ``VectorLayer`` here with its reviewed .sql file in
tiles/sql/: the SQL returns ``id, geom (ST_AsMVTGeom), attributes...`` for one tile and one scope
prefix; this file says which attributes go out at which zoom, the zoom range, who may see it, and
which version sources (see migration 0001) make its tiles stale.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings

if TYPE_CHECKING:
    from core.types import AnyUser

SQL_DIR = Path(__file__).resolve().parent / "sql"
MAX_ZOOM = 22  # deepest tile we answer; MapLibre overzooms beyond a source's maxzoom anyway


def _read_sql(name: str) -> str:
    return (SQL_DIR / name).read_text(encoding="utf-8")


@dataclass(frozen=True)
class VectorLayer:
    name: str
    title: str  # Chinese, shown in the layer list
    sql: str  # file in tiles/sql/
    minzoom: int
    maxzoom: int  # advertised in TileJSON; deeper requests are still answered (overzoom)
    attributes: dict[int, tuple[str, ...]]  # min zoom -> attributes sent from that zoom on
    sources: tuple[str, ...]  # version sources whose edits make these tiles stale
    public: bool = False  # anonymous visitors may read it (uncut: public data)
    sql_literals: dict[str, Any] = field(default_factory=dict)  # {level}/{table} placeholders
    generalise_level: int | None = None  # boundary level with coverage-simplified low zooms
    fields: dict[str, str] = field(default_factory=dict)  # TileJSON vector_layers descriptions

    def visible_to(self, user: AnyUser) -> bool:
        if self.public:
            return True
        return bool(user is not None and user.is_authenticated)

    def attributes_at(self, z: int) -> tuple[str, ...]:
        chosen: tuple[str, ...] = ()
        for minz in sorted(self.attributes):
            if z >= minz:
                chosen = self.attributes[minz]
        if self.name == "building" and not settings.POPULATION_ENABLED:
            chosen = tuple(a for a in chosen if a != "residents")
        return chosen

    @cached_property
    def fingerprint(self) -> str:
        """Changes when the layer's SQL or declaration changes, so old cached tiles are never served."""
        h = hashlib.sha1(_read_sql(self.sql).encode())
        h.update(repr((sorted(self.attributes.items()), sorted(self.sql_literals.items()))).encode())
        if self.generalise_level is not None:
            h.update(_read_sql("boundary_generalised.sql").encode())
        return h.hexdigest()[:8]


@dataclass(frozen=True)
class CombinedLayer:
    """Several layers in one tile (the base style): MVT layers concatenate (protobuf repeated field)."""

    name: str
    title: str
    parts: tuple[str, ...]
    public: bool = False

    def visible_to(self, user: AnyUser) -> bool:
        return self.public or bool(user is not None and user.is_authenticated)

    def parts_for(self, user: AnyUser) -> list[VectorLayer]:
        return [VECTOR_LAYERS[p] for p in self.parts if VECTOR_LAYERS[p].visible_to(user)]

    @property
    def minzoom(self) -> int:
        return min(VECTOR_LAYERS[p].minzoom for p in self.parts)

    @property
    def maxzoom(self) -> int:
        return max(VECTOR_LAYERS[p].maxzoom for p in self.parts)

    @property
    def sources(self) -> tuple[str, ...]:
        return tuple(s for p in self.parts for s in VECTOR_LAYERS[p].sources)

    @cached_property
    def fingerprint(self) -> str:
        return hashlib.sha1("".join(VECTOR_LAYERS[p].fingerprint for p in self.parts).encode()).hexdigest()[:8]


_BOUNDARY_BASE = ("code", "name", "level", "kind")
_BOUNDARY_FIELDS = {"code": "统计用区划代码", "name": "名称", "level": "层级 1-4", "kind": "类别",
                    "area_m2": "面积（平方米，CGCS2000 高斯-克吕格投影）"}
_PLACE_FIELDS = {"name": "名称", "category": "类别", "unit_code": "所属单元代码", "unit_name": "所属单元"}


def _boundary(name: str, title: str, level: int, minzoom: int, public: bool, generalise: bool) -> VectorLayer:
    return VectorLayer(
        name=name, title=title, sql="boundary.sql", minzoom=minzoom, maxzoom=16,
        attributes={0: _BOUNDARY_BASE, 12: (*_BOUNDARY_BASE, "area_m2")},
        sources=(f"unit:{level}",), public=public, sql_literals={"level": level},
        generalise_level=level if generalise else None, fields=_BOUNDARY_FIELDS,
    )


def _place(name: str, title: str, table: str, minzoom: int, public: bool) -> VectorLayer:
    return VectorLayer(
        name=name, title=title, sql="place.sql", minzoom=minzoom, maxzoom=16,
        attributes={0: ("name", "category"), 14: ("name", "category", "unit_code", "unit_name")},
        sources=(f"place:{name}",), public=public, sql_literals={"table": table}, fields=_PLACE_FIELDS,
    )


VECTOR_LAYERS: dict[str, VectorLayer] = {
    layer.name: layer
    for layer in [
        _boundary("district", "区县", 1, 0, public=True, generalise=True),
        _boundary("town", "镇街", 2, 6, public=True, generalise=True),
        _boundary("community", "村社区", 3, 9, public=True, generalise=True),
        # Neighbourhood outlines from z12 carry few vertices: ST_AsMVTGeom's grid snap is the same for
        # both sides of a shared edge, so raw geometry needs no coverage simplification there.
        _boundary("neighbourhood", "小区/村民小组", 4, 12, public=False, generalise=False),
        VectorLayer(
            name="building", title="楼栋", sql="building.sql", minzoom=13, maxzoom=17,
            attributes={0: ("floors", "height_m", "building_use"),
                        15: ("code", "name", "floors", "height_m", "building_use", "residents")},
            sources=("unit:5",),
            fields={"code": "楼栋编码", "name": "名称", "floors": "层数", "height_m": "高度（米）",
                    "building_use": "用途", "residents": "登记居住人数（汇总）"},
        ),
        _place("facility", "服务设施", "places_facility", 11, public=True),
        _place("organisation", "社会组织", "places_socialorganisation", 12, public=False),
        _place("resident_unit", "驻区单位", "places_residentunit", 12, public=False),
        VectorLayer(
            name="event", title="社区活动", sql="event.sql", minzoom=12, maxzoom=16,
            attributes={0: ("name", "category", "starts_at", "ends_at"),
                        14: ("name", "category", "starts_at", "ends_at", "unit_code", "unit_name")},
            sources=("place:event",),
            fields={**_PLACE_FIELDS, "starts_at": "开始时间", "ends_at": "结束时间"},
        ),
    ]
}

COMBINED_LAYERS: dict[str, CombinedLayer] = {
    "base": CombinedLayer(
        name="base", title="底图（边界、楼栋、设施）",
        parts=("district", "town", "community", "neighbourhood", "building", "facility"),
        public=True,  # anonymous visitors get only its public parts
    ),
}


def get_layer(name: str) -> VectorLayer | CombinedLayer | None:
    return VECTOR_LAYERS.get(name) or COMBINED_LAYERS.get(name)


def all_layers() -> list[VectorLayer | CombinedLayer]:
    return [*VECTOR_LAYERS.values(), *COMBINED_LAYERS.values()]
