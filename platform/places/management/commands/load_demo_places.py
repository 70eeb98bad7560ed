from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from boundaries.levels import Level
from boundaries.models import AdminUnit
from places import demo


class Command(BaseCommand):
    help = "Place deterministic demo facilities, organisations, resident units and events in communities."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--unit", help="code of the unit whose communities get points (default: all)")
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--if-empty", action="store_true", help="do nothing if any facility exists")

    def handle(self, *args: Any, unit: str | None = None, seed: int = 2026, if_empty: bool = False,
               **kw: Any) -> None:
        from places.models import Facility

        if if_empty and Facility.objects.exists():
            self.stdout.write("places already loaded; nothing to do")
            return
        qs = AdminUnit.objects.filter(level=Level.COMMUNITY, geom__isnull=False)
        if unit:
            root = AdminUnit.objects.filter(code=unit).first()
            if root is None:
                raise CommandError(f"no unit with code {unit}")
            qs = qs.subtree(root)
        counts = demo.generate(qs.order_by("code"), seed=seed)
        self.stdout.write(", ".join(f"{k}: {v}" for k, v in counts.items()))
