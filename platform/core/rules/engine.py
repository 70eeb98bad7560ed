"""Rule sets as data: deadlines, cadences, quorums and thresholds from versioned files with citations.

A module ships its rules in ``<app>/rules/*.toml``, one file per rule set version::

    [ruleset]
    name = "村务公开"                 # what the set is about (Chinese)
    version = "2018"                  # this version's label
    province = "national"             # or a province code such as "500000" (重庆市)
    valid_from = 2019-01-01           # first day in force
    valid_to = 2025-12-31             # last day in force (optional: still in force)
    citation = { instrument = "中华人民共和国村民委员会组织法", version = "2018年修正" }

    [[rule]]
    key = "publication.general_interval_days"   # "<app label>.<name>"
    title = "一般事项至少每季度公开一次"
    value = 92
    unit = "天"                                  # optional
    confirmed = true                             # false: a provincial choice not checked against the text
    citation = { article = "第三十条" }          # merged over the set's citation; url optional
    note = ""                                    # optional
    label = ""                                   # optional: a coded value in words, shown to users

``get(key, province=..., on=date)`` returns the rule in force on that date for that province, else
the national one. Files are checked when loaded (unknown fields, missing citations, overlapping
versions of a rule are errors); ``manage.py check`` loads them all.
"""
from __future__ import annotations

import datetime as dt
import re
import threading
import tomllib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from django.apps import apps
from django.utils import timezone

NATIONAL = "national"
_PROVINCE = re.compile(r"\d{2}0000")
_NAME = re.compile(r"[a-z0-9_]+(\.[a-z0-9_]+)*")
SET_FIELDS = {"name", "version", "province", "valid_from", "valid_to", "citation"}
RULE_FIELDS = {"key", "title", "value", "unit", "confirmed", "citation", "note", "label"}
CITATION_FIELDS = {"instrument", "version", "article", "url"}


class RuleFileError(ValueError):
    """A rule file that does not follow the format (the message names the file and the place)."""


class RuleNotFound(LookupError):
    pass


@dataclass(frozen=True)
class Citation:
    instrument: str  # 中华人民共和国村民委员会组织法
    version: str  # 2018年修正
    article: str  # 第三十条
    url: str = ""

    def __str__(self) -> str:
        return f"《{self.instrument}》（{self.version}）{self.article}"


@dataclass(frozen=True)
class Rule:
    key: str
    title: str
    value: Any
    citation: Citation
    confirmed: bool
    province: str
    valid_from: dt.date
    valid_to: dt.date | None
    ruleset: str
    ruleset_version: str
    source: str  # the file, relative to the repository's platform folder
    unit: str = ""
    note: str = ""
    label: str = ""  # a coded value ("post_void") in words, for people reading the rule

    def in_force(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["citation"]["text"] = str(self.citation)
        d["valid_from"] = self.valid_from.isoformat()
        d["valid_to"] = self.valid_to.isoformat() if self.valid_to else None
        return d


def province_of(code: str | None) -> str:
    """The province of any administrative code ("500112001" → "500000"); "" or None → national."""
    if not code:
        return NATIONAL
    if code == NATIONAL:
        return NATIONAL
    if not code.isdigit() or len(code) < 2:
        raise ValueError(f"not an administrative code: {code!r}")
    return code[:2] + "0000"


class RuleBook:
    """Every loaded rule, by key."""

    def __init__(self, rules: Iterable[Rule]) -> None:
        self.by_key: dict[str, list[Rule]] = {}
        for r in rules:
            self.by_key.setdefault(r.key, []).append(r)
        for key, versions in self.by_key.items():
            _check_overlaps(key, versions)

    @classmethod
    def from_files(cls, files: Iterable[tuple[Path, str]], root: Path | None = None) -> RuleBook:
        """``files``: (path, app label) pairs; keys must start with their app's label."""
        rules: list[Rule] = []
        for path, label in files:
            rules.extend(parse_file(path, label, root))
        return cls(rules)

    def get(self, key: str, *, province: str | None = None, on: dt.date | None = None) -> Rule:
        day = on or timezone.localdate()
        prov = province_of(province)
        versions = self.by_key.get(key, [])
        for wanted in dict.fromkeys((prov, NATIONAL)):
            for r in versions:
                if r.province == wanted and r.in_force(day):
                    return r
        raise RuleNotFound(f"no rule {key!r} in force on {day} for province {prov}")

    def in_force(self, *, province: str | None = None, on: dt.date | None = None) -> list[Rule]:
        out = []
        for key in sorted(self.by_key):
            try:
                out.append(self.get(key, province=province, on=on))
            except RuleNotFound:
                continue
        return out

    def __iter__(self) -> Iterator[Rule]:
        for versions in self.by_key.values():
            yield from versions


def parse_file(path: Path, label: str, root: Path | None = None) -> list[Rule]:
    where = str(path.relative_to(root)) if root and path.is_relative_to(root) else str(path)

    def fail(msg: str) -> RuleFileError:
        return RuleFileError(f"{where}: {msg}")

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise fail(f"not valid TOML ({exc})") from None
    if set(data) - {"ruleset", "rule"}:
        raise fail(f"unknown top-level entries {sorted(set(data) - {'ruleset', 'rule'})}")
    rs = data.get("ruleset")
    if not isinstance(rs, dict):
        raise fail("missing [ruleset]")
    if set(rs) - SET_FIELDS:
        raise fail(f"unknown [ruleset] fields {sorted(set(rs) - SET_FIELDS)}")
    for f in ("name", "version", "province"):
        if not isinstance(rs.get(f), str) or not rs[f].strip():
            raise fail(f"[ruleset] {f} must be a non-empty string")
    province = rs["province"]
    if province != NATIONAL and not _PROVINCE.fullmatch(province):
        raise fail(f"[ruleset] province must be {NATIONAL!r} or a province code like '500000', not {province!r}")
    if not _is_date(rs.get("valid_from")):
        raise fail("[ruleset] valid_from must be a date (YYYY-MM-DD, unquoted)")
    valid_from: dt.date = rs["valid_from"]
    valid_to: dt.date | None = rs.get("valid_to")
    if valid_to is not None and (not _is_date(valid_to) or valid_to < valid_from):
        raise fail("[ruleset] valid_to must be a date not before valid_from")
    set_citation = rs.get("citation", {})
    if not isinstance(set_citation, dict):
        raise fail("[ruleset] citation must be a table")
    entries = data.get("rule", [])
    if not isinstance(entries, list) or not entries:
        raise fail("no [[rule]] entries")
    out: list[Rule] = []
    seen: set[str] = set()
    for i, r in enumerate(entries, 1):
        at = f"rule {i}"
        if not isinstance(r, dict):
            raise fail(f"{at} must be a table")
        if set(r) - RULE_FIELDS:
            raise fail(f"{at}: unknown fields {sorted(set(r) - RULE_FIELDS)}")
        key = r.get("key")
        if not isinstance(key, str) or not key.startswith(label + ".") or not _NAME.fullmatch(key):
            raise fail(f"{at}: key must be '{label}.<name>' in lower case (letters, digits, _), not {key!r}")
        if key in seen:
            raise fail(f"{at}: {key} appears twice in this file")
        seen.add(key)
        if "value" not in r:
            raise fail(f"{key}: missing value")
        if not isinstance(r.get("title"), str) or not r["title"].strip():
            raise fail(f"{key}: missing title")
        if not isinstance(r.get("confirmed"), bool):
            raise fail(f"{key}: confirmed must be true or false (false: not checked against the text)")
        for f in ("unit", "note", "label"):
            if f in r and not isinstance(r[f], str):
                raise fail(f"{key}: {f} must be a string")
        own = r.get("citation", {})
        if not isinstance(own, dict):
            raise fail(f"{key}: citation must be a table")
        cit = {**set_citation, **own}
        if set(cit) - CITATION_FIELDS:
            raise fail(f"{key}: unknown citation fields {sorted(set(cit) - CITATION_FIELDS)}")
        for f in ("instrument", "version", "article"):
            if not isinstance(cit.get(f), str) or not cit[f].strip():
                raise fail(f"{key}: citation needs {f}")
        if not isinstance(cit.get("url", ""), str):
            raise fail(f"{key}: citation url must be a string")
        out.append(Rule(
            key=key, title=r["title"], value=r["value"], confirmed=r["confirmed"], province=province,
            citation=Citation(cit["instrument"], cit["version"], cit["article"], cit.get("url", "")),
            valid_from=valid_from, valid_to=valid_to, ruleset=rs["name"], ruleset_version=rs["version"],
            source=where, unit=r.get("unit", ""), note=r.get("note", ""),
            label=r.get("label", "")))
    return out


def _is_date(v: Any) -> bool:
    return isinstance(v, dt.date) and not isinstance(v, dt.datetime)


def _check_overlaps(key: str, versions: list[Rule]) -> None:
    by_province: dict[str, list[Rule]] = {}
    for r in versions:
        by_province.setdefault(r.province, []).append(r)
    for prov, rs in by_province.items():
        rs.sort(key=lambda r: r.valid_from)
        for a, b in zip(rs, rs[1:], strict=False):
            if a.valid_to is None or a.valid_to >= b.valid_from:
                raise RuleFileError(
                    f"{key} ({prov}): {a.source} (from {a.valid_from}) and {b.source} (from {b.valid_from}) overlap")


# -- the platform's rule book: every installed app's rules/*.toml -------------------------------------
_book: RuleBook | None = None
_lock = threading.Lock()


def discovered_files() -> list[tuple[Path, str]]:
    files: list[tuple[Path, str]] = []
    for app in apps.get_app_configs():
        folder = Path(app.path) / "rules"
        if folder.is_dir():
            files.extend((p, app.label) for p in sorted(folder.glob("*.toml")))
    return files


def book() -> RuleBook:
    global _book
    if _book is None:
        with _lock:
            if _book is None:
                from django.conf import settings

                _book = RuleBook.from_files(discovered_files(), root=settings.BASE_DIR)
    return _book


@contextmanager
def use(rule_book: RuleBook) -> Iterator[RuleBook]:
    """Tests: answer from ``rule_book`` instead of the installed files."""
    global _book
    before = _book
    _book = rule_book
    try:
        yield rule_book
    finally:
        _book = before


def get(key: str, *, province: str | None = None, on: dt.date | None = None) -> Rule:
    return book().get(key, province=province, on=on)


def in_force(*, province: str | None = None, on: dt.date | None = None) -> list[Rule]:
    return book().in_force(province=province, on=on)
