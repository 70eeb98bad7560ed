"""Check the administrative tree (or one subtree) for outside children, overlaps, gaps, unmatched edges."""
from __future__ import annotations

import json
import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from boundaries.consistency import subtree_report
from boundaries.models import AdminUnit


class Command(BaseCommand):
    help = "边界一致性检查：下级越界、同级重叠、缝隙、共享边不一致（整棵树或 --unit 指定的子树）。"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--unit", help="code of the subtree root (default: every root of the tree)")
        parser.add_argument("--json", dest="json_path", help="write the full report (with geometries) here")
        parser.add_argument("--fail-on-issues", action="store_true", help="exit with status 1 if anything is found")

    def handle(self, *args: Any, unit: str | None = None, json_path: str | None = None,
               fail_on_issues: bool = False, **opts: Any) -> None:
        if unit:
            roots = list(AdminUnit.objects.filter(code=unit))
            if not roots:
                raise CommandError(f"no unit with code {unit}")
        else:
            roots = list(AdminUnit.objects.filter(parent=None))
        reports = []
        total = 0
        for root in roots:
            t0 = time.perf_counter()

            def progress(done: int, of: int) -> None:
                self.stderr.write(f"\r  {done}/{of} parents checked", ending="")

            rep = subtree_report(root, include_geometry=bool(json_path), progress=progress)
            self.stderr.write("")
            dt = time.perf_counter() - t0
            self.stdout.write(f"{root.code} {root.name}: {rep['units_checked']} units, "
                              f"{len(rep['issues'])} issues in {dt:.2f} s")
            for kind, s in sorted(rep["summary"].items()):
                self.stdout.write(f"  {kind:16s} {s['count']:6d}  area {s['area_m2']:,.1f} m²  length {s['length_m']:,.1f} m")
            total += len(rep["issues"])
            reports.append(rep)
        if json_path:
            with open(json_path, "w", encoding="utf-8") as fh:
                json.dump(reports, fh, ensure_ascii=False)
        if fail_on_issues and total:
            sys.exit(1)
