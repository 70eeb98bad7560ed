"""Rule sets as data: loading and validating files, choosing the version in force by date and
province (national fallback), the system check, and the API."""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from core import rules
from core.rules.checks import rule_files_load
from core.rules.engine import RuleBook, RuleFileError, discovered_files, parse_file
from core.testing import Actors

HERE = Path(__file__).parent / "rules"


@pytest.fixture
def book() -> RuleBook:
    return RuleBook.from_files([(p, "core") for p in sorted(HERE.glob("*.toml"))])


def test_every_installed_rule_file_loads() -> None:
    """Modules' rules/*.toml: each must load and validate (an error names the file and the place)."""
    loaded = RuleBook.from_files(discovered_files())
    for rule in loaded:
        assert rule.citation.instrument and rule.citation.article and rule.title
    assert rule_files_load() == []


def test_the_version_in_force_on_the_date(book: RuleBook) -> None:
    r = book.get("core.example_general_interval_days", on=dt.date(2025, 12, 31))
    assert (r.value, r.unit, r.confirmed, r.ruleset_version) == (92, "天", True, "2018")
    assert str(r.citation) == "《中华人民共和国村民委员会组织法》（2018年修正）第三十条"
    assert r.citation.url == "http://www.npc.gov.cn/"
    r = book.get("core.example_general_interval_days", on=dt.date(2026, 1, 1))
    assert (r.value, r.confirmed, r.citation.version) == (90, False, "2025年修订")
    with pytest.raises(rules.RuleNotFound):
        book.get("core.example_general_interval_days", on=dt.date(2018, 12, 31))
    with pytest.raises(rules.RuleNotFound):
        book.get("core.example_major_matters_at_once", on=dt.date(2026, 1, 1))  # dropped in the new version


def test_province_first_then_national(book: RuleBook) -> None:
    for code in ("500000", "500112", "500112001"):  # any code of Chongqing names its province
        r = book.get("core.example_general_interval_days", province=code, on=dt.date(2026, 3, 1))
        assert (r.value, r.province, r.citation.article) == (31, "500000", "第二十五条")
    r = book.get("core.example_general_interval_days", province="510000", on=dt.date(2026, 3, 1))
    assert (r.value, r.province) == (90, "national")
    r = book.get("core.example_general_interval_days", province="500000", on=dt.date(2021, 5, 31))
    assert r.province == "national"  # Chongqing's set is not yet in force
    assert rules.province_of("500112") == "500000" and rules.province_of("") == "national"


def test_in_force_lists_one_rule_per_key(book: RuleBook) -> None:
    got = book.in_force(province="500000", on=dt.date(2025, 6, 1))
    assert [(r.key, r.value) for r in got] == [
        ("core.example_general_interval_days", 31), ("core.example_major_matters_at_once", True)]


GOOD = """
[ruleset]
name = "测试"
version = "1"
province = "national"
valid_from = 2020-01-01
citation = { instrument = "某法", version = "2020年" }
[[rule]]
key = "core.x"
title = "某规则"
value = 1
confirmed = true
citation = { article = "第一条" }
"""


@pytest.mark.parametrize(("change", "message"), [
    (("valid_from = 2020-01-01", 'valid_from = "2020-01-01"'), "valid_from must be a date"),
    (('province = "national"', 'province = "500112"'), "province must be"),
    (('key = "core.x"', 'key = "elections.x"'), "key must be 'core.<name>'"),
    (('key = "core.x"', 'key = "core.X"'), "key must be"),
    (("confirmed = true", 'confirmed = "yes"'), "confirmed must be true or false"),
    (('citation = { article = "第一条" }', "citation = {}"), "citation needs article"),
    (('citation = { instrument = "某法", version = "2020年" }', 'citation = { instrument = "某法" }'), "citation needs version"),
    (('title = "某规则"', 'title = "某规则"\nwhatever = 1'), "unknown fields ['whatever']"),
    (("value = 1", ""), "missing value"),
    (("valid_from = 2020-01-01", "valid_from = 2020-01-01\nvalid_to = 2019-01-01"), "valid_to must be"),
    (("[[rule]]", "[[rul]]"), "unknown top-level"),
    (('name = "测试"', 'name = "测试'), "not valid TOML"),
])
def test_malformed_files_are_refused_by_name(tmp_path: Path, change: tuple[str, str], message: str) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(GOOD.replace(*change), encoding="utf-8")
    with pytest.raises(RuleFileError, match="bad.toml") as err:
        parse_file(bad, "core")
    assert message in str(err.value)
    good = tmp_path / "good.toml"
    good.write_text(GOOD, encoding="utf-8")
    assert parse_file(good, "core")[0].value == 1


def test_overlapping_versions_are_refused(tmp_path: Path) -> None:
    a, b = tmp_path / "a.toml", tmp_path / "b.toml"
    a.write_text(GOOD, encoding="utf-8")
    b.write_text(GOOD.replace("2020-01-01", "2024-01-01"), encoding="utf-8")
    with pytest.raises(RuleFileError, match="overlap"):
        RuleBook.from_files([(a, "core"), (b, "core")])
    a.write_text(GOOD.replace("valid_from = 2020-01-01", "valid_from = 2020-01-01\nvalid_to = 2023-12-31"),
                 encoding="utf-8")
    assert len(list(RuleBook.from_files([(a, "core"), (b, "core")]))) == 2


@pytest.mark.django_db
def test_rules_api(actors: Actors, book: RuleBook) -> None:
    with rules.use(book):
        c = actors.client("village_staff")  # a Chongqing village: its province by default
        body = c.get("/api/rules/?on=2026-03-01").json()
        assert (body["on"], body["province"]) == ("2026-03-01", "500000")
        assert [(r["key"], r["value"]) for r in body["rules"]] == [("core.example_general_interval_days", 31)]
        rule = body["rules"][0]
        assert rule["citation"]["text"] == "《重庆市实施《中华人民共和国村民委员会组织法》办法》（2021年修正）第二十五条"
        assert rule["confirmed"] is False and rule["valid_from"] == "2021-06-01" and rule["valid_to"] is None
        body = c.get("/api/rules/?on=2026-03-01&province=national").json()
        assert body["rules"][0]["value"] == 90
        r = c.get("/api/rules/core.example_general_interval_days/?on=2024-05-01&province=510000")
        assert r.json()["value"] == 92
        assert actors.client("resident").get("/api/rules/").status_code == 200  # the law is public
        for query, code in (("on=2026-13-01", "invalid_date"), ("province=abc", "invalid_province")):
            r = c.get(f"/api/rules/?{query}")
            assert (r.status_code, r.json()["code"]) == (400, code)
        r = c.get("/api/rules/core.nope/")
        assert (r.status_code, r.json()["code"]) == (404, "rule_not_found")
        assert actors.client("anonymous").get("/api/rules/").status_code in (401, 403)


def test_the_check_reports_a_bad_file(monkeypatch: Any, tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("nonsense = [", encoding="utf-8")
    monkeypatch.setattr("core.rules.engine.discovered_files", lambda: [(bad, "core")])
    errors = rule_files_load()
    assert len(errors) == 1 and errors[0].id == "rules.E001" and "bad.toml" in errors[0].msg
