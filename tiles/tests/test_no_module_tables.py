"""``tiles`` serves whatever layers modules declare and names none of their tables: a module's SQL,
declarations and version triggers live in the module (docs/tiles.md, "Adding a layer")."""
from __future__ import annotations

import re
from pathlib import Path

from django.apps import apps
from django.conf import settings

TILES = Path(settings.REPO_DIR) / "tiles"
#: Apps tiles is built on: the unit table every layer is drawn on, accounts and sessions (who asks).
BASE_APPS = {"maptiles", "adminunits", "accounts", "core", "audit"}


def _module_apps() -> list:
    repo = Path(settings.REPO_DIR)
    return [a for a in apps.get_app_configs()
            if Path(a.path).is_relative_to(repo) and not Path(a.path).is_relative_to(repo / ".venv")
            and a.label not in BASE_APPS]


def _tiles_files() -> list[Path]:
    """Everything of tiles/ but its tests: code, migrations, management commands, SQL."""
    return [p for p in TILES.rglob("*") if p.suffix in (".py", ".sql") and "tests" not in p.parts]


def test_tiles_names_no_table_of_a_module() -> None:
    modules = _module_apps()
    assert {"population", "places", "publication"} <= {a.label for a in modules}
    # Each module's tables by name, and anything prefixed like them (a table added later, a raw name).
    tables = {m._meta.db_table for a in modules for m in a.get_models()}
    pattern = re.compile(r"\b(?:" + "|".join(sorted({re.escape(a.label) + "_" for a in modules})) + r")\w*", re.I)
    offenders = []
    for path in _tiles_files():
        text = path.read_text(encoding="utf-8")
        found = {m.group(0) for m in pattern.finditer(text)} | {t for t in tables if t in text}
        if found:
            offenders.append(f"{path.relative_to(TILES.parent)}: {sorted(found)}")
    assert not offenders, "tiles/ names module tables: " + "; ".join(offenders)


def test_tiles_imports_no_module() -> None:
    names = {a.name.split(".")[0] for a in _module_apps()}
    pattern = re.compile(r"^\s*(?:from|import)\s+(" + "|".join(sorted(names)) + r")\b", re.M)
    offenders = [str(p.relative_to(TILES.parent)) for p in _tiles_files()
                 if p.suffix == ".py" and pattern.search(p.read_text(encoding="utf-8"))]
    assert not offenders, offenders


def test_the_check_would_catch_a_table_name(tmp_path) -> None:
    """The pattern above matches the way a table is written in SQL and Python alike."""
    labels = {a.label for a in _module_apps()}
    pattern = re.compile(r"\b(?:" + "|".join(sorted(re.escape(label) + "_" for label in labels)) + r")\w*")
    assert pattern.search("LEFT JOIN population_buildingresidents AS br")
    assert pattern.search('"places_facility": ["place:facility"]')
    assert not pattern.search("FROM adminunits_adminunit AS u")
