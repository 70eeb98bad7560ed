"""manage.py load_demo_elections [--seed N] [--if-empty]: the 2026 换届 round across Yubei (elections.demo)."""
from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from elections import demo
from elections.models import Election


class Command(BaseCommand):
    help = "Demo elections of the 2026 round for every village and community of Yubei, at different stages."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--if-empty", action="store_true", help="do nothing if any election exists")

    def handle(self, *args: Any, seed: int = 2026, if_empty: bool = False, **kw: Any) -> None:
        if if_empty and Election.objects.exists():
            self.stdout.write("elections: elections already present; nothing to do")
            return
        counts = demo.generate(seed=seed)
        self.stdout.write("elections: " + ", ".join(f"{k}: {v}" for k, v in counts.items()))
