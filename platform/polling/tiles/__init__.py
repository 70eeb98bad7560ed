"""The polling-day supervision layer ("投票进度"), declared through the tiles registry beside the
elections module's stage layer: each village/community with an election at or after polling day,
with the turnout so far (ballots issued / voters on the roll), whether the vote was counted, valid,
how many were elected and whether a run-off is needed. Staff only, cut to the jurisdiction.

Freshness without slowing the scans: a scan does not touch the tile versions (8 clerks scanning in one
community would queue on the same version rows); the source ``polling:turnout`` is bumped after a
scan at most every ``TURNOUT_BUMP_SECONDS`` per server process, and at once when a vote is opened or
counted — "near real time" for the town's map, at no cost to the clerk at the table.
"""
from __future__ import annotations

from pathlib import Path

from core import roles

from tiles.layers import VectorLayer, register

LAYER = "election_polling"
SOURCE = "polling:turnout"

register(VectorLayer(
    name=LAYER, title="投票进度", sql=Path(__file__).resolve().parent / "turnout.sql", minzoom=8, maxzoom=16,
    attributes={0: ("code", "name", "election", "stage", "stopped", "vote", "runoff", "voters", "issued", "turnout",
                    "counted", "valid", "elected", "runoff_required")},
    sources=(SOURCE, "elections:election", "unit:3"), visibility=roles.is_staff_account,
    fields={"code": "统计用区划代码", "name": "村（社区）", "election": "选举编号", "stage": "阶段", "stopped": "因异常情况暂停",
            "vote": "第几次投票", "runoff": "另行选举", "voters": "选民人数", "issued": "已发选票", "turnout": "投票率（%）",
            "counted": "已计票", "valid": "选举有效", "elected": "当选人数", "runoff_required": "需另行选举"},
))
