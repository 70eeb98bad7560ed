"""Levels of the administrative tree. The kernel needs them to say who draws what; the tree
itself (kinds, codes, geometry) lives in ``boundaries``."""
from __future__ import annotations

from django.db import models


class Level(models.IntegerChoices):
    CITY = 0, "市"
    DISTRICT = 1, "区县"
    TOWN = 2, "镇街"
    COMMUNITY = 3, "村社区"
    NEIGHBOURHOOD = 4, "小区/村民小组"
    BUILDING = 5, "楼栋"
