"""manage.py load_demo [--scale tiny|default|full] [--seed N] [--if-empty] [--replace]"""
from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from boundaries.demo.loader import load_demo, units_exist, wipe
from boundaries.demo.plan import DEFAULT_SEED, SCALES


class Command(BaseCommand):
    help = "Load the Yubei demo: real codes and outline, generated neighbourhoods, buildings, houses, accounts."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", choices=sorted(SCALES), default="default",
                            help="tiny: seconds, for tests; default: < 2 min; full: ~150,000 buildings")
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="same seed, same data")
        parser.add_argument("--if-empty", action="store_true", help="do nothing if units exist")
        parser.add_argument("--replace", action="store_true",
                            help="first delete the tree, houses, users and everything referring to them")
        parser.add_argument("--no-population", action="store_true",
                            help="skip the demo population (population.demo, same scale and seed)")

    def handle(self, *args: Any, **opts: Any) -> None:
        if units_exist():
            if opts["if_empty"]:
                self.stdout.write("demo: administrative units already present, nothing loaded")
                return
            if not opts["replace"]:
                raise CommandError("数据库中已有行政单元。使用 --replace 清空后重新加载，或 --if-empty 跳过。")
            self.stdout.write("demo: deleting the existing tree, houses and users")
            wipe()
        t0 = time.monotonic()
        info = load_demo(opts["scale"], opts["seed"], progress=lambda m: self.stdout.write(m))
        labels = ("city", "district", "towns", "communities", "neighbourhoods", "buildings")
        summary = ", ".join(f"{n} {label}" for n, label in zip(info.counts, labels, strict=True))
        self.stdout.write(self.style.SUCCESS(
            f"demo loaded in {time.monotonic() - t0:.1f} s: {summary}, {info.houses} houses"
        ))
        if not opts["no_population"]:
            from django.core.management import call_command

            call_command("load_demo_population", scale=opts["scale"], seed=opts["seed"], replace=True,
                         stdout=self.stdout)
