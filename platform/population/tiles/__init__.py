"""The building layer, declared by population because its ``residents`` attribute is population's:
a count per building (``BuildingResidents``, kept by a trigger on people), never a person. Outside
the government-extranet zone (no population database) the attribute is not sent, and readers who may
not read the population record (residents) never receive it, as the population API refuses them.

Version source ``unit:5``: building edits bump it through the unit table's triggers, resident counts
through this module's migration 0007 (tiles.triggers).
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from core import roles
from django.conf import settings

from tiles.layers import VectorLayer, register

if TYPE_CHECKING:
    from core.types import AnyUser


def _may_read_counts(user: AnyUser) -> bool:
    """The same rule as the population API: only who may read the population record sees counts."""
    return bool(settings.POPULATION_ENABLED) and roles.can_read_population(user)


register(VectorLayer(
    name="building", title="楼栋", sql=Path(__file__).resolve().parent / "building.sql", minzoom=13, maxzoom=17,
    attributes={0: ("floors", "height_m", "building_use"),
                15: ("code", "name", "floors", "height_m", "building_use", "residents")},
    sources=("unit:5",), conditional={"residents": _may_read_counts}, in_base=True,
    fields={"code": "楼栋编码", "name": "名称", "floors": "层数", "height_m": "高度（米）",
            "building_use": "用途", "residents": "登记居住人数（汇总）"},
))
