"""Every project app has the shape docs/modules.md describes, and the kernel imports no module.

The walk covers every installed app whose code lives in this repository, so a new module is held to
the recipe the day it is added to INSTALLED_APPS.
"""
from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Any

import pytest
from audit import registry
from core import permissions as core_permissions
from core.scoping import ScopedQuerySet
from django.apps import AppConfig, apps
from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.permissions import SAFE_METHODS
from rest_framework.views import APIView

REPO = Path(settings.REPO_DIR)
CORE_PERMISSIONS = tuple(c for c in vars(core_permissions).values()
                         if isinstance(c, type) and c.__module__ == "core.permissions")

#: Models that belong to a unit but are neither scoped querysets nor audited row by row, and why.
EXEMPT: dict[str, str] = {
    "adminunits.BoundaryVersion": "it is the boundary's own history, written with every audited change of the unit",
    "audit.AuditEvent": "it is the audit trail itself",
    "core.WorkflowEvent": "it is a reviewable item's timeline, written with the audit record of each transition",
    "population.PersonEvent": "it is a person's own history, read only through the (scoped) person",
    "population.BuildingResidents": "a derived count per building kept by a database trigger, read by tiles only",
}
#: Views that take a write method without a core permission class, and why.
OPEN_WRITES: dict[str, str] = {
    "TokenView": "signing in: anyone may ask for a token with a username and password",
    "TokenRevokeView": "signing out: any signed-in account revokes its own token",
}
#: Apps with no HTTP API of their own.
NO_API: dict[str, str] = {
    "core": "the kernel: its parts have their APIs in core/<part>/api/ (jobs, notices, documents, rules)",
    "maptiles": "tiles are served at /tiles/ (tiles/urls.py), not under /api/",
}


def project_apps() -> list[AppConfig]:
    venv = REPO / ".venv"
    return [a for a in apps.get_app_configs()
            if Path(a.path).is_relative_to(REPO) and not Path(a.path).is_relative_to(venv)]


def unit_models() -> list[Any]:
    """Models with a foreign key to an administrative unit, or a scoped queryset."""
    out = []
    for app in project_apps():
        for model in app.get_models():
            to_unit = any(f.is_relation and f.related_model is not None
                          and f.related_model._meta.label == "adminunits.AdminUnit" for f in model._meta.fields)
            scoped = isinstance(model._default_manager.get_queryset(), ScopedQuerySet)
            if to_unit or scoped:
                out.append(model)
    return out


def test_the_walk_sees_every_project_app() -> None:
    labels = {a.label for a in project_apps()}
    assert {"core", "adminunits", "accounts", "audit", "population", "places", "maptiles"} <= labels


@pytest.mark.parametrize("model", unit_models(), ids=lambda m: m._meta.label)
def test_unit_models_are_scoped_and_audited(model: Any) -> None:
    if model._meta.label in EXEMPT:
        return
    assert isinstance(model._default_manager.get_queryset(), ScopedQuerySet), (
        f"{model._meta.label}: use a ScopedQuerySet manager (core.scoping)")
    assert model in registry._registry, (
        f"{model._meta.label}: register it with audit.registry.register(...) in the app's ready()")


@pytest.mark.parametrize("app", project_apps(), ids=lambda a: a.label)
def test_app_folder_shape(app: AppConfig) -> None:
    root = Path(app.path)
    assert (root / "tests").is_dir(), f"{app.label}: tests/"
    if app.label not in NO_API:
        assert (root / "api" / "urls.py").is_file(), f"{app.label}: api/urls.py"
    for path in root.rglob("*.py"):
        if "migrations" in path.parts or "tests" in path.parts:
            continue
        lines = path.read_text(encoding="utf-8").count("\n")
        assert lines <= 800, f"{path.relative_to(REPO)} has {lines} lines: split it by responsibility"


def _write_methods(view: type[APIView], callback_actions: dict[str, str] | None) -> set[str]:
    if callback_actions:  # a viewset route: its method -> action mapping
        return {m.upper() for m in callback_actions} - set(SAFE_METHODS)
    return {m.upper() for m in view.http_method_names if hasattr(view, m)} - set(SAFE_METHODS) - {"OPTIONS"}


def test_writable_api_views_use_core_permission_classes() -> None:
    missing = []
    for p in _iter_api_patterns():
        view, actions, route = p
        if view.__module__.startswith(("rest_framework", "drf_spectacular")) or view.__name__ in OPEN_WRITES:
            continue
        if not _write_methods(view, actions):
            continue
        classes = list(getattr(view, "permission_classes", []))
        classes += [c for a in (actions or {}).values()
                    for c in getattr(getattr(view, a, None), "kwargs", {}).get("permission_classes", [])]
        if not any(issubclass(c, CORE_PERMISSIONS) for c in classes):
            missing.append(f"{route} ({view.__name__})")
    assert not missing, "writable views without a core.permissions class: " + ", ".join(missing)


def _iter_api_patterns() -> list[tuple[type[APIView], dict[str, str] | None, str]]:
    out: list[tuple[type[APIView], dict[str, str] | None, str]] = []

    def walk(patterns: list[Any], prefix: str) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                cls = getattr(p.callback, "cls", None)
                if isinstance(cls, type) and issubclass(cls, APIView):
                    out.append((cls, getattr(p.callback, "actions", None), prefix + str(p.pattern)))

    walk(get_resolver().url_patterns, "")
    return out


def _imports(path: Path) -> set[str]:
    """Top-level module names a file imports at run time (``if TYPE_CHECKING:`` blocks excluded)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()

    def visit(nodes: list[ast.stmt]) -> None:
        for node in nodes:
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
                continue
            if isinstance(node, ast.Import):
                names.update(a.name.split(".")[0] for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
            for child in ("body", "orelse", "finalbody", "handlers"):
                visit([n for n in getattr(node, child, []) if isinstance(n, ast.stmt)])

    visit(tree.body)
    return names


def test_the_kernel_imports_no_module() -> None:
    modules = {a.name.split(".")[0] for a in project_apps()} - {"core"}
    offenders = {}
    for path in (REPO / "platform" / "core").rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        bad = _imports(path) & modules
        if bad:
            offenders[str(path.relative_to(REPO))] = sorted(bad)
    assert not offenders, offenders


def test_no_module_imports_the_wiring_layer() -> None:
    """``config`` wires the site together; modules import the kernel, never ``config``."""
    offenders = []
    for app in project_apps():
        for path in Path(app.path).rglob("*.py"):
            if "config" in _imports(path):
                offenders.append(str(path.relative_to(REPO)))
    assert not offenders, offenders


def test_every_setting_read_is_in_env_example() -> None:
    source = (REPO / "platform" / "config" / "settings.py").read_text(encoding="utf-8")
    read = set(re.findall(r'env\.\w+\(\s*"([A-Z][A-Z0-9_]+)"', source))
    documented = set(re.findall(r"^([A-Z][A-Z0-9_]+)=", (REPO / ".env.example").read_text(encoding="utf-8"), re.M))
    assert read - documented == set(), f"settings read but not in .env.example: {sorted(read - documented)}"


def test_modules_read_settings_strictly() -> None:
    """Settings are parsed once in config/settings.py; modules read ``settings.X``, never
    ``getattr(settings, "X", default)`` with a default of their own."""
    offenders = []
    for app in project_apps():
        for path in Path(app.path).rglob("*.py"):
            if "tests" in path.parts:
                continue
            if re.search(r"getattr\(\s*settings\s*,", path.read_text(encoding="utf-8")):
                offenders.append(str(path.relative_to(REPO)))
    assert not offenders, offenders
