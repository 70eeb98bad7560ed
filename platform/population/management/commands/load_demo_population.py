"""manage.py load_demo_population [--scale tiny|default|full] [--seed N] [--replace]"""
from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from population import demo
from population.models import Person


class Command(BaseCommand):
    help = "Generate the deterministic demo population (valid IDs, census-like ages) into the demo houses."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", choices=sorted(demo.SCALES), default="default",
                            help="tiny 3,000 people; default 220,000; full 2,200,000")
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--replace", action="store_true", help="delete existing population data first")
        parser.add_argument("--if-empty", action="store_true", help="do nothing if people exist")

    def handle(self, *args: Any, **opts: Any) -> None:
        if Person.objects.exists():
            if opts["if_empty"]:
                self.stdout.write("population: people already present, nothing generated")
                return
            if not opts["replace"]:
                raise CommandError("数据库中已有人口数据。使用 --replace 清空后重新生成。")
            demo.wipe()
        t0 = time.monotonic()
        out = demo.generate(opts["scale"], opts["seed"], progress=lambda m: self.stdout.write(m))
        self.stdout.write(self.style.SUCCESS(
            f"population demo in {time.monotonic() - t0:.1f} s: {out['people']} people, {out['households']} households, "
            f"{out['placed']} placed in houses, {out['city_only']} only in the city record"
        ))
