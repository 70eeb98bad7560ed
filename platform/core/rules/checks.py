"""``manage.py check`` (and the server's start) loads every rule file: a bad file stops the start."""
from __future__ import annotations

from typing import Any

from django.core.checks import Error, register


@register("rules")
def rule_files_load(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    from .engine import RuleBook, RuleFileError, discovered_files

    try:
        RuleBook.from_files(discovered_files())
    except RuleFileError as exc:
        return [Error(str(exc), id="rules.E001")]
    return []
