from __future__ import annotations

import datetime as dt

import pytest
from core.errors import DomainError

from population import ids


def test_known_valid_number_and_derived_fields() -> None:
    # GB 11643 worked example: 11010519491231002X.
    rid = ids.parse_id("11010519491231002x")
    assert rid.number == "11010519491231002X"
    assert rid.birth_date == dt.date(1949, 12, 31)
    assert rid.sex == "2"
    assert rid.region_code == "110105"


def test_fifteen_digit_number_is_converted() -> None:
    rid = ids.parse_id("500112800517011")
    assert rid.number[:17] == "50011219800517011"
    assert rid.number[17] == ids.check_digit(rid.number[:17])
    assert rid.birth_date == dt.date(1980, 5, 17) and rid.sex == "1"


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("110105194912310021", "id_check_digit"),
        ("500112198002300015", "id_birth_date"),  # 30 February
        ("500112209901010017", "id_birth_date"),  # in the future
        ("50011219800517", "id_format"),
        ("ABCDEFGHIJKLMNOPQR", "id_format"),
        ("", "id_format"),
    ],
)
def test_bad_numbers_are_refused_without_echoing_them(raw: str, code: str) -> None:
    with pytest.raises(DomainError) as exc:
        ids.parse_id(raw)
    assert exc.value.code == code
    assert raw[:14] not in exc.value.message or not raw


def test_masking() -> None:
    assert ids.mask_id("500112198005170117") == "500112**********17"
    assert ids.mask_phone("13812345678") == "138****5678"
    assert ids.mask_address("重庆市渝北区双龙湖街道某路1号") == "重庆市渝北区****"
    assert ids.normalise_phone("+86 138 1234 5678") == "13812345678"
    with pytest.raises(DomainError):
        ids.normalise_phone("12345")
