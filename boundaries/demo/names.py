"""Made-up names for the demo's lower levels (compounds, groups, committee members).

Levels 1-3 carry real names from the statistical codes; everything below is invented and
must not be mistaken for real places or people.
"""
from __future__ import annotations

import numpy as np

_CN_DIGITS = "零一二三四五六七八九"

COMPOUND_WORDS = (
    "锦绣", "翠湖", "星河", "滨江", "香樟", "紫云", "金域", "龙湾", "碧水", "云顶", "御景", "天悦",
    "怡和", "长嘉", "盛景", "朗庭", "桂园", "兰亭", "枫丹", "雅苑", "融景", "嘉和", "瑞安", "和美",
    "华府", "康城", "凤鸣", "栖霞", "观澜", "悦湖",
)
COMPOUND_SUFFIXES = ("花园", "苑", "名城", "公馆", "雅居", "新城", "家园", "小区", "府", "湾", "里", "城")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程魏苏吕丁任沈"
GIVEN = "建国华明军平伟芳娟敏静丽强磊洋艳勇杰娜涛超秀英霞刚兰玉萍红春文斌德福志成海燕鹏飞云"
COMMITTEE_POSTS = ("书记、主任", "副主任", "委员", "委员", "委员")
STREET_WORDS = ("龙华大道", "金开大道", "新牌坊路", "松石大道", "宝圣大道", "双龙大道", "兴盛大道", "渝鲁大道", "空港大道")


def cn_number(n: int) -> str:
    """1-99 in Chinese numerals: 3 → 三, 12 → 十二, 20 → 二十."""
    if n < 10:
        return _CN_DIGITS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else _CN_DIGITS[tens]) + "十" + (_CN_DIGITS[ones] if ones else "")


def short_unit_name(official: str) -> str:
    """'五星路社区居民委员会' → '五星路社区', '壁山村村民委员会' → '壁山村'."""
    for suffix in ("居民委员会", "村民委员会", "委员会"):
        if official.endswith(suffix):
            return official[: -len(suffix)]
    return official


def compound_names(n: int, rng: np.random.Generator) -> list[str]:
    words = rng.permutation(len(COMPOUND_WORDS))
    names: list[str] = []
    for i in range(n):
        word = COMPOUND_WORDS[words[i % len(words)]]
        suffix = COMPOUND_SUFFIXES[int(rng.integers(len(COMPOUND_SUFFIXES)))]
        name = word + suffix + ("" if i < len(words) else cn_number(i // len(words) + 1) + "期")
        names.append(name)
    return names


def person_name(rng: np.random.Generator) -> str:
    given = "".join(GIVEN[int(rng.integers(len(GIVEN)))] for _ in range(int(rng.integers(1, 3))))
    return SURNAMES[int(rng.integers(len(SURNAMES)))] + given


def committee_members(rng: np.random.Generator) -> list[dict[str, str]]:
    return [{"name": person_name(rng), "post": post} for post in COMMITTEE_POSTS]


def office_phone(rng: np.random.Generator) -> str:
    return f"023-67{int(rng.integers(0, 1_000_000)):06d}"


def office_address(town: str, community: str, rng: np.random.Generator) -> str:
    street = STREET_WORDS[int(rng.integers(len(STREET_WORDS)))]
    return f"重庆市渝北区{town}{street}{int(rng.integers(1, 400))}号（{community}党群服务中心）"
