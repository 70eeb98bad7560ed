"""manage.py refresh_cadence [--unit CODE]: recompute the villages' 村务公开 cadence status (daily)."""
from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from boundaries.levels import Level
from boundaries.models import AdminUnit
from publication import cadence


class Command(BaseCommand):
    help = "Recompute every village's 村务公开 cadence status (time alone makes a village overdue: run daily)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--unit", help="code of the unit whose villages to refresh (default: all)")

    def handle(self, *args: Any, unit: str | None = None, **kw: Any) -> None:
        qs = AdminUnit.objects.filter(level=Level.COMMUNITY)
        if unit:
            root = AdminUnit.objects.filter(code=unit).first()
            if root is None:
                raise CommandError(f"no unit with code {unit}")
            qs = qs.filter(path__startswith=root.path)
        self.stdout.write(f"publication: {cadence.refresh(qs)} village statuses changed")
