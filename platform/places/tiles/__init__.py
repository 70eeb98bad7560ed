"""The places layers (facilities, social organisations, resident units, community events), declared
through the tiles registry. Version sources ``place:<kind>`` are bumped by the triggers this module's
migration 0003 installs (tiles.triggers)."""
from __future__ import annotations

from pathlib import Path

from tiles.layers import VectorLayer, register

HERE = Path(__file__).resolve().parent
FIELDS = {"name": "名称", "category": "类别", "unit_code": "所属单元代码", "unit_name": "所属单元"}

#: layer name -> table, for the declarations below and the triggers of migration 0003.
TABLES = {
    "facility": "places_facility",
    "organisation": "places_socialorganisation",
    "resident_unit": "places_residentunit",
    "event": "places_communityevent",
}


def _place(name: str, title: str, minzoom: int, public: bool, in_base: bool = False) -> None:
    register(VectorLayer(
        name=name, title=title, sql=HERE / "place.sql", minzoom=minzoom, maxzoom=16,
        attributes={0: ("name", "category"), 14: ("name", "category", "unit_code", "unit_name")},
        sources=(f"place:{name}",), public=public, sql_literals={"table": TABLES[name]}, fields=FIELDS,
        in_base=in_base,
    ))


_place("facility", "服务设施", 11, public=True, in_base=True)
_place("organisation", "社会组织", 12, public=False)
_place("resident_unit", "驻区单位", 12, public=False)
register(VectorLayer(
    name="event", title="社区活动", sql=HERE / "event.sql", minzoom=12, maxzoom=16,
    attributes={0: ("name", "category", "starts_at", "ends_at"),
                14: ("name", "category", "starts_at", "ends_at", "unit_code", "unit_name")},
    sources=("place:event",), fields={**FIELDS, "starts_at": "开始时间", "ends_at": "结束时间"},
))
