"""manage.py run_steps "migrate --no-input" "load_demo --if-empty" ...

Runs several management commands in ONE process. scripts/run uses it: each ``python manage.py``
pays Python + Django + GDAL/numpy start-up (1-5 s on a busy 2-core machine), which dominated the
second start of the platform.
"""
from __future__ import annotations

import shlex
import time
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Run several management commands (each given as one quoted command line) in one process."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("steps", nargs="+", help='e.g. "load_demo --if-empty"')

    def handle(self, *args: Any, **opts: Any) -> None:
        for step in opts["steps"]:
            name, *argv = shlex.split(step)
            t0 = time.monotonic()
            call_command(name, *argv, stdout=self.stdout, stderr=self.stderr)
            if opts["verbosity"] > 1:
                self.stderr.write(f"{step}: {time.monotonic() - t0:.1f} s")
