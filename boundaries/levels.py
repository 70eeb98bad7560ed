"""Levels and kinds of the administrative tree."""
from __future__ import annotations

from core.levels import Level
from django.db import models

__all__ = ["Level", "Kind", "KINDS_BY_LEVEL", "BuildingUse"]


class Kind(models.TextChoices):
    CITY = "city", "市"
    DISTRICT = "district", "区"
    COUNTY = "county", "县"
    SUBDISTRICT = "subdistrict", "街道"
    TOWN = "town", "镇"
    TOWNSHIP = "township", "乡"
    COMMUNITY = "community", "社区"
    VILLAGE = "village", "村"
    COMPOUND = "compound", "小区"
    VILLAGER_GROUP = "villager_group", "村民小组"
    RESIDENT_GROUP = "resident_group", "居民小组"
    BUILDING = "building", "楼栋"


KINDS_BY_LEVEL: dict[int, tuple[str, ...]] = {
    Level.CITY: (Kind.CITY,),
    Level.DISTRICT: (Kind.DISTRICT, Kind.COUNTY),
    Level.TOWN: (Kind.SUBDISTRICT, Kind.TOWN, Kind.TOWNSHIP),
    Level.COMMUNITY: (Kind.COMMUNITY, Kind.VILLAGE),
    Level.NEIGHBOURHOOD: (Kind.COMPOUND, Kind.VILLAGER_GROUP, Kind.RESIDENT_GROUP),
    Level.BUILDING: (Kind.BUILDING,),
}


class BuildingUse(models.TextChoices):
    RESIDENTIAL = "residential", "住宅"
    COMMERCIAL = "commercial", "商业"
    MIXED = "mixed", "商住混合"
    PUBLIC = "public", "公共服务"
    INDUSTRIAL = "industrial", "工业"
    RURAL_HOUSE = "rural_house", "农村自建房"
    OTHER = "other", "其他"
