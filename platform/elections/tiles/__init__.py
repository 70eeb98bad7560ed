"""The supervision layer ("换届选举进度"), declared through the tiles registry.

Each village/community with an election is drawn with its latest round's stage, whether it is stopped
by an exception, its election day and the number of voters on its roll (a count kept on the election
by the roll's services, so a tile never counts voters). Staff accounts see it, cut to their
jurisdiction like every layer: the town and the district watch every election's stage change on the
map. Version sources: ``elections:election`` (this module's migration bumps it whenever an election
row changes: a stage, a stop, a roll count) and ``unit:3`` (an outline changes).
"""
from __future__ import annotations

from pathlib import Path

from core import roles

from tiles.layers import VectorLayer, register

LAYER = "election_stage"
SOURCE = "elections:election"

register(VectorLayer(
    name=LAYER, title="换届选举进度", sql=Path(__file__).resolve().parent / "stage.sql", minzoom=8, maxzoom=16,
    attributes={0: ("code", "name", "election", "round", "stage", "stopped", "election_day", "voters")},
    sources=(SOURCE, "unit:3"), visibility=roles.is_staff_account,
    fields={"code": "统计用区划代码", "name": "村（社区）", "election": "选举编号", "round": "换届届次",
            "stage": "阶段（registration 选民登记 … archived 归档）", "stopped": "因异常情况暂停",
            "election_day": "选举日", "voters": "选民人数"},
))
