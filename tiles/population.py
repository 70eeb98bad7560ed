"""The one place the tiles read the population app: a per-building resident COUNT (never a person).

Engineer P's population app owns the tables; until its Person model exists, the count is 0.
"""
from __future__ import annotations

from django.apps import apps


def residents_expression() -> str:
    """SQL expression (correlated on ``u`` = the building row) giving its resident count."""
    try:
        person = apps.get_model("population", "Person")
    except LookupError:
        return "0"
    house_field = person._meta.get_field("house")
    return (
        f"(SELECT count(*) FROM {person._meta.db_table} AS pp"
        f" JOIN adminunits_house AS hh ON hh.id = pp.{house_field.column}"
        f" WHERE hh.building_id = u.id)"
    )
