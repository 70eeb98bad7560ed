"""Resident ID numbers (公民身份号码, GB 11643-1999) and phone numbers: validation and masking.

An 18-digit number is: 6-digit region code (GB/T 2260) + 8-digit birth date + 3-digit sequence
(odd = male, even = female) + check digit (ISO 7064 MOD 11-2, "X" for 10). Legacy 15-digit numbers
(before 1999) have a 2-digit year and no check digit; they are converted by inserting "19" and
computing the check digit.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from core.errors import DomainError

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"
_ID18 = re.compile(r"\d{17}[\dX]")
_ID15 = re.compile(r"\d{15}")
_PHONE = re.compile(r"(?:\+?86)?(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})")


def check_digit(first17: str) -> str:
    return CHECK_CHARS[sum(int(c) * w for c, w in zip(first17, WEIGHTS, strict=True)) % 11]


@dataclass(frozen=True)
class ResidentId:
    number: str
    birth_date: dt.date
    sex: str  # "1" male, "2" female (GB/T 2261.1)

    @property
    def region_code(self) -> str:
        return self.number[:6]


def parse_id(raw: str, today: dt.date | None = None) -> ResidentId:
    """Validate and normalise an ID number; raise DomainError with a Chinese message (never echoing it)."""
    number = (raw or "").strip().upper().replace(" ", "")
    if _ID15.fullmatch(number):
        number = number[:6] + "19" + number[6:]
        number += check_digit(number)
    if not _ID18.fullmatch(number):
        raise DomainError("id_format", "身份证号码应为18位（末位可为X）或15位旧号码。")
    try:
        birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise DomainError("id_birth_date", "身份证号码中的出生日期不存在。") from None
    today = today or dt.date.today()
    if birth > today or birth.year < 1880:
        raise DomainError("id_birth_date", "身份证号码中的出生日期不合理。")
    if number[0] not in "12345678" or number[2:6] == "0000":
        raise DomainError("id_region", "身份证号码的地区码无效。")
    if check_digit(number[:17]) != number[17]:
        raise DomainError("id_check_digit", "身份证号码校验位错误，请核对。")
    return ResidentId(number, birth, "1" if int(number[16]) % 2 else "2")


def normalise_phone(raw: str) -> str:
    phone = re.sub(r"[\s()]", "", raw or "")
    m = _PHONE.fullmatch(phone)
    if not m:
        raise DomainError("phone_format", "电话号码格式不正确（手机号11位，或带区号的固定电话）。")
    return m.group(1).replace("-", "")


# Digits of an ID number a masked form keeps at its end. Not four: the last four are the sequence
# number and the check digit, and with them a birth date known to within a year or two (an age, a
# birth year, 出生年月) leaves a few dozen candidates, one of which a search then confirms. With the
# last two kept, a role that sees an age band (ten years) and the sex still faces ~33,000
# candidates; docs/privacy.md has the arithmetic and tests/test_privacy.py checks it per role.
MASK_KEEP_END = 2


def mask_id(number: str) -> str:
    """500112**********2X: region and the last two characters only."""
    if not number:
        return ""
    return number[:6] + "*" * (len(number) - 6 - MASK_KEEP_END) + number[-MASK_KEEP_END:]


def mask_phone(phone: str) -> str:
    """138****5678."""
    if not phone:
        return ""
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:] if len(phone) > 7 else "*" * len(phone)


def mask_address(address: str, keep: int = 6) -> str:
    """Keep the administrative part (about six characters: 重庆市渝北区), hide the rest."""
    return address[:keep] + "****" if len(address) > keep else address


def age_on(birth: dt.date, day: dt.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


AGE_BAND_YEARS = 10


def age_band(birth: dt.date, day: dt.date) -> str:
    """"30-39岁" (ten-year bands, "80岁以上" at the top): what a role that may not reveal an ID number
    learns of a person's birth date."""
    age = age_on(birth, day)
    if age >= 80:
        return "80岁以上"
    low = age - age % AGE_BAND_YEARS
    return f"{low}-{low + AGE_BAND_YEARS - 1}岁"
