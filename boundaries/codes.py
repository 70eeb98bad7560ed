"""The unit code scheme (docs/code-scheme.md).

Levels 1-3 carry the national statistical division code (统计用区划代码): district 6 digits, town
9 (district + 3), community 12 (town + 3). Below that the code extends the parent's:
neighbourhood 15 digits (community + 3: 001-499 小区, 500-999 村(居)民小组) and building 19 digits
(neighbourhood + 4). So a unit's code always starts with its parent's code, except a district's,
which starts with the two-digit province part of the city root (500000 → 5001xx, 5002xx).
"""
from __future__ import annotations

import re

from core.errors import DomainError

from .levels import Kind, Level

CODE_LENGTH: dict[int, int] = {
    Level.CITY: 6,
    Level.DISTRICT: 6,
    Level.TOWN: 9,
    Level.COMMUNITY: 12,
    Level.NEIGHBOURHOOD: 15,
    Level.BUILDING: 19,
}

# Ranges of the code part a unit adds to its parent's code, by kind (inclusive).
_PART_RANGES: dict[str, tuple[int, int]] = {
    Kind.SUBDISTRICT: (1, 99),
    Kind.TOWN: (100, 199),
    Kind.TOWNSHIP: (200, 399),
    Kind.COMMUNITY: (1, 199),
    Kind.VILLAGE: (200, 399),
    Kind.COMPOUND: (1, 499),
    Kind.VILLAGER_GROUP: (500, 999),
    Kind.RESIDENT_GROUP: (500, 999),
    Kind.BUILDING: (1, 9999),
}


def validate_code(code: str, level: int, kind: str, parent_code: str | None) -> None:
    """Raise DomainError if ``code`` does not fit the level, the kind and the parent's code."""
    expected = CODE_LENGTH[level]
    if not re.fullmatch(rf"\d{{{expected}}}", code or ""):
        raise DomainError("code_format", f"第{level}级单位的代码应为{expected}位数字，收到“{code}”。")
    if level == Level.CITY or parent_code is None:
        return
    if level == Level.DISTRICT:
        if code[:2] != parent_code[:2] or code == parent_code:
            raise DomainError("code_parent_mismatch", f"区县代码{code}不属于上级{parent_code}。")
        return
    if not code.startswith(parent_code):
        raise DomainError("code_parent_mismatch", f"代码{code}应以上级代码{parent_code}开头。")
    part = int(code[len(parent_code):])
    low, high = _PART_RANGES.get(kind, (1, 10 ** (expected - len(parent_code)) - 1))
    if not low <= part <= high:
        raise DomainError(
            "code_kind_mismatch",
            f"代码{code}的本级部分{part:0{expected - len(parent_code)}d}不在“{Kind(kind).label}”的编码范围"
            f"{low}-{high}内。",
        )


def kind_from_statistical_code(code: str, name: str) -> str:
    """Kind of a level 2-3 unit from its national code part (and its name for 县 vs 区)."""
    if len(code) == 6:
        return Kind.COUNTY if name.endswith("县") else Kind.DISTRICT
    part = int(code[-3:])
    if len(code) == 9:
        return Kind.SUBDISTRICT if part < 100 else Kind.TOWN if part < 200 else Kind.TOWNSHIP
    return Kind.COMMUNITY if part < 200 else Kind.VILLAGE
