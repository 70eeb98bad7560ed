"""The 村(居)务公开 cadence layer ("村务公开逾期"), declared through the tiles registry.

Each village/community is drawn with its cadence status (``CadenceStatus``, kept by
``publication.cadence.refresh``): overdue or on time, the titles of the rules it is behind on and the
date of its last published item. Staff accounts of a jurisdiction see it (town supervisors are its
readers: which villages under them are overdue), cut to that jurisdiction like every layer; residents
and anonymous visitors do not. Version sources: ``publication:cadence`` (this module's migration 0003
bumps it when a status row changes) and ``unit:3`` (a village's outline changes).
"""
from __future__ import annotations

from pathlib import Path

from core import roles

from tiles.layers import VectorLayer, register

LAYER = "affairs_cadence"
SOURCE = "publication:cadence"

register(VectorLayer(
    name=LAYER, title="村务公开逾期", sql=Path(__file__).resolve().parent / "cadence.sql", minzoom=9, maxzoom=16,
    attributes={0: ("code", "name", "status", "rules", "last_published")},
    sources=(SOURCE, "unit:3"), visibility=roles.is_staff_account,
    fields={"code": "统计用区划代码", "name": "村（社区）", "status": "overdue 逾期 / ok 按期",
            "rules": "逾期的公开规则", "last_published": "最近一次村务公开（日期）"},
))
