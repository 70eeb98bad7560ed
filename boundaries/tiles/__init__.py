"""The boundary layers (district, town, community, neighbourhood), declared through the tiles registry.

Levels 1-3 read a coverage-simplified copy below z13 (tiles.generalise): neighbours keep identical
edges. Neighbourhood outlines from z12 carry few vertices, and ST_AsMVTGeom's grid snap is the same on
both sides of a shared edge, so their raw geometry opens no gap. Version sources ``unit:<level>`` are
bumped by the unit table's triggers (tiles migration 0001: the unit table is the base every layer
is drawn on).
"""
from __future__ import annotations

from pathlib import Path

from tiles.layers import VectorLayer, register

HERE = Path(__file__).resolve().parent
BASE = ("code", "name", "level", "kind")
FIELDS = {"code": "统计用区划代码", "name": "名称", "level": "层级 1-4", "kind": "类别",
          "area_m2": "面积（平方米，CGCS2000 高斯-克吕格投影）"}


def _boundary(name: str, title: str, level: int, minzoom: int, public: bool, generalise: bool) -> VectorLayer:
    return register(VectorLayer(
        name=name, title=title, sql=HERE / "boundary.sql", minzoom=minzoom, maxzoom=16,
        attributes={0: BASE, 12: (*BASE, "area_m2")}, sources=(f"unit:{level}",), public=public,
        sql_literals={"level": level}, fields=FIELDS, in_base=True,
        generalise_level=level if generalise else None,
        low_zoom_sql=HERE / "boundary_generalised.sql" if generalise else None,
    ))


_boundary("district", "区县", 1, 0, public=True, generalise=True)
_boundary("town", "镇街", 2, 6, public=True, generalise=True)
_boundary("community", "村社区", 3, 9, public=True, generalise=True)
_boundary("neighbourhood", "小区/村民小组", 4, 12, public=False, generalise=False)
