"""manage.py load_demo_publication [--seed N] [--if-empty]: the demo's posts (publication.demo)."""
from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from publication import demo
from publication.models import Post


class Command(BaseCommand):
    help = "Demo headlines, notices and 村(居)务公开 for the demo town, its communities and the district."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--if-empty", action="store_true", help="do nothing if any post exists")

    def handle(self, *args: Any, seed: int = 2026, if_empty: bool = False, **kw: Any) -> None:
        if if_empty and Post.objects.exists():
            self.stdout.write("publication: posts already present; nothing to do")
            return
        counts = demo.generate(seed=seed)
        self.stdout.write("publication: " + ", ".join(f"{k}: {v}" for k, v in counts.items()))
